// The five classes' cloud on a raster layer, for the conditional chapters' figures
// (common.hpp).
#include <algorithm>

#include <fmt/format.h>
#include <xtensor/xadapt.hpp>

#include "common.hpp"
#include "data/olympic.hpp"

namespace flow::chapters {

std::string class_cloud_tikz(const std::vector<std::vector<double>>& cols, const std::vector<std::string>& legend,
                             const std::string& legend_style, const std::string& png, report::Files& files) {
    // fr cloud's window: the points' bounds, enlarged by 4 % of their range on each side;
    // its box: 6.6 cm less pgfplots' 45 pt for labels, wide, with equal units.
    const auto [x0, x1] = std::minmax_element(cols[0].begin(), cols[0].end());
    const auto [y0, y1] = std::minmax_element(cols[1].begin(), cols[1].end());
    const double ex = 0.04 * (*x1 - *x0), ey = 0.04 * (*y1 - *y0);
    report::RasterLayer layer =
        report::RasterLayer::equal_units({*x0 - ex, *x1 + ex, *y0 - ey, *y1 + ey}, 6.6 * report::kPtPerCm - 45);
    std::string legend_images;
    for (std::size_t k = 0; k < data::rings().size(); ++k) {
        const auto& ring = data::rings()[k];
        const unsigned long rgb = std::stoul(std::string(ring.rgb), nullptr, 16);
        xt::xtensor<float, 2> pts = xt::zeros<float>({std::size_t(0), std::size_t(2)});
        std::vector<float> flat;
        for (std::size_t i = 0; i < cols[2].size(); ++i)
            if (std::size_t(cols[2][i]) == k) flat.insert(flat.end(), {float(cols[0][i]), float(cols[1][i])});
        pts = xt::adapt(flat, {flat.size() / 2, std::size_t(2)});
        layer.marks(pts, {std::uint8_t(rgb >> 16), std::uint8_t(rgb >> 8), std::uint8_t(rgb), 1.0}, 0.6);
        legend_images += fmt::format("\\addlegendimage{{fr class marks=ring{}}}\n", ring.colour);
    }
    files.push_back({png, layer.png()});
    std::string names;
    for (const auto& l : legend) names += (names.empty() ? "" : ",") + l;
    return ring_colour_definitions() + "\\begin{tikzpicture}\n\\begin{axis}[fr cloud, xlabel={$x_1$}, ylabel={$x_2$}, " +
           layer.axis_options() + ", legend columns=5, legend style={" + legend_style + "}]\n" + layer.addplot(png) +
           legend_images + "\\legend{" + names + "}\n\\end{axis}\n\\end{tikzpicture}\n";
}

}  // namespace flow::chapters
