// fm-q3-trajectories: Flow matching, Q3 "Point trajectory".
//
// "Sample 10 points of your choice from your model and present their forward process
//  as a 2D trajectory. Color the points according to their time t. Compare this to Q4
//  of Sec. 3.3. Which model's flow is more consistent over time?"
//
// The 10 points are the first of the prior points nf-q4 draws too (path_prior_points),
// in panels of the same window. Consistency is compared on all of those prior points by
// two measures that can differ between the models: how long a path is, and how far it
// is from straight (its length over the distance between its ends). How often a path
// turns is not compared: a coupling moves one coordinate, so every turn of the flow's
// path is a right angle by construction.
#include <algorithm>

#include <xtensor/xview.hpp>

#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

// Both models' paths from the shared prior points: the figure (flow matching's first
// kDrawnPaths) and the summaries over all the points.
std::pair<PathSummary, PathSummary> paths(Context& ctx, fm::Model& m, const nf::Model& nfm,
                                          const fm::Integration& how) {
    const nn::Mat<float> z = path_prior_points(ctx);
    std::vector<nn::Mat<float>> all;
    std::vector<double> times;
    fm::forward_flow(m.field, z, how, nullptr, [&](std::size_t, double t, const nn::Mat<float>& y) {
        all.push_back(y);
        times.push_back(t);
    });
    const std::vector<nn::Mat<float>> nf_all = nf_path_from(nfm, z);
    // About 100 states of each drawn path: every (steps / 100)-th and the last.
    const std::size_t every = std::max<std::size_t>(1, (all.size() - 1) / 100);
    std::vector<nn::Mat<float>> drawn;
    std::vector<double> drawn_t;
    for (std::size_t k = 0; k < all.size(); ++k)
        if (k % every == 0 || k + 1 == all.size()) {
            drawn.push_back(xt::view(all[k], xt::range(0, kDrawnPaths), xt::all()));
            drawn_t.push_back(times[k]);
        }
    // One panel in the window of nf-q4's panels (the flow's drawn paths, paths_extent),
    // widened only if a path of flow matching leaves it; each path numbered at its start,
    // on the side away from where it goes, its end dots drawn again on top.
    std::vector<nn::Mat<float>> nf_drawn;
    for (const auto& st : nf_all) nf_drawn.push_back(xt::view(st, xt::range(0, kDrawnPaths), xt::all()));
    const double extent = std::max(paths_extent(nf_drawn), paths_extent(drawn));
    std::vector<std::string> numbers;
    for (std::size_t i = 0; i < kDrawnPaths; ++i) numbers.push_back(std::to_string(i + 1));
    const report::View window{-extent, extent, -extent, extent};
    const std::string on_top = labels_off_paths(drawn, numbers, extent) + report::end_marks(drawn, 0, kDrawnPaths, window);
    report::Files files;
    report::RasterLayer layer = report::RasterLayer::equal_units(window, 215.0);  // 7.6 cm: the numbers apart
    draw_ring_bands(layer, m.scale);
    ctx.figure("trajectories",
               report::trajectories_tikz("fr cloud, xtick distance=2, ytick distance=2, xlabel={$x_1$}, ylabel={$x_2$}, colorbar style={title={time $t$}}",
                                         std::move(layer), drawn, drawn_t, kDrawnPaths, "trajectories.png", files, on_top),
               files);
    ctx.stats["figures"]["trajectories"] = {{"count", kDrawnPaths}, {"states", drawn.size()}, {"extent", extent},
                                            {"paths", path_summary(drawn).to_json()}};
    return {path_summary(all), path_summary(nf_all)};
}

std::string table(const PathSummary& fm, const PathSummary& nf) {
    auto row = [](const std::string& name, const PathSummary& s) {
        return fmt::format("    {} & {} & {} & {}\\\\\n", name, tex_fixed(s.length, 2), tex_fixed(s.ends, 2),
                           tex_fixed(s.ratio, 2));
    };
    return "\\begin{table}[htbp]\n  \\centering\\small\n  \\begin{tabular}{lccc}\n"
           "    & path length & distance between ends & length / distance (median)\\\\\\hline\n" +
           row("flow matching", fm) + row("normalizing flow", nf) +
           "  \\end{tabular}\n  \\caption{Paths from the same " + report::tex_count((long long)kMeasuredPaths) +
           " prior points (means; standardised units).}\n  \\label{tab:fm-q3-trajectories}\n\\end{table}\n";
}

}  // namespace

void fm_q3_trajectories(Context& ctx) {
    nf::Model& nfm = nf_comparison_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const auto [fm_s, nf_s] = paths(ctx, m, nfm, how);
    ctx.stats["paths"] = {{"count", kMeasuredPaths}, {"fm", fm_s.to_json()}, {"nf", nf_s.to_json()}};
    const bool shorter = ctx.verdict("fm_paths_shorter", "flow matching's mean path length is below the flow's",
                                     {{"fm", fm_s.length}, {"nf", nf_s.length}}, fm_s.length < nf_s.length);
    const bool straighter = ctx.verdict("fm_paths_straighter",
                                        "flow matching's median length over end-to-end distance is below the flow's",
                                        {{"fm", fm_s.ratio}, {"nf", nf_s.ratio}}, fm_s.ratio < nf_s.ratio);
    const std::string answer =
        shorter && straighter ? "Flow matching's flow is the more consistent over time: its points move along short, "
                                "smooth curves, some of which first head inward and then bend out to a ring; the "
                                "normalizing flow's jump along the axes."
        : shorter || straighter ? fmt::format("The two measures disagree: flow matching's paths are {} but {}.",
                                              shorter ? "shorter" : "longer", straighter ? "straighter" : "less straight")
                                : "By both measures the normalizing flow's paths are the more consistent ones.";
    ctx.text = ctx.section() + answer + fmt::format(
        R"( Figure~\ref{{fig:fm-q3-trajectories}} follows the prior points of
Figure~\ref{{fig:nf-q4-trajectories}} ({steps}); Table~\ref{{tab:fm-q3-trajectories}} measures both
models on {n}.

{table}
Flow matching's field is fitted to the mean velocity of straight conditional paths (Eq.~14--16):
early on that mean points toward the middle of the data, late toward one ring, hence the bends;
nothing asks the flow's layers to move points little.

)",
        fmt::arg("drawn", kDrawnPaths), fmt::arg("steps", integration_description(how)),
        fmt::arg("n", report::tex_count((long long)kMeasuredPaths)), fmt::arg("table", table(fm_s, nf_s))) +
        ctx.figure_float_of("trajectories", "Flow matching: the paths of the prior points of "
                                            "Figure~\\ref{fig:nf-q4-trajectories}, numbered at their start, over the "
                                            "rings (grey).");
}

FLOWREPORT_CHAPTER("rings", "fm-q3-trajectories", fm_flags, fm_q3_trajectories)

}  // namespace flow::chapters
