#include "report/plots.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "data/dataset.hpp"

namespace flow::report {

std::string points_dat(const xt::xtensor<float, 2>& x) {
    std::string out = "x y\n";
    for (std::size_t i = 0; i < x.shape(0); ++i) out += fmt::format("{:.5f} {:.5f}\n", x(i, 0), x(i, 1));
    return out;
}

std::string trajectories_dat(const std::vector<xt::xtensor<float, 2>>& states,
                             const std::vector<double>& times) {
    const std::size_t steps = states.size(), n = states.at(0).shape(0);
    std::string out = "x y t mark id\n";
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < steps; ++k) {
            const double t = times.empty() ? double(k) / double(steps - 1) : times[k];
            const int mark = k == 0 ? 0 : k + 1 == steps ? 2 : 1;
            out += fmt::format("{:.5f} {:.5f} {:.4f} {} {}\n", states[k](i, 0), states[k](i, 1), t, mark, i);
        }
    return out;
}

std::string cloud_tikz(const std::string& axis_options, const std::string& dat) {
    return fmt::format(
        "\\begin{{tikzpicture}}\n\\begin{{axis}}[{}]\n"
        "\\addplot[fr samples] table {{{}}};\n\\end{{axis}}\n\\end{{tikzpicture}}\n",
        axis_options, dat);
}

std::string trajectories_tikz(const std::string& axis_options, const std::string& dat,
                              std::size_t n, std::size_t steps, const std::string& extra,
                              const std::string& after) {
    std::string plots;
    const std::size_t total = n * steps;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t a = i * steps, b = a + steps;
        const std::string skip = fmt::format(
            "skip coords between index={{0}}{{{}}}, skip coords between index={{{}}}{{{}}}", a, b,
            total);
        plots += fmt::format(
            "\\addplot[mesh, line width=0.9pt, point meta=\\thisrow{{t}}, {}] table {{{}}};\n", skip, dat);
        plots += fmt::format(
            "\\addplot[scatter, only marks, mark=*, mark size=1.1pt, point meta=\\thisrow{{t}}, "
            "scatter/use mapped color={{draw=mapped color, fill=mapped color}}, {}] table {{{}}};\n",
            skip, dat);
    }
    // Where every path starts (open circle) and ends (filled dot), in the process's order.
    plots += fmt::format(
        "\\addplot[fr start, x filter/.expression={{\\thisrow{{mark}} == 0 ? x : nan}}] table {{{}}};\n", dat);
    plots += fmt::format(
        "\\addplot[fr end, x filter/.expression={{\\thisrow{{mark}} == 2 ? x : nan}}] table {{{}}};\n", dat);
    return fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[fr time, {}]\n{}{}{}\\end{{axis}}\n"
                       "\\end{{tikzpicture}}\n",
                       axis_options, extra, plots, after);
}

std::vector<std::array<double, 2>> rows_of(const xt::xtensor<float, 2>& x) {
    std::vector<std::array<double, 2>> at;
    for (std::size_t i = 0; i < x.shape(0); ++i) at.push_back({x(i, 0), x(i, 1)});
    return at;
}

std::string probe_labels(const std::vector<std::array<double, 2>>& at) {
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < at.size(); ++i) texts.push_back(fmt::format("P{}", i + 1));
    return point_labels(at, texts);
}

std::string point_labels(const std::vector<std::array<double, 2>>& at, const std::vector<std::string>& texts) {
    // A plot of its own, drawn last: pgfplots draws every plot's marks after all the
    // lines, so a TikZ \node would end up under them.
    std::string rows;
    for (std::size_t i = 0; i < at.size(); ++i) rows += fmt::format(" {:.5f} {:.5f} {{{}}}\\\\", at[i][0], at[i][1], texts.at(i));
    return "\\addplot[only marks, mark=none, point meta=explicit symbolic, nodes near coords, "
           "nodes near coords style={fr probe label}] table[meta=label, row sep=\\\\] {x y label\\\\" +
           rows + "};\n";
}

std::string Window::axis_options() const {
    return fmt::format("xmin={0:g}, xmax={1:g}, ymin={0:g}, ymax={1:g}", -extent, extent);
}

Window window_for(const std::vector<const xt::xtensor<float, 2>*>& clouds, double min_extent,
                  double cap) {
    double need = min_extent;
    for (const auto* c : clouds)
        for (std::size_t i = 0; i < c->size(); ++i)
            if (std::isfinite(c->data()[i])) need = std::max(need, std::fabs(double(c->data()[i])));
    Window w;
    w.extent = std::min(cap, std::max(min_extent, std::ceil(need * 2.0) / 2.0));
    for (const auto* c : clouds) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < c->shape(0); ++i)
            out += !(std::fabs((*c)(i, 0)) <= w.extent && std::fabs((*c)(i, 1)) <= w.extent);
        w.outside.push_back(out);
    }
    return w;
}

std::string panel_grid(const std::vector<std::string>& panels, std::size_t per_row) {
    std::string s;
    for (std::size_t start = 0; start < panels.size(); start += per_row) {
        const std::size_t end = std::min(panels.size(), start + per_row);
        const bool full = end - start == per_row;
        if (start > 0) s += "\\\\[1ex]\n";
        // A full row spreads to the margins; a shorter one is centred with equal gaps.
        s += full ? "  " : "  \\hspace*{\\fill}";
        for (std::size_t i = start; i < end; ++i) {
            s += panels[i];
            if (i + 1 < end) s += full ? "\\hfill " : "\\hspace{\\fill}";
        }
        if (!full) s += "\\hspace*{\\fill}";
        s += "\n";
    }
    return s;
}

namespace {
// The nine control points of the report's viridis map (flowreport.sty).
constexpr unsigned char kViridis[9][3] = {{68, 1, 84},    {71, 45, 123},  {59, 82, 139},
                                          {44, 114, 142}, {33, 145, 140}, {39, 173, 129},
                                          {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};

void write_png_callback(png_structp png, png_bytep data, png_size_t len) {
    auto* out = static_cast<std::string*>(png_get_io_ptr(png));
    out->append(reinterpret_cast<const char*>(data), len);
}
void flush_callback(png_structp) {}
}  // namespace

std::string png_viridis(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                        double lo, double hi) {
    std::vector<unsigned char> rgb(rows * cols * 3);
    for (std::size_t i = 0; i < rows * cols; ++i) {
        double u = std::isfinite(values[i]) ? (values[i] - lo) / (hi - lo) : 0.0;
        u = std::clamp(u, 0.0, 1.0) * 8.0;
        const int k = std::min(7, int(u));
        const double f = u - k;
        for (int c = 0; c < 3; ++c)
            rgb[3 * i + std::size_t(c)] = static_cast<unsigned char>(
                std::lround((1 - f) * kViridis[k][c] + f * kViridis[k + 1][c]));
    }
    std::string out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) throw std::runtime_error("libpng: cannot start a PNG");
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw std::runtime_error("libpng: cannot write the PNG");
    }
    png_set_write_fn(png, &out, write_png_callback, flush_callback);
    png_set_IHDR(png, info, png_uint_32(cols), png_uint_32(rows), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (std::size_t r = 0; r < rows; ++r) png_write_row(png, rgb.data() + r * cols * 3);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

std::string colour_definitions(const data::Dataset& set, const std::string& prefix) {
    std::string s;
    for (std::size_t k = 0; k < set.regions.size() && k < set.colours.size(); ++k)
        s += fmt::format("\\definecolor{{{}{}}}{{HTML}}{{{}}}\n", prefix, set.regions[k], set.colours[k]);
    return s;
}

}  // namespace flow::report
