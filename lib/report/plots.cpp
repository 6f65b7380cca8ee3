#include "report/plots.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "report/raster_layer.hpp"

namespace flow::report {

std::string points_dat(const xt::xtensor<float, 2>& x) {
    std::string out = "x y\n";
    for (std::size_t i = 0; i < x.shape(0); ++i) out += fmt::format("{:.5f} {:.5f}\n", x(i, 0), x(i, 1));
    return out;
}

std::string cloud_tikz(const std::string& axis_options, const View& window, double box_pt,
                       const xt::xtensor<float, 2>& points, const std::string& png, Files& files) {
    RasterLayer layer = RasterLayer::equal_units(window, box_pt);
    layer.marks(points, kSamplesInk, 0.5);
    files.push_back({png, layer.png()});
    return fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[{}, {}]\n{}\\end{{axis}}\n\\end{{tikzpicture}}\n",
                       axis_options, layer.axis_options(), layer.addplot(png));
}

std::string trajectories_tikz(const std::string& axis_options, RasterLayer layer,
                              const std::vector<xt::xtensor<float, 2>>& states, const std::vector<double>& times,
                              std::size_t rows, const std::string& png, Files& files, const std::string& after) {
    draw_trajectories(layer, states, times, rows, 0.9, 1.1);
    files.push_back({png, layer.png()});
    return fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[fr time, {}, {}]\n{}{}{}\\end{{axis}}\n"
                       "\\end{{tikzpicture}}\n",
                       axis_options, layer.axis_options(), layer.addplot(png),
                       start_end_marks(states, 0, rows, layer.view()), after);
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
        const double u = std::isfinite(values[i]) ? (values[i] - lo) / (hi - lo) : 0.0;
        const Ink c = viridis(u);
        rgb[3 * i] = c.r;
        rgb[3 * i + 1] = c.g;
        rgb[3 * i + 2] = c.b;
    }
    return png_encode(rgb, rows, cols, 3);
}

std::string png_encode(const std::vector<unsigned char>& pixels, std::size_t rows, std::size_t cols,
                       int channels) {
    if (channels != 3 && channels != 4) throw std::invalid_argument("png_encode: 3 or 4 channels");
    if (pixels.size() != rows * cols * std::size_t(channels)) throw std::invalid_argument("png_encode: wrong size");
    std::string out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) throw std::runtime_error("libpng: cannot start a PNG");
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw std::runtime_error("libpng: cannot write the PNG");
    }
    png_set_write_fn(png, &out, write_png_callback, flush_callback);
    png_set_IHDR(png, info, png_uint_32(cols), png_uint_32(rows), 8,
                 channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (std::size_t r = 0; r < rows; ++r) png_write_row(png, pixels.data() + r * cols * std::size_t(channels));
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
