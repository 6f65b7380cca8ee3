// fm-q2-progression: Flow matching, Q2 "Flow progression".
//
// "Sample 1000 points out of it, and plot them after each of t = 0, 0.2, 0.4, 0.6, 0.8,
//  1 in separate figures, showing how the distribution progresses. Compare this to Q3
//  of Sec. 3.3, in which aspects is the distribution flow different between the models?"
//
// The law of every panel is known: y_t ~ t x1 + (1 - t) x0, so each panel's measured
// covariance is set beside t^2 Cov(x1) + (1 - t)^2 I. The comparison with the normalizing
// flow rests on one measure for both models: the sliced Wasserstein distance of each
// intermediate cloud to held-out data, and the share inside a ring band, at the same
// fractions of the way (time for flow matching, layers for the flow).
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

void fm_q2_progression(Context& ctx) {
    using report::tex_fixed;
    nf::Model nfm = nf_comparison_model(ctx);
    fm::Model m = fm_model(ctx);
    const fm::Integration how = config::integration(ctx.flags());
    const std::size_t n = 1000;
    const nn::Mat<float> z = prior_sample(ctx, n, "samples");
    const std::size_t steps = fm::step_count(0, 1, how.dt);

    // The exercise's six times, and t = 0.9 and 0.95, where the rings, shrunk by t and
    // blurred by 1 - t, become visible again: the states at the steps nearest to them.
    const std::vector<double> want = {0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1};
    const std::size_t P = want.size();
    std::vector<nn::Mat<float>> at(P);
    std::vector<double> at_t(P);
    fm::forward_flow(m.field, z, how, nullptr, [&](std::size_t k, double t, const nn::Mat<float>& y) {
        for (std::size_t i = 0; i < P; ++i)
            if (k == std::size_t(std::llround(want[i] * double(steps)))) {
                at[i] = y;
                at_t[i] = t;
            }
    });
    Rng held_rng = ctx.rng("held-out");
    const auto held = data::unconditional_rings(5000, held_rng);
    const auto data_fm = data::in_frame(held, m.scale);
    const auto data_nf = data::in_frame(held, nfm.scale);
    const report::CloudStats data_cov = report::cloud_stats(data_fm);

    // The normalizing flow at the same fractions of its layers, from the same z.
    std::vector<nn::Mat<float>> path;
    nn::Mat<float> x_nf;
    nfm.flow.forward(z, x_nf, &path);
    nf::to_output_frame(path);
    const std::size_t L = nfm.flow.layers();

    // One window for every panel, wide enough for the prior's tail.
    std::vector<const nn::Mat<float>*> clouds;
    for (const auto& a : at) clouds.push_back(&a);
    const report::Window win = report::window_for(clouds, 2.6, 4.0);

    // Law of y_t = t x1 + (1 - t) x0 with x1 ~ data, x0 ~ N(0, I) independent:
    // Cov(y_t) = t^2 Cov(x1) + (1 - t)^2 I. Its standard error for n points is about
    // sqrt((S_aa S_bb + S_ab^2) / n) per entry (Gaussian fourth moments).
    std::string head, row_fm, row_nf, row_fm_band, row_nf_band, row_cov[3], row_law[3];
    std::vector<std::string> panels;
    std::vector<double> sw_fm(P), sw_nf(P), trace(P), band_fm(P);
    double worst_z = 0, worst_dev = 0, worst_t = 0;
    for (std::size_t i = 0; i < P; ++i) {
        const double t = at_t[i];
        const std::string name = fmt::format("t{:03d}", int(std::lround(100 * t)));
        std::string title = fmt::format("$t = {:g}$", std::round(100 * t) / 100);
        if (win.outside[i] > 0) title += fmt::format(" ({} outside)", win.outside[i]);
        ctx.figure(name, report::cloud_tikz("fr panel, width=4.1cm, " + win.axis_options() + ", title={" + title + "}",
                                            name + ".dat"),
                   {{name + ".dat", report::points_dat(at[i])}});
        auto j = cloud_json(at[i], m.scale, data_fm);
        j["t"] = t;
        j["outside_window"] = win.outside[i];
        const auto& c = j["cov"];  // the panel's covariance, as cloud_json measured it
        double pred[2][2];
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) pred[a][b] = t * t * data_cov.cov[a][b] + (a == b ? (1 - t) * (1 - t) : 0.0);
        j["cov_law"] = {{pred[0][0], pred[0][1]}, {pred[1][0], pred[1][1]}};
        const int entries[3][2] = {{0, 0}, {1, 1}, {0, 1}};
        for (int e = 0; e < 3; ++e) {
            const int a = entries[e][0], b = entries[e][1];
            const double se = std::sqrt((pred[a][a] * pred[b][b] + pred[a][b] * pred[a][b]) / double(n));
            const double dev = c[a][b].get<double>() - pred[a][b];
            worst_z = std::max(worst_z, std::fabs(dev) / se);
            if (std::fabs(dev) > worst_dev) {
                worst_dev = std::fabs(dev);
                worst_t = t;
            }
            row_cov[e] += " & " + tex_fixed(c[a][b].get<double>(), 2);
            row_law[e] += " & " + tex_fixed(pred[a][b], 2);
        }
        trace[i] = c[0][0].get<double>() + c[1][1].get<double>();
        band_fm[i] = j["share_in_band"].get<double>();
        ctx.stats["figures"][name] = j;
        const std::size_t layer = std::size_t(std::lround(t * double(L)));
        auto jn = cloud_json(path[layer], nfm.scale, data_nf);
        jn["layer"] = layer;
        ctx.stats["nf_layers"][name] = jn;
        sw_fm[i] = j["sliced_w2_to_data"].get<double>();
        sw_nf[i] = jn["sliced_w2_to_data"].get<double>();
        head += fmt::format(" & {:g}", std::round(100 * t) / 100);
        row_fm += " & " + tex_fixed(sw_fm[i], 2);
        row_nf += " & " + tex_fixed(sw_nf[i], 2);
        row_fm_band += " & " + report::tex_percent(j["share_in_band"].get<double>(), 0);
        row_nf_band += " & " + report::tex_percent(jn["share_in_band"].get<double>(), 0);
        panels.push_back(fmt::format("\\includegraphics{{{}}}", ctx.figure_pdf(name)));
    }
    // The contraction: the total variance's smallest value along the way, and where.
    const std::size_t dip = std::size_t(std::min_element(trace.begin(), trace.end()) - trace.begin());
    const std::size_t far_fm = std::size_t(std::max_element(sw_fm.begin(), sw_fm.end()) - sw_fm.begin());
    // How many of the moves between panels bring the cloud closer to the data.
    auto closer = [](const std::vector<double>& d) {
        int c = 0;
        for (std::size_t i = 1; i < d.size(); ++i) c += d[i] < d[i - 1];
        return c;
    };
    const int c_fm = closer(sw_fm), c_nf = closer(sw_nf);
    // The first panel with most of its points in a ring band.
    std::size_t rings_from = P;
    for (std::size_t i = P; i-- > 0;)
        if (band_fm[i] > 0.5)
            rings_from = i;
        else
            break;
    const double max_fm = *std::max_element(sw_fm.begin(), sw_fm.end());
    const double max_nf = *std::max_element(sw_nf.begin(), sw_nf.end());
    ctx.stats["comparison"] = {{"fm_steps_closer", c_fm}, {"nf_steps_closer", c_nf},
                               {"fm_sw_max", max_fm}, {"nf_sw_max", max_nf}};
    ctx.stats["law"] = {{"data_cov", data_cov.to_json()["cov"]}, {"max_abs_deviation", worst_dev},
                        {"max_standard_errors", worst_z}, {"min_trace", trace[dip]}, {"min_trace_t", at_t[dip]}};

    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:fm-q2-progression}}

