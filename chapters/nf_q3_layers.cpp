// nf-q3-layers: Normalizing flow, Q3 "Sampling over time".
//
// "Sample 1000 points out of it, and plot them after each layer of the model (in
//  separate figures) showing how the distribution progresses. Please plot up to 6
//  figures, if your model has more than 5 layers, choose a layer at every 1/5 of the
//  way from your model."
//
// The panels show the input z and the state after layers round(i L / 5), i = 1..5,
// each with its coordinates in the order they reach the output (the permutations only
// relabel the two coordinates). Each panel's statistics say how far it is from the data.
#include <cmath>

#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

void nf_q3_layers(Context& ctx) {
    using report::tex_percent;
    nf::Model m = nf_model(ctx);
    const std::size_t L = m.flow.layers();
    Rng rng = ctx.rng("samples");
    std::vector<nn::Mat<float>> path;
    nf::sample(m.flow, 1000, rng, &path);
    nf::to_output_frame(path);

    const auto data = held_out(ctx, m.scale);
    std::string panels, progression;
    for (int i = 0; i <= 5; ++i) {
        const std::size_t layer = std::size_t(std::lround(double(i) * double(L) / 5.0));
        const auto& x = path[layer];
        const std::string name = fmt::format("layer{}", layer);
        const std::string title = layer == 0 ? std::string("input $z$")
                                             : fmt::format("after layer {} of {}", layer, L);
        ctx.figure(name, report::cloud_tikz("fr panel, title={" + title + "}", name + ".dat"),
                   {{name + ".dat", report::points_dat(x)}});
        auto st = cloud_json(x, m.scale, data);
        const double share = st["share_in_band"].get<double>();
        st["layer"] = layer;
        st["t"] = double(layer) / double(L);
        ctx.stats["figures"][name] = st;
        panels += fmt::format("  \\includegraphics{{{}}}{}\n", ctx.figure_pdf(name),
                              i == 2 ? "\\\\[1ex]" : (i < 5 ? "\\hfill" : ""));
        progression += fmt::format("{}{} ({})", i ? ", " : "", tex_percent(share),
                                   layer == 0 ? std::string("input") : fmt::format("layer {}", layer));
    }
    const auto& first = ctx.stats["figures"]["layer0"];
    const auto& last = ctx.stats["figures"][fmt::format("layer{}", L)];
    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:nf-q3-layers}}

Figure~\ref{{fig:nf-q3-layers}} follows 1000 samples from the prior through the flow's {L}
coupling layers, shown after every fifth of them. The permutation after each coupling swaps
the two coordinates; every panel shows its points with the coordinates in the order they
reach the output, so the panels share one frame. The share of points inside a ring band
changes as follows: {prog}. The covariance's diagonal goes from $({c0x}, {c0y})$ for the
prior to $({c1x}, {c1y})$ at the output. The progression is made of discrete steps: each
layer moves only one coordinate, as an affine function of the other, so the intermediate
distributions are sheared and stretched copies of the prior, not a gradual morphing of
it into the data.

\begin{{figure}}[htbp]
  \centering
{panels}  \caption{{Normalizing flow: 1000 samples after every fifth of the {L} layers.}}
  \label{{fig:nf-q3-layers}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("L", L), fmt::arg("prog", progression),
        fmt::arg("c0x", report::tex_fixed(first["cov"][0][0].get<double>(), 2)),
        fmt::arg("c0y", report::tex_fixed(first["cov"][1][1].get<double>(), 2)),
        fmt::arg("c1x", report::tex_fixed(last["cov"][0][0].get<double>(), 2)),
        fmt::arg("c1y", report::tex_fixed(last["cov"][1][1].get<double>(), 2)),
        fmt::arg("panels", panels));
}

}  // namespace flow::chapters
