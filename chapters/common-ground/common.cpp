#include "common.hpp"

#include <cmath>

namespace flow::chapters::deck {

std::string picture(const std::string& body) {
    return "\\begin{tikzpicture}[font=\\Large\\sffamily]\n" + body + "\\end{tikzpicture}\n";
}

std::string coordinates(const std::vector<std::array<double, 2>>& points) {
    std::string out;
    for (const auto& p : points) {
        if (!std::isfinite(p[0]) || !std::isfinite(p[1])) continue;
        out += fmt::format("({:.6g},{:.6g}) ", p[0], p[1]);
    }
    return out;
}

std::string chart_axis(const std::string& options, double width_cm, double height_cm,
                       const std::vector<Series>& lines) {
    std::string out = fmt::format("\\begin{{axis}}[fr slide, width={}cm, height={}cm, scale only axis, {}]\n",
                                  width_cm, height_cm, options);
    for (const auto& l : lines) {
        out += "\\addplot[" + l.style + "] coordinates {" + coordinates(l.points) + "};\n";
        if (!l.legend.empty()) out += "\\addlegendentry{" + l.legend + "}\n";
    }
    return out + "\\end{axis}\n";
}

std::string cloud_axis(const std::string& options, const report::View& view, double side_cm,
                       const std::vector<Cloud>& clouds, const std::string& png, report::Files& files,
                       const std::string& after) {
    report::RasterLayer layer = report::RasterLayer::equal_units(view, side_cm * report::kPtPerCm);
    for (const auto& c : clouds) layer.marks(*c.points, c.ink, c.radius_pt);
    files.push_back({png, layer.png()});
    return "\\begin{axis}[fr slide, " + layer.axis_options() + ", " + options + "]\n" + layer.addplot(png) + after +
           "\\end{axis}\n";
}

double energy_distance(const Mat<float>& a, const Mat<float>& b) {
    const auto mean_distance = [](const Mat<float>& p, const Mat<float>& q, bool same) {
        const std::size_t n = p.shape(0), m = q.shape(0), D = p.shape(1);
        double s = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = same ? i + 1 : 0; j < m; ++j) {
                double d2 = 0;
                for (std::size_t k = 0; k < D; ++k) {
                    const double d = double(p(i, k)) - double(q(j, k));
                    d2 += d * d;
                }
                s += std::sqrt(d2);
            }
        return same ? 2 * s / (double(n) * double(n - 1)) : s / (double(n) * double(m));
    };
    return 2 * mean_distance(a, b, false) - mean_distance(a, a, true) - mean_distance(b, b, true);
}

Mat<float> held_out_moons(const data::Standardiser& frame) {
    const data::Dataset& d = data::dataset("moons");
    return data::in_frame(d.part(true), frame);
}

std::vector<double> true_moons_log_density(const Mat<float>& x, const data::Standardiser& frame) {
    const data::Dataset& d = data::dataset("moons");
    std::vector<double> out(x.shape(0));
    const double log_jac = std::log(frame.std[0] * frame.std[1]);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto raw = frame.to_raw(x(i, 0), x(i, 1));
        out[i] = d.log_density(raw[0], raw[1]) + log_jac;
    }
    return out;
}

Mat<float> reframe(const Mat<float>& x, const data::Standardiser& from, const data::Standardiser& to) {
    Mat<float> out = x;
    for (std::size_t k = 0; k < x.shape(0); ++k) {
        const auto raw = from.to_raw(x(k, 0), x(k, 1));
        const auto s = to.to_standard(raw[0], raw[1]);
        out(k, 0) = float(s[0]), out(k, 1) = float(s[1]);
    }
    return out;
}

Grid grid_over(const report::View& view, std::size_t n) {
    Grid g{view, n, Mat<float>::from_shape({n * n, 2}), 0};
    const double dx = (view.xmax - view.xmin) / double(n), dy = (view.ymax - view.ymin) / double(n);
    g.cell_area = dx * dy;
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            g.centres(r * n + c, 0) = float(view.xmin + (double(c) + 0.5) * dx);
            g.centres(r * n + c, 1) = float(view.ymax - (double(r) + 0.5) * dy);
        }
    return g;
}

}  // namespace flow::chapters::deck
