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

// The widest window a panel may take (standardised units); points beyond it are counted.
constexpr double kLargestWindow = 8.0;
constexpr std::size_t kSamples = 1000;

// The panels after every fifth of the layers, each in its own window (recorded): the
// share in a band along the way, the panels' \\includegraphics lines, and the points
// outside every window.
struct Panels {
    std::string progression;
    std::vector<std::string> panels;
    std::size_t hidden = 0;
    double inner_min_share = 1, inner_cov_off = 0, last_share = 0;  // the inner panels against the output
};
Panels draw_layers(Context& ctx, const nf::Model& m, const std::vector<nn::Mat<float>>& path) {
    using report::tex_percent;
    const std::size_t L = m.flow.layers();
    Panels r;
    auto& progression = r.progression;
    auto& panels = r.panels;
    auto& hidden = r.hidden;
    const auto data = held_out(ctx, m.scale);
    for (int i = 0; i <= 5; ++i) {
        const std::size_t layer = std::size_t(std::lround(double(i) * double(L) / 5.0));
        const auto& x = path[layer];
        const std::string name = fmt::format("layer{}", layer);
        // Each panel its own window, wide enough for its points (up to +-8; the title says
        // how many lie beyond even that).
        const report::Window win = report::window_for({&x}, 2.6, kLargestWindow);
        std::string title = layer == 0 ? std::string("input $z$") : fmt::format("after layer {} of {}", layer, L);
        if (win.outside[0] > 0) title += fmt::format(", {} outside", win.outside[0]);
        ctx.figure(name, report::cloud_tikz("fr panel, " + win.axis_options() + ", title={" + title + "}", name + ".dat"),
                   {{name + ".dat", report::points_dat(x)}});
        auto st = cloud_json(x, m.scale, data);
        const double share = st["share_in_band"].get<double>();
        st["layer"] = layer;
        st["t"] = double(layer) / double(L);
        st["window"] = win.extent;
        st["outside_window"] = win.outside[0];
        hidden += win.outside[0];
        if (i == 5) r.last_share = share;
        if (i > 0 && i < 5) {
            r.inner_min_share = std::min(r.inner_min_share, share);
            for (int c = 0; c < 2; ++c)
                r.inner_cov_off = std::max(r.inner_cov_off, std::fabs(st["cov"][c][c].get<double>() - 1.0));
        }
        ctx.stats["figures"][name] = st;
        panels.push_back(fmt::format("\\includegraphics{{{}}}", ctx.figure_pdf(name)));
        progression += fmt::format("{}{} ({})", i ? ", " : "", tex_percent(share),
                                   layer == 0 ? std::string("input") : fmt::format("layer {}", layer));
    }
    return r;
}

void nf_q3_layers(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const std::size_t L = m.flow.layers();
    Rng rng = ctx.rng("samples");
    std::vector<nn::Mat<float>> path;
    nf::sample(m.flow, kSamples, rng, &path);
    nf::to_output_frame(path);
    const Panels p = draw_layers(ctx, m, path);
    const std::size_t hidden = p.hidden;
    const auto& first = ctx.stats["figures"]["layer0"];
    const auto& last = ctx.stats["figures"][fmt::format("layer{}", L)];
    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:nf-q3-layers}}

Figure~\ref{{fig:nf-q3-layers}} follows {n} samples from the prior through the flow's {L}
coupling layers, shown after every fifth of them. The permutation after each coupling swaps
the two coordinates; every panel shows its points with the coordinates in the order they
reach the output, so the panels share one frame, and each panel's window is as wide as its points need{hidden}. The share of points
inside a ring band changes as follows: {prog}. The covariance's diagonal goes from
$({c0x}, {c0y})$ for the prior to $({c1x}, {c1y})$ at the output. The progression is made of
discrete steps: each coupling moves only one coordinate, by an affine map of that coordinate
(a scale and a shift) whose scale and shift are nonlinear functions of the other coordinate,
computed by its two networks. So a layer shifts and stretches every slice of the cloud
along one axis by its own amount, and the intermediate distributions {between}.

\begin{{figure}}[htbp]
  \centering
{panels}  \caption{{Normalizing flow: {n} samples after every fifth of the {L} layers.}}
  \label{{fig:nf-q3-layers}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("L", L), fmt::arg("prog", p.progression), fmt::arg("n", kSamples),
        fmt::arg("c0x", report::tex_fixed(first["cov"][0][0].get<double>(), 2)),
        fmt::arg("c0y", report::tex_fixed(first["cov"][1][1].get<double>(), 2)),
        fmt::arg("c1x", report::tex_fixed(last["cov"][0][0].get<double>(), 2)),
        fmt::arg("c1y", report::tex_fixed(last["cov"][1][1].get<double>(), 2)),
        fmt::arg("hidden", ctx.verdict("no_point_hidden", "no point of any panel lies outside its window",
                                       {{"outside", hidden}}, hidden == 0)
                               ? std::string(", so no point is hidden")
                               : fmt::format(" (up to $\\pm {:g}$; {} points of all the panels lie beyond)",
                                             kLargestWindow, hidden)),
        fmt::arg("panels", report::panel_grid(p.panels, 3)),
        fmt::arg("between", ctx.verdict("layers_unlike_ends",
                                        "some intermediate panel has a smaller share in a band than the output and a "
                                        "covariance unlike the prior's (a diagonal entry off 1 by more than 0.1)",
                                        {{"inner_min_share", p.inner_min_share}, {"inner_max_cov_off", p.inner_cov_off}},
                                        p.inner_min_share < p.last_share && p.inner_cov_off > 0.1)
                                ? "are neither the prior\nnor the data"
                                : "lie between the prior and the data"));
}

FLOWREPORT_CHAPTER("rings", "nf-q3-layers", nullptr, nf_q3_layers)

}  // namespace flow::chapters
