// fm-q4-time-quantization: Flow matching, Q4 "Time quantization".
//
// "Sample 1000 points from the models using dt = 0.002, 0.02, 0.05, 0.1, 0.2. Plot the
//  results in separate figures. How does this quantization of the flow affect the
//  resulting distribution?"
//
// The same 1000 prior points are integrated with each step (with --solver, Euler by
// default); each result is measured by its share in a ring band, its distance to
// held-out data, how far each point lands from where the finest step puts it, and its
// total variance. For the coarse steps the last step is set beside the posterior mean
// E[x1 | y_t] it should land on.
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "fm_q4.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using namespace fm_q4;

// What the text concludes from the steps, as verdicts.
struct Verdicts {
    bool contracts, proportional, close, grows;
    std::string trend;
};
Verdicts judge(Context& ctx, const Steps& st, const std::vector<double>& dts, bool monotone) {
    const auto& band = st.band;
    const auto& drift = st.drift;
    const auto& var = st.var;
    const bool contracts = ctx.verdict("samples_contract",
                                       "the samples' total variance at the coarsest step is below the finest step's "
                                       "by more than 0.02",
                                       {{"finest", var.front()}, {"coarsest", var.back()}},
                                       var.back() < var.front() - 0.02);
    const std::string trend = ctx.verdict(
        "band_trend",
        "the share of samples in a band at the coarsest step against the finest, and whether it falls at every step",
        {{"shares", band}}, band.back() >= band.front() ? "no loss" : monotone ? "falls at every step" : "falls");
    const double step_ratio = dts[4] / dts[1];
    const bool proportional = ctx.verdict(
        "drift_proportional", "the drift's ratio between the two steps is within 2 of the steps' ratio",
        {{"drift_ratio", drift[4] / drift[1]}, {"step_ratio", step_ratio}},
        std::fabs(drift[4] / drift[1] - step_ratio) < 2.0);
    const bool close = ctx.verdict("middle_step_close",
                                   "the share in a band at the middle step is within one percentage point of the "
                                   "finest step's",
                                   {{"middle", band[2]}, {"finest", band[0]}}, std::fabs(band[2] - band[0]) < 0.01);
    const bool grows = ctx.verdict("drift_grows",
                                   "the mean distance from the fine end points is larger at the coarsest step than at "
                                   "the finest",
                                   {{"finest", drift.front()}, {"coarsest", drift.back()}}, drift.back() > drift.front());
    return {contracts, proportional, close, grows, trend};
}

std::string steps_table(const std::string& rows) {
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rrcccc}}
    $\Delta t$ & steps & in a band & distance to data & to the fine end point & total variance\\\hline
{rows}  \end{{tabular}}
  \caption{{Flow matching: sample quality against the integration step.}}
  \label{{tab:fm-q4-time-quantization}}
\end{{table}}
)",
        fmt::arg("rows", rows));
}

// Whether the samples contract, in a sentence (with the rings that lose most when they do).
std::string contract_sentence(bool contracts, const std::vector<double>& var, const std::vector<double>& dts,
                              const std::string& rings_txt) {
    using report::tex_fixed;
    return contracts ? fmt::format("The main visible effect is that the samples contract toward the "
                                         "middle: the total variance falls from {} to {}. {}",
                                         tex_fixed(var.front(), 2), tex_fixed(var.back(), 2), rings_txt)
                           : fmt::format("The samples do not contract: their total variance is {} at "
                                         "$\\Delta t = {:g}$ and {} at $\\Delta t = {:g}$.",
                                         tex_fixed(var.front(), 2), dts.front(), tex_fixed(var.back(), 2),
                                         dts.back());
}