Figure~\ref{{fig:fm-q2-progression}} pushes 1000 prior samples through the learned flow
({steps}) and shows them at the exercise's six times and at $t = 0.9$ and $0.95$. What the
panels should show is known exactly. If the field is the one Eq.~13 defines, $y_t$ has the
law of $t x_1 + (1-t) x_0$ with $x_1$ from the data and $x_0 \sim N(0, I)$ independent: the
data shrunk by the factor $t$ and blurred by a Gaussian of standard deviation $1-t$, with
density $p_t(y) = \int q(x)\, N(y; t x, (1-t)^2 I)\, dx$. It is not a mixture of prior and
data, which would show full-size rings from the start. Its covariance is
$t^2 \mathrm{{Cov}}(x_1) + (1-t)^2 I$, and Table~\ref{{tab:fm-q2-progression}} holds every
panel's measured covariance beside it: the largest difference is {dev} (at $t = {tdev}${prior}),
{z} standard errors of a covariance of 1000 points. The total variance falls from {tr0} to
{trmin} at $t = {tmin}$ and returns to {tr1}, as the law's $t^2 + (1-t)^2$ per coordinate
dips to $1/2$ at $t = 1/2$: the cloud first contracts. {rings}

\begin{{table}}[htbp]
  \centering\small\setlength{{\tabcolsep}}{{3.5pt}}
  \begin{{tabular}}{{l{cols}}}
    $t$ (NF: share of layers){head}\\\hline
    FM: $\mathrm{{Var}}\,y_1$, measured{cov0}\\
    \quad the law{law0}\\
    FM: $\mathrm{{Var}}\,y_2$, measured{cov1}\\
    \quad the law{law1}\\
    FM: $\mathrm{{Cov}}(y_1, y_2)$, measured{cov2}\\
    \quad the law{law2}\\
    FM: distance to data{row_fm}\\
    NF: distance to data{row_nf}\\
    FM: in a band{row_fm_band}\\
    NF: in a band{row_nf_band}\\
  \end{{tabular}}
  \caption{{Flow matching (FM) at time $t$ against the law of $t x_1 + (1-t) x_0$, and both
  models' distance to the data (sliced 2-Wasserstein to 5000 held-out points) with the
  normalizing flow (NF) after the same fraction of its {L} layers, from the same prior points.}}
  \label{{tab:fm-q2-progression}}
