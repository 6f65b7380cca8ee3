// nf-q4-trajectories: Normalizing flow, Q4 "Sampling trajectories".
//
// "Sample 10 points from your model and present the forward process of them layer by
//  layer, as a trajectory in a 2D space. Color the points according to their time t."
//
// t = k / L after layer k. The consistency of each path is measured by its length over
// the straight distance from start to end (1 for a straight path); fm-q3 measures the
// same for the flow-matching model.
#include <cmath>

#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

void nf_q4_trajectories(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const std::size_t L = m.flow.layers(), n = 10;
    Rng rng = ctx.rng("samples");
    std::vector<nn::Mat<float>> path;
    nf::sample(m.flow, n, rng, &path);
    nf::to_output_frame(path);

    ctx.figure("trajectories",
               report::trajectories_tikz("fr cloud, width=5.6cm, xlabel={$x_1$}, ylabel={$x_2$}",
                                         "trajectories.dat", n, L + 1),
               {{"trajectories.dat", report::trajectories_dat(path)}});

    const report::PathStats ps = report::path_stats(path);
    nlohmann::json per = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i)
        per.push_back({{"length", ps.length[i]}, {"straight", ps.straight[i]}, {"ratio", ps.ratio[i]}});
    ctx.stats["figures"]["trajectories"] = {{"count", n}, {"steps", L + 1}, {"paths", per},
                                            {"mean_length", ps.mean_length},
                                            {"mean_ratio", ps.mean_ratio},
                                            {"max_ratio", ps.max_ratio}};
    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:nf-q4-trajectories}}

Figure~\ref{{fig:nf-q4-trajectories}} follows 10 samples from the prior through the {L}
layers to their outputs, coloured by the position $t = k/{L}$ after
layer $k$, with coordinates in the order they reach the output. Every layer moves a point
parallel to one axis only, so the paths are staircases: on average a path is {ratio} times
as long as the straight segment from its start to its end (at most {max}), with a mean
length of {len} standardised units.

\begin{{figure}}[htbp]
  \centering
  \includegraphics{{{pdf}}}
  \caption{{Normalizing flow: trajectories of 10 samples through the layers, coloured by $t$.}}
  \label{{fig:nf-q4-trajectories}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("L", L),
        fmt::arg("ratio", report::tex_fixed(ps.mean_ratio, 2)),
        fmt::arg("max", report::tex_fixed(ps.max_ratio, 2)),
        fmt::arg("len", report::tex_fixed(ps.mean_length, 2)),
        fmt::arg("pdf", ctx.figure_pdf("trajectories")));
}

FLOWREPORT_CHAPTER("rings", "nf-q4-trajectories", nullptr, nf_q4_trajectories)

}  // namespace flow::chapters
