// What the chapters that draw paths share (common.hpp): the flow's path from given prior
// points, the paths' summary, the ring bands drawn behind paths, and the panels of
// nf-q4 and fm-q3, one path to a panel.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <xtensor/xview.hpp>

#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters {

namespace {

nn::Mat<float> swapped(const nn::Mat<float>& z) {
    nn::Mat<float> s = z;
    for (std::size_t i = 0; i < z.shape(0); ++i) std::swap(s(i, 0), s(i, 1));
    return s;
}

std::vector<nn::Mat<float>> layer_path(const nf::Model& m, const nn::Mat<float>& z) {
    std::vector<nn::Mat<float>> path;
    nn::Mat<float> x;
    m.flow.forward(z, x, &path);
    nf::to_output_frame(path);
    return path;
}

}  // namespace

std::vector<nn::Mat<float>> nf_path_from(const nf::Model& m, const nn::Mat<float>& z) {
    std::vector<nn::Mat<float>> path = layer_path(m, z);
    // to_output_frame swapped the input's coordinates: start from z swapped instead.
    if (path.front() != z) path = layer_path(m, swapped(z));
    return path;
}

PathSummary path_summary(const std::vector<nn::Mat<float>>& states) {
    const report::PathStats ps = report::path_stats(states);
    return {ps.mean_length, report::mean(ps.straight), report::median(ps.ratio)};
}

std::string ring_bands_tikz(const data::Standardiser& scale, bool by_class) {
    // Each band an annulus: two ellipses (circles in the logo's frame, scaled per axis by
    // the standardisation), filled by the even-odd rule; radii in axis units.
    std::string out;
    for (const auto& ring : data::rings()) {
        const auto c = scale.to_standard(ring.cx, ring.cy);
        const auto ellipse = [&](double r) {
            return fmt::format("(axis cs:{:.4f},{:.4f}) ellipse [x radius={:.4f}, y radius={:.4f}]", c[0], c[1],
                               r / scale.std[0], r / scale.std[1]);
        };
        out += fmt::format("\\fill[{}, even odd rule] {} {};\n",
                           !by_class ? std::string("black!13")
                           // the black ring dark enough not to read as the grey of all rings
                           : ring.colour == "black" ? std::string("ringblack!50")
                                                    : fmt::format("ring{}!22", ring.colour),
                           ellipse(data::kBandOuter), ellipse(data::kBandInner));
    }
    return out;
}

void draw_ring_bands(report::RasterLayer& layer, const data::Standardiser& scale) {
    for (const auto& ring : data::rings()) {
        const auto c = scale.to_standard(ring.cx, ring.cy);
        layer.annulus(c[0], c[1], data::kBandOuter / scale.std[0], data::kBandOuter / scale.std[1],
                      data::kBandInner / scale.std[0], data::kBandInner / scale.std[1], {222, 222, 222, 1.0});  // black!13
    }
}

double paths_extent(const std::vector<nn::Mat<float>>& states) {
    double hi = 0;
    for (const auto& s : states)
        for (float v : s) hi = std::max(hi, double(std::fabs(v)));
    return std::max(2.5, std::ceil(hi * 2) / 2);
}

std::string labels_off_paths(const std::vector<nn::Mat<float>>& states, const std::vector<std::string>& texts,
                             double extent) {
    // Of 16 directions from a path's start, the one whose point a label's width away lies
    // in the emptiest place: the smallest sum of exp(-(d/gap)^2) over every drawn state of
    // every path. The node's anchor faces the start, 2.5 pt off it; one plot per label, as a
    // TikZ node would end up under pgfplots' marks.
    const double gap = 0.08 * extent;
    std::string out;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const double x = states.front()(i, 0), y = states.front()(i, 1);
        double best = 0, least = 1e300;
        for (int k = 0; k < 16; ++k) {
            const double a = 2 * M_PI * k / 16, px = x + gap * std::cos(a), py = y + gap * std::sin(a);
            double crowd = 0;
            for (const auto& s : states)
                for (std::size_t j = 0; j < s.shape(0); ++j) {
                    const double d = std::hypot(px - s(j, 0), py - s(j, 1)) / gap;
                    crowd += std::exp(-d * d);
                }
            if (crowd < least) least = crowd, best = a;
        }
        out += fmt::format("\\addplot[only marks, mark=none, point meta=explicit symbolic, nodes near coords, "
                           "nodes near coords style={{fr probe label, anchor={:.0f}, xshift={:.2f}pt, yshift={:.2f}pt}}] "
                           "table[meta=label, row sep=\\\\] {{x y label\\\\ {:.5f} {:.5f} {{{}}}\\\\}};\n",
                           std::fmod(best * 180 / M_PI + 180, 360.0), 2.5 * std::cos(best), 2.5 * std::sin(best), x, y, texts[i]);
    }
    return out;
}

double bands_extent(const data::Standardiser& scale) {
    double hi = 0;
    for (const auto& ring : data::rings())
        for (int k = 0; k < 360; ++k) {
            const double a = 2 * M_PI * k / 360;
            const auto p = scale.to_standard(ring.cx + data::kBandOuter * std::cos(a), ring.cy + data::kBandOuter * std::sin(a));
            hi = std::max({hi, std::fabs(p[0]), std::fabs(p[1])});
        }
    return hi;
}