\end{{table}}

The two flows differ in how they get there. Flow matching's intermediate clouds are this
known blend: {fm_way}; {c_fm} of the {moves} moves between panels bring it closer.
The normalizing flow's intermediate layers answer to no target, since only its output is
trained: they pass through distributions that look like neither the prior nor the data
(Figure~\ref{{fig:nf-q3-layers}}), up to {max_nf} from the data, and {c_nf} of its {moves}
moves bring it closer.

\begin{{figure}}[htbp]
  \centering
{panels}  \caption{{Flow matching: 1000 samples at eight times.}}
  \label{{fig:fm-q2-progression}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("steps", integration_description(how)),
        fmt::arg("dev", tex_fixed(worst_dev, 3)), fmt::arg("z", tex_fixed(worst_z, 1)),
        fmt::arg("tdev", fmt::format("{:g}", std::round(100 * worst_t) / 100)),
        fmt::arg("prior", worst_t == 0.0 ? ", the prior sample itself" : ""),
        fmt::arg("rings", rings_from < P ? fmt::format("The rings emerge late: more than half of the points "
                                                       "lie in a ring band only from $t = {:g}$ on.",
                                                       std::round(100 * at_t[rings_from]) / 100)
                                         : std::string("Fewer than half of the points lie in a ring band even at $t = 1$.")),
        fmt::arg("tr0", tex_fixed(trace.front(), 2)), fmt::arg("trmin", tex_fixed(trace[dip], 2)),
        fmt::arg("tmin", fmt::format("{:g}", std::round(100 * at_t[dip]) / 100)),
        fmt::arg("tr1", tex_fixed(trace.back(), 2)),
        fmt::arg("cols", std::string(P, 'c')), fmt::arg("head", head),
        fmt::arg("cov0", row_cov[0]), fmt::arg("cov1", row_cov[1]), fmt::arg("cov2", row_cov[2]),
        fmt::arg("law0", row_law[0]), fmt::arg("law1", row_law[1]), fmt::arg("law2", row_law[2]),
        fmt::arg("L", L), fmt::arg("row_fm", row_fm), fmt::arg("row_nf", row_nf),
        fmt::arg("row_fm_band", row_fm_band), fmt::arg("row_nf_band", row_nf_band),
        fmt::arg("c_fm", c_fm), fmt::arg("c_nf", c_nf), fmt::arg("moves", P - 1),
        fmt::arg("max_nf", tex_fixed(max_nf, 2)),
        fmt::arg("fm_way", far_fm > 0 && far_fm + 1 < P
                               ? fmt::format("the cloud moves away from the data while it contracts (farthest, "
                                             "{}, at $t = {:g}$) and then closes in",
                                             tex_fixed(max_fm, 2), std::round(100 * at_t[far_fm]) / 100)
                               : fmt::format("the cloud is farthest from the data, {}, at $t = {:g}$",
                                             tex_fixed(max_fm, 2), std::round(100 * at_t[far_fm]) / 100)),
        fmt::arg("panels", report::panel_grid(panels, 4)));
}

FLOWREPORT_CHAPTER("rings", "fm-q2-progression", fm_flags, fm_q2_progression)

}  // namespace flow::chapters