void write_answer(Context& ctx, const Steps& st, const std::vector<double>& dts, const Verdicts& v,
                  const nn::Mat<float>& data, std::size_t n, fm::Solver solver, double var_data,
                  const std::string& rings_txt) {
    using report::tex_fixed;
    const auto& band = st.band;
    const auto& drift = st.drift;
    const auto& var = st.var;
    const auto& ls = st.last_step.at("dt" + std::to_string(dts.size() - 1));
    const fm::Integration base{dts.front(), solver};
    ctx.text = ctx.section() + fmt::format(
        R"(Figure~\ref{{fig:fm-q4-time-quantization}} integrates the same {n} prior points with {k}
step sizes ({solver} steps). Table~\ref{{tab:fm-q4-time-quantization}} gives, for each, the
share of points inside a ring band, the sliced 2-Wasserstein distance to {nd} held-out
points, the mean distance of each point from where a fine integration puts it
(fourth-order Runge--Kutta with $\Delta t = {dt0:g}$), and the cloud's total variance
(the data's is {vdata}).

{table}
Coarser steps {trend}: the share in a band goes from {b0} at $\Delta t = {dt0:g}$ to {b4} at
$\Delta t = {dt4:g}$, and the points land on average {d4} standardised units from their
fine-step end points at $\Delta t = {dt4:g}$ against {d0} at $\Delta t = {dt0:g}$, an error that
{grows} {prop} with $\Delta t$ ({ratio} times from $\Delta t = {dt1:g}$ to ${dt4:g}$). {contract}
{reason} From $y$ at time $t$, a step to $t = 1$ lands on
$y + (1-t)\,v(y, t)$, and for the field Eq.~13 defines, $v(y, t) = \mathrm{{E}}[x_1 - x_0 \mid y_t = y]$,
that is exactly $\mathrm{{E}}[x_1 \mid y_t = y]$: an average of the ring points that could
have produced $y$, which lies between them rather than on a ring. Measured at
$\Delta t = {dt4:g}$: the last step from $t = {tl}$ moves the points by {step} on average and
lands {post} from the posterior means $\mathrm{{E}}[x_1 \mid y]$ computed from {nd} held-out
points, whose own total variance is {vpost} (the samples' is {vlast}). {close}The flow is learnt in continuous
time; its quantization is a numerical error of the sampler, not a property of the model,
and it vanishes as $\Delta t \to 0$.

)",
        fmt::arg("solver", fm::solver_name(base.solver)),
        fmt::arg("reason", v.trend == "no loss" ? "What the last step does is still measurable." : "The reason is the last step."), fmt::arg("n", n), fmt::arg("nd", data.shape(0)),
        fmt::arg("k", report::count_words(dts.size())), fmt::arg("dt0", dts.front()), fmt::arg("dt1", dts[1]),
        fmt::arg("dt4", dts.back()),
        fmt::arg("vdata", tex_fixed(var_data, 2)), fmt::arg("table", steps_table(st.rows)),
        fmt::arg("trend", v.trend == "no loss"               ? "do not lower the share in a band"
                          : v.trend == "falls at every step" ? "degrade the samples step by step"
                                                           : "degrade the samples, though not strictly at every step"),
        fmt::arg("b0", report::tex_percent(band.front())), fmt::arg("b4", report::tex_percent(band.back())),
        fmt::arg("d0", tex_fixed(drift.front(), 3)), fmt::arg("d4", tex_fixed(drift.back(), 3)),
        fmt::arg("grows", v.grows ? "grows" : "does not grow"),
        fmt::arg("prop", v.proportional ? "about in proportion" : "but not in proportion"),
        fmt::arg("ratio", tex_fixed(drift[4] / drift[1], 1)),
        fmt::arg("contract", contract_sentence(v.contracts, var, dts, rings_txt)),
        fmt::arg("tl", tex_fixed(ls["t"].get<double>(), 1)),
        fmt::arg("step", tex_fixed(ls["step_length"].get<double>(), 3)),
        fmt::arg("post", tex_fixed(ls["distance_to_posterior_mean"].get<double>(), 3)),
        fmt::arg("vpost", tex_fixed(ls["posterior_total_variance"].get<double>(), 2)),
        fmt::arg("vlast", tex_fixed(var.back(), 2)),
        fmt::arg("close", v.close
                              ? fmt::format("With {} steps the share in a band, {}, is within one point "
                                            "of the finest step's. ", fm::step_count(0, 1, dts[2]),
                                            report::tex_percent(band[2]))
                              : std::string())) +
        ctx.figure_float(report::panel_grid(st.panels, 3), fmt::format("Flow matching: {} samples with {} integration steps.", n, report::count_words(dts.size())));
}

}  // namespace

void fm_q4_time_quantization(Context& ctx) {
    using report::tex_fixed;
    fm::Model& m = fm_model(ctx);
    const fm::Integration base = fm::integration(ctx.flags());
    const std::size_t n = 1000;  // prior points, integrated with every step
    const nn::Mat<float> z = prior_sample(ctx, n, "samples");
    const auto data = held_out(ctx, m.scale);
    const std::vector<double> dts = {0.002, 0.02, 0.05, 0.1, 0.2};

    // The reference: the finest of the chapter's steps, with RK4 (the flow's exact end
    // points to well below the differences measured here).
    const nn::Mat<float> ref = fm::forward_flow(m.field, z, {dts.front(), fm::Solver::RK4});
    const double var_ref = total_variance(ref), var_data = total_variance(data);

    Steps st;
    for (std::size_t i = 0; i < dts.size(); ++i) one_step(ctx, m, z, data, ref, dts[i], base.solver, i, st);
    const auto& band = st.band;
    bool monotone = true;
    for (std::size_t i = 1; i < band.size(); ++i) monotone = monotone && band[i] <= band[i - 1];
    ctx.stats["summary"] = {{"solver", fm::solver_name(base.solver)}, {"band_monotone", monotone},
                            {"reference_total_variance", var_ref}, {"data_total_variance", var_data}};
    ctx.stats["last_step"] = st.last_step;
    const Verdicts v = judge(ctx, st, dts, monotone);
    const std::string rings_txt = rings_sentence(ctx, ctx.stats["figures"]["dt0"]["share_per_ring"],
                                                 ctx.stats["figures"][fmt::format("dt{}", dts.size() - 1)]["share_per_ring"],
                                                 m.scale);

    write_answer(ctx, st, dts, v, data, n, base.solver, var_data, rings_txt);
}

FLOWREPORT_CHAPTER("rings", "fm-q4-time-quantization", fm_flags, fm_q4_time_quantization)

}  // namespace flow::chapters
