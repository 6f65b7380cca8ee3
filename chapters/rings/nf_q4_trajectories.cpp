// nf-q4-trajectories: Normalizing flow, Q4 "Sampling trajectories".
//
// "Sample 10 points from your model and present the forward process of them layer by
//  layer, as a trajectory in a 2D space. Color the points according to their time t."
//
// t = k / L after layer k. The 10 points are the first of the prior points fm-q3 uses
// too (path_prior_points), one panel per point so that each path can be followed. The
// lengths the text quotes are over all of those prior points, measured as fm-q3 and the
// closing comparison measure them, so that the three sections quote the same numbers.
#include <cmath>

#include <xtensor/xview.hpp>

#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

void nf_q4_trajectories(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const std::size_t L = m.flow.layers();
    const nn::Mat<float> z = path_prior_points(ctx);
    const std::vector<nn::Mat<float>> all = nf_path_from(m, z);
    std::vector<nn::Mat<float>> drawn;
    for (const auto& s : all) drawn.push_back(xt::view(s, xt::range(0, kDrawnPaths), xt::all()));

    const double extent = paths_extent(drawn);
    report::Files files;
    ctx.figure("trajectories", path_panels_tikz(drawn, kDrawnPaths, extent, m.scale, true, files),
               files);
    const PathSummary drawn_sum = path_summary(drawn), sum = path_summary(all);
    ctx.stats["figures"]["trajectories"] = {{"count", kDrawnPaths}, {"steps", L + 1}, {"extent", extent},
                                            {"paths", drawn_sum.to_json()}};
    ctx.stats["paths"] = sum.to_json();
    ctx.stats["paths"]["count"] = kMeasuredPaths;

    const auto landed = std::size_t(std::lround(share_on_ring(drawn.back(), m.scale, -1) * double(kDrawnPaths)));
    const bool all_land = ctx.verdict("drawn_end_in_band", "every drawn point ends inside a ring band",
                                      {{"in_band", landed}, {"drawn", kDrawnPaths}}, landed == kDrawnPaths);
    ctx.text = ctx.section() + fmt::format(
        R"(Each of the {n_drawn} points moves in {L} axis-parallel jumps, one per coupling layer, and {land}
(Figure~\ref{{fig:nf-q4-trajectories}}). A coupling moves one coordinate by an amount set by the other,
so paths are staircases: over {n} prior points a path is {len} units long on average,
{ratio} times the distance between its ends (median).

)",
        fmt::arg("L", L), fmt::arg("n_drawn", kDrawnPaths), fmt::arg("land", all_land ? "every one ends inside a ring band"
                                                   : fmt::format("{} of the {} end inside a ring band", landed, kDrawnPaths)),
        fmt::arg("n", report::tex_count((long long)kMeasuredPaths)),
        fmt::arg("len", report::tex_fixed(sum.length, 1)), fmt::arg("ratio", report::tex_fixed(sum.ratio, 1))) +
        ctx.figure_float_of("trajectories",
                            fmt::format("Normalizing flow: {} prior points through its {} layers, one per panel, "
                                        "coloured by $t = k/{}$ after layer $k$; grey: the rings.",
                                        kDrawnPaths, L, L));
}

FLOWREPORT_CHAPTER("rings", "nf-q4-trajectories", nullptr, nf_q4_trajectories)

}  // namespace flow::chapters