std::string path_panels_tikz(const std::vector<nn::Mat<float>>& states, std::size_t n, double extent,
                             const data::Standardiser& bands, bool dots, report::Files& files, std::size_t per_row) {
    // Panels of 2.7 cm, 0.2 cm apart (five and a colour bar fit a 17 cm line); only the
    // outer panels carry tick and axis labels, and the last panel of the first row the
    // colour bar. Each path on a raster layer of its own, its start and end marks on top.
    const double w = 2.7, gap = 0.2, gap_v = 0.55;
    const report::View window{-extent, extent, -extent, extent};
    std::string out = "\\begin{tikzpicture}\n";
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t row = i / per_row, col = i % per_row;
        const bool left = col == 0, bottom = row + 1 == (n + per_row - 1) / per_row, bar = i + 1 == std::min(n, per_row);
        report::RasterLayer layer = report::RasterLayer::equal_units(window, w * report::kPtPerCm);
        draw_ring_bands(layer, bands);
        std::vector<nn::Mat<float>> one;
        for (const auto& s : states) one.push_back(xt::view(s, xt::range(i, i + 1), xt::all()));
        report::draw_trajectories(layer, one, {}, 1, 0.7, dots ? 0.8 : 0);
        const std::string png = fmt::format("path{}.png", i + 1);
        files.push_back({png, layer.png()});
        out += fmt::format(
            "\\begin{{axis}}[fr time, colorbar={bar}, colorbar style={{title={{time $t$}}, height={w}cm}}, "
            "at={{({x:.2f}cm,{y:.2f}cm)}}, {box}, xtick={{-2,0,2}}, ytick={{-2,0,2}}, "
            "axis line style={{black!60}}, tick label style={{font=\\scriptsize}}, label style={{font=\\scriptsize}}, "
            "title style={{font=\\scriptsize, yshift=-1.2ex}}, title={{{num}}}, "
            "{xl}, {yl}]\n{plot}{marks}\\end{{axis}}\n",
            fmt::arg("bar", bar ? "true" : "false"), fmt::arg("w", w), fmt::arg("x", double(col) * (w + gap)),
            fmt::arg("y", -double(row) * (w + gap_v)), fmt::arg("box", layer.axis_options()), fmt::arg("num", i + 1),
            fmt::arg("xl", bottom ? "xlabel={$x_1$}" : "xticklabels={}"),
            fmt::arg("yl", left ? "ylabel={$x_2$}" : "yticklabels={}"),
            fmt::arg("plot", layer.addplot(png)), fmt::arg("marks", report::start_end_marks(states, i, 1, window)));
    }
    return out + "\\end{tikzpicture}\n";
}

std::string cloud_panels_tikz(const std::vector<nn::Mat<float>>& clouds, const std::vector<std::string>& names,
                              const std::vector<std::string>& titles, double extent, std::size_t per_row, double width,
                              report::Files& files) {
    // As path_panels_tikz: one scale, tick labels and axis labels on the outer panels only.
    const double gap = 0.2, gap_v = 0.55;
    const std::size_t n = clouds.size(), rows = (n + per_row - 1) / per_row;
    std::string out = "\\begin{tikzpicture}\n";
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t row = i / per_row, col = i % per_row;
        report::RasterLayer layer = report::RasterLayer::equal_units({-extent, extent, -extent, extent}, width * report::kPtPerCm);
        layer.marks(clouds[i], report::kSamplesInk, 0.5);  // fr samples
        files.push_back({names[i] + ".png", layer.png()});
        out += fmt::format(
            "\\begin{{axis}}[at={{({x:.2f}cm,{y:.2f}cm)}}, {box}, xtick={{-2,0,2}}, ytick={{-2,0,2}}, "
            "axis line style={{black!60}}, tick label style={{font=\\scriptsize}}, "
            "label style={{font=\\scriptsize}}, title style={{font=\\scriptsize, yshift=-1.2ex}}, title={{{title}}}, "
            "{xl}, {yl}]\n{plot}\\end{{axis}}\n",
            fmt::arg("x", double(col) * (width + gap)), fmt::arg("y", -double(row) * (width + gap_v)),
            fmt::arg("box", layer.axis_options()), fmt::arg("title", titles[i]), fmt::arg("plot", layer.addplot(names[i] + ".png")),
            fmt::arg("xl", row + 1 == rows || i + per_row >= n ? "xlabel={$x_1$}" : "xticklabels={}"),
            fmt::arg("yl", col == 0 ? "ylabel={$x_2$}" : "yticklabels={}"));
    }
    return out + "\\end{tikzpicture}\n";
}

std::string tex_grouped(double v, int decimals) {
    const std::string s = fmt::format("{:.{}f}", std::fabs(v), decimals);
    const std::size_t dot = s.find('.');
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        out += s[i];
        const std::size_t left = dot == std::string::npos ? s.size() - 1 - i : dot - 1 - i;
        if (i < dot && left > 0 && left % 3 == 0) out += "\\,";
    }
    return v < 0 ? "\\ensuremath{-" + out + "}" : out;
}

}  // namespace flow::chapters
