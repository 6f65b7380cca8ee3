// nf-q3-layers: Normalizing flow, Q3 "Sampling over time".
//
// "Sample 1000 points out of it, and plot them after each layer of the model (in
//  separate figures) showing how the distribution progresses. Please plot up to 6
//  figures, if your model has more than 5 layers, choose a layer at every 1/5 of the
//  way from your model."
//
// The panels show the input z and the state after layers round(i L / 5), i = 1..5,
// each with its coordinates in the order they reach the output (the permutations only
// relabel the two coordinates), all in one window. Each panel's statistics say how far
// it is from the data.
#include <algorithm>
#include <cmath>

#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

// The widest window the panels may take (standardised units); points beyond it are counted.
constexpr double kNfLargestWindow = 8.0;
constexpr std::size_t kNfLayerSamples = 1000;

// The panels after every fifth of the layers, all in one window (the smallest that holds
// every panel's points, so the panels compare): the \includegraphics lines, the shares
// in a band and the total variances (trace of the covariance; input first, output last),
// the points outside the window, and the largest total variance of an intermediate panel.
struct Panels {
    std::vector<std::string> panels;
    std::vector<double> shares, vars;
    std::size_t hidden = 0;
    double inner_var = 0;
};
Panels draw_layers(Context& ctx, const nf::Model& m, const std::vector<nn::Mat<float>>& path) {
    const std::size_t L = m.flow.layers();
    std::vector<std::size_t> layers;
    std::vector<const xt::xtensor<float, 2>*> clouds;
    for (int i = 0; i <= 5; ++i) {
        layers.push_back(std::size_t(std::lround(double(i) * double(L) / 5.0)));
        clouds.push_back(&path[layers.back()]);
    }
    const report::Window win = report::window_for(clouds, 2.6, kNfLargestWindow);
    const auto data = held_out(ctx, m.scale);
    Panels r;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::size_t layer = layers[i];
        const std::string name = fmt::format("layer{}", layer);
        auto st = cloud_json(path[layer], m.scale, data);
        r.shares.push_back(st["share_in_band"].get<double>());
        r.vars.push_back(st["cov"][0][0].get<double>() + st["cov"][1][1].get<double>());
        const std::string title = (layer == 0 ? std::string("prior") : fmt::format("layer {}", layer)) + ": " +
                                  report::tex_percent(r.shares.back(), 0) + ", variance " +
                                  report::tex_fixed(r.vars.back(), 1);
        report::Files files;
        ctx.figure(name,
                   report::cloud_tikz("fr panel, xlabel={$x_1$}, ylabel={$x_2$}, title={" + title + "}", win.view(),
                                      report::kPanelBoxPt, path[layer], name + ".png", files),
                   files);
        st["layer"] = layer;
        st["t"] = double(layer) / double(L);
        st["window"] = win.extent;
        st["outside_window"] = win.outside[i];
        r.hidden += win.outside[i];
        if (i > 0 && i + 1 < layers.size()) r.inner_var = std::max(r.inner_var, r.vars.back());
        ctx.stats["figures"][name] = st;
        r.panels.push_back(fmt::format("\\includegraphics{{{}}}", ctx.figure_pdf(name)));
    }
    return r;
}

void nf_q3_layers(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const std::size_t L = m.flow.layers();
    Rng rng = ctx.rng("samples");
    std::vector<nn::Mat<float>> path;
    nf::sample(m.flow, kNfLayerSamples, rng, &path);
    nf::to_output_frame(path);
    const Panels p = draw_layers(ctx, m, path);
    const double first = p.shares.front(), last = p.shares.back();
    const double inner_max = *std::max_element(p.shares.begin() + 1, p.shares.end() - 1);
    const double inner_min = *std::min_element(p.shares.begin() + 1, p.shares.end() - 1);
    ctx.verdict("no_point_hidden", "no point of any panel lies outside the shared window", {{"outside", p.hidden}},
                p.hidden == 0);
    const bool late = ctx.verdict("rings_form_last",
                                  "no intermediate panel's share in a band has gone more than a quarter of the way "
                                  "from the prior's to the output's, and the output has more than twice the prior's",
                                  {{"prior", first}, {"inner_max", inner_max}, {"output", last}},
                                  inner_max - first <= 0.25 * (last - first) && last > 2 * first);
    const bool grows = ctx.verdict("share_grows", "the share in a band never falls from one panel to the next",
                                   {{"shares", p.shares}},
                                   std::is_sorted(p.shares.begin(), p.shares.end()));
    const auto pct = [](double v) { return report::tex_percent(v, 0); };
    const bool wide = ctx.verdict("layers_unlike_ends",
                                  "some intermediate panel's total variance is above 1.5 times the prior's",
                                  {{"inner_max_total_variance", p.inner_var}, {"prior_total_variance", p.vars[0]}},
                                  p.inner_var > 1.5 * p.vars[0]);
    ctx.text = ctx.section() + fmt::format(
        R"({answer}{hidden}.

Why: each coupling moves one coordinate by an affine map set by the other, and the permutation swaps
their roles. Training scores only the output's likelihood
(Eq.~9), so nothing makes an intermediate distribution lie between the prior and the data.

)",
        fmt::arg("answer",
                 late ? std::string("The distribution does not move gradually from the Gaussian to the rings "
                                    "(Figure~\\ref{fig:nf-q3-layers}). The middle layers ") +
                            (wide ? "stretch the cloud (total variance up to " + report::tex_fixed(p.inner_var, 1) +
                                        ") and " : "") +
                            fmt::format("hold {} to {} of their points in a band, against the prior's {}; the "
                                        "rings form only in the last fifth ({})",
                                        pct(inner_min), pct(inner_max), pct(first), pct(last))
                 : grows ? fmt::format("The share of points in a band grows along the layers, from the prior's {} to "
                                       "{} (Figure~\\ref{{fig:nf-q3-layers}})", pct(first), pct(last))
                         : fmt::format("The share of points in a band moves unevenly along the layers, from the "
                                       "prior's {} to {}, with {} to {} between (Figure~\\ref{{fig:nf-q3-layers}})",
                                       pct(first), pct(last), pct(inner_min), pct(inner_max))),
        fmt::arg("hidden", p.hidden == 0 ? std::string("")
                                         : fmt::format(" ({} points lie beyond the window)", p.hidden))) +
        ctx.figure_float(report::panel_grid(p.panels, 3),
                         fmt::format("Normalizing flow: {} samples after every fifth of the {} layers "
                                     "(coordinates in output order); titles: share in a band, total variance.",
                                     kNfLayerSamples, L));
}

FLOWREPORT_CHAPTER("rings", "nf-q3-layers", nullptr, nf_q3_layers)

}  // namespace flow::chapters
