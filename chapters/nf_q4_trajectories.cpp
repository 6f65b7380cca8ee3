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

namespace flow::chapters {

void nf_q4_trajectories(Context& ctx) {
    nf::Model m = nf_model(ctx);
    const std::size_t L = m.flow.layers(), n = 10;
    Rng rng = ctx.rng("samples");
    std::vector<nn::Mat<float>> path;
    nf::sample(m.flow, n, rng, &path);
    nf::to_output_frame(path);

    ctx.figure("trajectories",
               report::trajectories_tikz("fr cloud, width=8cm, xlabel={$x_1$}, ylabel={$x_2$}",
                                         "trajectories.dat", n, L + 1),
               {{"trajectories.dat", report::trajectories_dat(path)}});

    double sum_ratio = 0, max_ratio = 0, sum_len = 0;
    nlohmann::json per = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) {
        double len = 0;
        for (std::size_t k = 1; k <= L; ++k)
            len += std::hypot(path[k](i, 0) - path[k - 1](i, 0), path[k](i, 1) - path[k - 1](i, 1));
        const double straight = std::hypot(path[L](i, 0) - path[0](i, 0), path[L](i, 1) - path[0](i, 1));
        const double ratio = len / std::max(straight, 1e-9);
        per.push_back({{"length", len}, {"straight", straight}, {"ratio", ratio}});
        sum_ratio += ratio;
        sum_len += len;
        max_ratio = std::max(max_ratio, ratio);
    }
    ctx.stats["figures"]["trajectories"] = {{"count", n}, {"steps", L + 1}, {"paths", per},
                                            {"mean_length", sum_len / double(n)},
                                            {"mean_ratio", sum_ratio / double(n)},
                                            {"max_ratio", max_ratio}};
    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:nf-q4-trajectories}}

Figure~\ref{{fig:nf-q4-trajectories}} follows 10 samples from the prior (open circles)
through the {L} layers to their outputs (dots), coloured by the position $t = k/{L}$ after
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
        fmt::arg("ratio", report::tex_fixed(sum_ratio / double(n), 2)),
        fmt::arg("max", report::tex_fixed(max_ratio, 2)),
        fmt::arg("len", report::tex_fixed(sum_len / double(n), 2)),
        fmt::arg("pdf", ctx.figure_pdf("trajectories")));
}

}  // namespace flow::chapters
