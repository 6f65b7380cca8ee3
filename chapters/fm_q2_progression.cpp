// fm-q2-progression: Flow matching, Q2 "Flow progression".
//
// "Sample 1000 points out of it, and plot them after each of t = 0, 0.2, 0.4, 0.6, 0.8,
//  1 in separate figures, showing how the distribution progresses. Compare this to Q3
//  of Sec. 3.3, in which aspects is the distribution flow different between the models?"
//
// The comparison rests on one measure for both models: the sliced Wasserstein distance
// of each intermediate cloud to held-out data, and the share inside a ring band, at the
// same six fractions of the way (time for flow matching, layers for the flow).
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

std::vector<config::FlagSpec> fm_nf_flags() {
    auto f = fm_flags();
    f.push_back({"nf-model", config::Kind::Path, "",
                 "checkpoint folder of the normalizing flow to compare with (default: the "
                 "normalizing flow of the default flags and this --seed, trained if missing)"});
    return f;
}

void fm_q2_progression(Context& ctx) {
    using report::tex_fixed;
    nf::Model nfm = nf_comparison_model(ctx);  // first: a bad --nf-model fails before any training
    fm::Model m = fm_model(ctx);
    const fm::Integration how = fm::Integration::from_flags(ctx.flags());
    const std::size_t n = 1000;
    const nn::Mat<float> z = prior_sample(ctx, n, "samples");
    const std::size_t steps = fm::step_count(0, 1, how.dt);

    // States at t = i / 5: the step nearest to that time.
    std::vector<nn::Mat<float>> at(6);
    std::vector<double> at_t(6);
    fm::forward_flow(m.field, z, how, nullptr, [&](std::size_t k, double t, const nn::Mat<float>& y) {
        for (int i = 0; i <= 5; ++i)
            if (k == std::size_t(std::llround(double(i) * double(steps) / 5.0))) {
                at[std::size_t(i)] = y;
                at_t[std::size_t(i)] = t;
            }
    });
    Rng held_rng = ctx.rng("held-out");
    const auto held = data::unconditional_rings(5000, held_rng);
    const auto data_fm = data::in_frame(held, m.scale);
    const auto data_nf = data::in_frame(held, nfm.scale);

    // The normalizing flow at the same fractions of its layers, from the same z.
    std::vector<nn::Mat<float>> path;
    nn::Mat<float> x_nf;
    nfm.flow.forward(z, x_nf, &path);
    nf::to_output_frame(path);
    const std::size_t L = nfm.flow.layers();

    std::string panels, row_fm, row_nf, row_fm_band, row_nf_band;
    std::vector<double> sw_fm(6), sw_nf(6);
    for (int i = 0; i <= 5; ++i) {
        const std::string name = fmt::format("t{}", 2 * i);
        const std::string title = fmt::format("$t = {}$", tex_fixed(at_t[std::size_t(i)], 1));
        ctx.figure(name, report::cloud_tikz("fr panel, title={" + title + "}", name + ".dat"),
                   {{name + ".dat", report::points_dat(at[std::size_t(i)])}});
        auto j = cloud_json(at[std::size_t(i)], m.scale, data_fm);
        j["t"] = at_t[std::size_t(i)];
        ctx.stats["figures"][name] = j;
        const std::size_t layer = std::size_t(std::lround(double(i) * double(L) / 5.0));
        auto jn = cloud_json(path[layer], nfm.scale, data_nf);
        jn["layer"] = layer;
        ctx.stats["nf_layers"][name] = jn;
        sw_fm[std::size_t(i)] = j["sliced_w2_to_data"].get<double>();
        sw_nf[std::size_t(i)] = jn["sliced_w2_to_data"].get<double>();
        row_fm += " & " + tex_fixed(sw_fm[std::size_t(i)], 3);
        row_nf += " & " + tex_fixed(sw_nf[std::size_t(i)], 3);
        row_fm_band += " & " + report::tex_percent(j["share_in_band"].get<double>());
        row_nf_band += " & " + report::tex_percent(jn["share_in_band"].get<double>());
        panels += fmt::format("  \\includegraphics{{{}}}{}\n", ctx.figure_pdf(name),
                              i == 2 ? "\\\\[1ex]" : (i < 5 ? "\\hfill" : ""));
    }
    // Monotone approach: how many of the five moves bring the cloud closer to the data.
    auto closer = [](const std::vector<double>& d) {
        int c = 0;
        for (std::size_t i = 1; i < d.size(); ++i) c += d[i] < d[i - 1];
        return c;
    };
    const int c_fm = closer(sw_fm), c_nf = closer(sw_nf);
    ctx.stats["comparison"] = {{"fm_steps_closer", c_fm}, {"nf_steps_closer", c_nf},
                               {"fm_sw_max", *std::max_element(sw_fm.begin(), sw_fm.end())},
                               {"nf_sw_max", *std::max_element(sw_nf.begin(), sw_nf.end())}};

    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:fm-q2-progression}}

Figure~\ref{{fig:fm-q2-progression}} pushes 1000 samples of the prior through the learned
flow ({steps}) and shows them at six times. Table~\ref{{tab:fm-q2-progression}} measures how
far each intermediate cloud is from the data (sliced 2-Wasserstein distance to 5000
held-out points, standardised units) and how many of its points lie in a ring band, for this
model at $t = 0, 0.2, \dots, 1$ and for the normalizing flow of
Section~\ref{{sec:nf-q3-layers}} after the same fractions of its {L} layers, started from
the same prior points.

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lcccccc}}
    fraction of the way & 0 & 0.2 & 0.4 & 0.6 & 0.8 & 1\\\hline
    flow matching: distance to data{row_fm}\\
    normalizing flow: distance to data{row_nf}\\
    flow matching: in a band{row_fm_band}\\
    normalizing flow: in a band{row_nf_band}\\
  \end{{tabular}}
  \caption{{How far the intermediate distributions are from the data, for both models.}}
  \label{{tab:fm-q2-progression}}
\end{{table}}

The two flows differ in how they get there. For flow matching, {c_fm} of the five moves
bring the cloud closer to the data: every intermediate distribution is a blend of prior and
data, the training paths $y_t = t x + (1-t)\epsilon$ being straight, so the cloud contracts
and sharpens smoothly into the rings. For the
normalizing flow, {c_nf} of the five moves bring it closer: its intermediate layers are
free to pass through distributions that look like neither the prior nor the data (sheared,
stretched copies of the prior, Figure~\ref{{fig:nf-q3-layers}}), because only the final
output is trained. On the way, the cloud is never farther from the data than {max_fm} for
flow matching, against {max_nf} for the normalizing flow.

\begin{{figure}}[htbp]
  \centering
{panels}  \caption{{Flow matching: 1000 samples at $t = 0, 0.2, \dots, 1$.}}
  \label{{fig:fm-q2-progression}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("steps", integration_description(how)),
        fmt::arg("L", L), fmt::arg("row_fm", row_fm), fmt::arg("row_nf", row_nf),
        fmt::arg("row_fm_band", row_fm_band), fmt::arg("row_nf_band", row_nf_band),
        fmt::arg("c_fm", c_fm), fmt::arg("c_nf", c_nf),
        fmt::arg("max_fm", tex_fixed(*std::max_element(sw_fm.begin(), sw_fm.end()), 3)),
        fmt::arg("max_nf", tex_fixed(*std::max_element(sw_nf.begin(), sw_nf.end()), 3)),
        fmt::arg("panels", panels));
}

}  // namespace flow::chapters
