// fm-q4-time-quantization: Flow matching, Q4 "Time quantization".
//
// "Sample 1000 points from the models using dt = 0.002, 0.02, 0.05, 0.1, 0.2. Plot the
//  results in separate figures. How does this quantization of the flow affect the
//  resulting distribution?"
//
// The same 1000 prior points are integrated with each step (with --solver, Euler by
// default); each result is measured by its share in a ring band, its distance to
// held-out data, how far each point lands from where a fine integration puts it, and its
// total variance. For the coarse steps the last step is set beside the posterior mean
// E[x1 | y_t] it lands on: y + (1 - t) v(y, t) = E[x1 | y_t = y] for the field of Eq. 13.
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "fm_q4.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using namespace fm_q4;
using report::tex_fixed;

std::string steps_table(const std::string& rows) {
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rccc}}
    $\Delta t$ & in a band & distance to fine end points & total variance\\\hline
{rows}  \end{{tabular}}
  \caption{{Flow matching with each step; fine end points: Runge--Kutta steps of 0.002.}}
  \label{{tab:fm-q4-time-quantization}}
\end{{table}}
)",
        fmt::arg("rows", rows));
}

// The effect on the share in a band: the finest steps that agree within sampling noise
// (their spread under two standard errors of a difference of two binomial shares of n
// points), and whether every coarser step loses points beyond it (verdicts).
std::string band_effect(Context& ctx, const Steps& st, const std::vector<double>& dts, std::size_t n, bool contracts) {
    const auto& band = st.band;
    const double p = band.front(), se = std::sqrt(p * (1 - p) / double(n)), noise = 2 * std::sqrt(2.0) * se;
    std::size_t same = 1;  // the finest steps whose shares lie within `noise` of each other
    double lo = band[0], hi = band[0];
    for (; same < band.size(); ++same) {
        const double l = std::min(lo, band[same]), h = std::max(hi, band[same]);
        if (h - l > noise) break;
        lo = l, hi = h;
    }
    bool coarser_lose = same < band.size();
    for (std::size_t i = same; i < band.size(); ++i) coarser_lose = coarser_lose && band[i] < lo - noise;
    const bool equal = ctx.verdict("finest_steps_equal", "the shares in a band of at least the three finest steps lie "
                                   "within two standard errors of a difference (binomial, the finest step's share)",
                                   {{"shares", band}, {"se", se}, {"equal_steps", same}}, same >= 3);
    const bool lose = ctx.verdict("coarser_steps_lose", "every coarser step's share is below the smallest of the equal "
                                  "ones by more than two standard errors of a difference",
                                  {{"shares", band}, {"smallest_equal", lo}, {"noise", noise}}, coarser_lose);
    if (!equal || !lose)
        return fmt::format("The share of samples in a band goes from {} at $\\Delta t = {:g}$ to {} at $\\Delta t = "
                           "{:g}$, not cleanly beyond sampling noise", report::tex_percent(band.front(), 0), dts.front(),
                           report::tex_percent(band.back(), 0), dts.back());
    std::string coarse;
    for (std::size_t i = same; i < dts.size(); ++i)
        coarse += fmt::format("{}${}{:g}$", i == same ? "" : i + 1 == dts.size() ? " and " : ", ",
                              i == same ? "\\Delta t = " : "", dts[i]);
    return fmt::format("Steps up to $\\Delta t = {:g}$ put the same share of samples in a band within sampling noise "
                       "(binomial standard error {} points); {} lose samples from the bands, down to {} at $\\Delta t = "
                       "{:g}${}", dts[same - 1], tex_fixed(100 * se, 1), coarse, report::tex_percent(band.back(), 0),
                       dts.back(), contracts ? ", and pull the samples toward the middle of the logo" : "");
}

