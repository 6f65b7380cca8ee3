// cfm-q1-input's figure and per-class statistics (cfm_q1_input.hpp).
#include <fmt/format.h>

#include "cfm_q1_input.hpp"
#include "data/olympic.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters::cfm_q1 {

// The figure: the plotted points of every class in the ring's colour; the .dat holds
// them sorted by class. Returns how many are plotted.
std::size_t input_figure(Context& ctx, const data::PointSet& set,
                         const std::vector<std::vector<std::size_t>>& plotted) {
    std::vector<std::vector<double>> cols(3);
    std::vector<std::string> legend;
    std::size_t total_plotted = 0;
    for (int k = 0; k < data::kClasses; ++k) {
        const auto& ring = data::rings()[std::size_t(k)];
        for (std::size_t i : plotted[std::size_t(k)]) {
            cols[0].push_back(set.x(i, 0));
            cols[1].push_back(set.x(i, 1));
            cols[2].push_back(k);
        }
        total_plotted += plotted[std::size_t(k)].size();
        legend.push_back(fmt::format("{} ({})", ring.colour, k));
    }
    report::Files files{{"input.dat", report::dat_table({"x", "y", "label"}, cols)}};
    const std::string tikz = class_cloud_tikz(cols, legend, "at={(0.5,1.03)}, anchor=south", "input.png", files);
    ctx.figure("input", tikz, files);

    return total_plotted;
}

// Each class's moments, in the figure and in the whole set, and its share on its own
// ring (the smallest share is returned).
double class_stats(Context& ctx, const data::PointSet& set, const std::vector<std::vector<std::size_t>>& rows,
                   const std::vector<std::vector<std::size_t>>& plotted, nlohmann::json& set_classes) {
    nlohmann::json fig_classes = nlohmann::json::object();
    set_classes = nlohmann::json::object();
    double min_own = 1.0;
    for (int k = 0; k < data::kClasses; ++k) {
        const auto& ring = data::rings()[std::size_t(k)];
        auto fs = report::cloud_stats(set.x, plotted[std::size_t(k)]).to_json();
        fs["label"] = k;
        fig_classes[std::string(ring.colour)] = fs;
        auto ts = report::cloud_stats(set.x, rows[std::size_t(k)]).to_json();
        ts["label"] = k;
        const double own = share_on_ring(set.x, set.scale, k, rows[std::size_t(k)]);
        ts["share_on_own_ring"] = own;
        min_own = std::min(min_own, own);
        set_classes[std::string(ring.colour)] = ts;
    }
    ctx.stats["figures"]["input"]["classes"] = fig_classes;
    return min_own;
}

}  // namespace flow::chapters::cfm_q1
