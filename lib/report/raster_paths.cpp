// Trajectories on a raster layer, and their start and end marks as vector plots
// (raster_layer.hpp).
#include <fmt/format.h>

#include "report/raster_layer.hpp"

namespace flow::report {

void draw_trajectories(RasterLayer& layer, const std::vector<xt::xtensor<float, 2>>& states,
                       const std::vector<double>& times, std::size_t rows, double line_pt, double dot_radius_pt) {
    const std::size_t steps = states.size();
    const auto t_of = [&](std::size_t k) { return times.empty() ? double(k) / double(steps - 1) : times[k]; };
    for (std::size_t i = 0; i < rows; ++i) {
        std::vector<std::array<double, 2>> pts;
        std::vector<Ink> colours;
        for (std::size_t k = 0; k < steps; ++k) {
            pts.push_back({states[k](i, 0), states[k](i, 1)});
            // A segment in the colour of its mean time, as pgfplots' flat mesh shader does.
            if (k > 0) colours.push_back(viridis((t_of(k - 1) + t_of(k)) / 2));
        }
        layer.path(pts, colours, line_pt);
    }
    if (dot_radius_pt <= 0) return;
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t k = 0; k < steps; ++k) layer.disc(states[k](i, 0), states[k](i, 1), viridis(t_of(k)), dot_radius_pt);
}

namespace {
std::string marks_at(const xt::xtensor<float, 2>& s, std::size_t first, std::size_t count, const View& w,
                     const char* style) {
    std::string coords;
    for (std::size_t i = first; i < first + count; ++i) {
        const double x = s(i, 0), y = s(i, 1);
        if (x >= w.xmin && x <= w.xmax && y >= w.ymin && y <= w.ymax) coords += fmt::format("({:.4f},{:.4f})", x, y);
    }
    return coords.empty() ? "" : fmt::format("\\addplot[{}] coordinates {{{}}};\n", style, coords);
}
}  // namespace

std::string start_end_marks(const std::vector<xt::xtensor<float, 2>>& states, std::size_t first, std::size_t count,
                            const View& window) {
    return marks_at(states.front(), first, count, window, "fr start") + end_marks(states, first, count, window);
}

std::string end_marks(const std::vector<xt::xtensor<float, 2>>& states, std::size_t first, std::size_t count,
                      const View& window) {
    return marks_at(states.back(), first, count, window, "fr end");
}

}  // namespace flow::report