// The answer: the effect (verdicts on the table), then the error's order and the last step.
std::string answer(Context& ctx, const Steps& st, const std::vector<double>& dts, std::size_t n) {
    const auto &drift = st.drift, &var = st.var;
    const std::size_t last = dts.size() - 1;
    const bool contracts = ctx.verdict("samples_contract",
                                       "the total variance at the coarsest step is below the finest step's by more "
                                       "than 0.02",
                                       {{"finest", var.front()}, {"coarsest", var.back()}}, var.back() < var.front() - 0.02);
    const double step_ratio = dts[last] / dts[1], drift_ratio = drift[last] / drift[1];
    const bool proportional = ctx.verdict("drift_proportional", "the drift's ratio between the two steps is within 2 "
                                                                "of the steps' ratio",
                                          {{"drift_ratio", drift_ratio}, {"step_ratio", step_ratio}},
                                          std::fabs(drift_ratio - step_ratio) < 2.0);
    return fmt::format(
        R"({effect} (Figure~\ref{{fig:fm-q4-time-quantization}}, Table~\ref{{tab:fm-q4-time-quantization}}).

{table}
Euler's error is of order $\Delta t$: the distance to the fine end points {prop}. The pull toward
the middle comes from the last step: from $y$ at time $t$ it lands on $y + (1-t)\,v(y, t)$, and
for the field of Eq.~13 ($v = \mathrm{{E}}[x_1 - x_0 \mid y_t = y]$) this equals
$\mathrm{{E}}[x_1 \mid y_t = y]$, the average of the ring points that could have produced $y$,
between rings.

)",
        fmt::arg("effect", band_effect(ctx, st, dts, n, contracts)), fmt::arg("table", steps_table(st.rows)),
        fmt::arg("prop", proportional ? fmt::format("grows in proportion to $\\Delta t$ ({} times from {:g} to "
                                                    "{:g})", tex_fixed(drift_ratio, 1), dts[1], dts[last])
                                      : fmt::format("grows {} times from $\\Delta t = {:g}$ to ${:g}$, not in "
                                                    "proportion", tex_fixed(drift_ratio, 1), dts[1], dts[last])));
}

}  // namespace

void fm_q4_time_quantization(Context& ctx) {
    fm::Model& m = fm_model(ctx);
    const fm::Integration base = fm::integration(ctx.flags());
    const std::size_t n = 1000;  // prior points, integrated with every step
    const nn::Mat<float> z = prior_sample(ctx, n, "samples");
    const auto data = held_out(ctx, m.scale);
    const std::vector<double> dts = {0.002, 0.02, 0.05, 0.1, 0.2};

    // The reference: the finest of the steps, with RK4 (the flow's exact end points to
    // well below the differences measured here).
    const nn::Mat<float> ref = fm::forward_flow(m.field, z, {dts.front(), fm::Solver::RK4});
    Steps st;
    for (std::size_t i = 0; i < dts.size(); ++i) one_step(ctx, m, z, data, ref, dts[i], base.solver, i, st);
    bool monotone = true;
    for (std::size_t i = 1; i < st.band.size(); ++i) monotone = monotone && st.band[i] <= st.band[i - 1];
    ctx.stats["summary"] = {{"solver", fm::solver_name(base.solver)}, {"band_monotone", monotone},
                            {"reference_total_variance", total_variance(ref)},
                            {"data_total_variance", total_variance(data)}};
    ctx.stats["last_step"] = st.last_step;
    report::Files files;
    ctx.figure("steps", cloud_panels_tikz(st.clouds, st.names, st.titles, 2.6, dts.size(), 2.9, files), files);
    ctx.text = ctx.section() + answer(ctx, st, dts, n) +
               ctx.figure_float_of("steps", fmt::format("Flow matching: the same {} prior points integrated with {} "
                                                        "step sizes.", n, report::count_words(dts.size())));
}

FLOWREPORT_CHAPTER("rings", "fm-q4-time-quantization", fm_flags, fm_q4_time_quantization)

}  // namespace flow::chapters
