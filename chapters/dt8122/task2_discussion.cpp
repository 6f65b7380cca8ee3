// task2-discussion: Task 2, "a short discussion of the advantages and disadvantages of
// continuous flows against coupling flows".
//
// Every claim is taken from the measurements of Table 1 (recomputed here from the same
// models): quality point by point on the held-out points, cost in parameters, training
// time, field evaluations and wall time per sample, and exactness (the round trip).
#include "cnf/train.hpp"
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;

// Per data set: the continuous flow against the better coupling flow of the two.
std::string quality(Context& ctx, const std::vector<std::vector<Scored>>& all, int& wins, int& losses) {
    std::string out;
    for (std::size_t d = 0; d < data_sets().size(); ++d) {
        const Scored& c = all[2][d];
        const Scored& best = all[0][d].m.nll <= all[1][d].m.nll ? all[0][d] : all[1][d];
        const Difference diff = paired_difference(best.m.held_log_p, c.m.held_log_p);  // NLL(c) - NLL(best)
        const char* sep = d == 0 ? "" : (d + 1 == data_sets().size() ? "; and " : "; ");
        const std::string outcome = ctx.verdict(
            "continuous_against_best/" + data_sets()[d],
            "mean held-out NLL difference, continuous flow minus the coupling flow with the lower NLL, paired over the "
            "held-out points, beyond two standard errors",
            {{"mean", diff.mean}, {"se", diff.se}, {"against", method_of(best.fit)}},
            !diff.clear() ? "within noise" : diff.mean < 0 ? "better" : "worse");
        if (outcome == "within noise") {
            out += fmt::format("{}on the {} it is within two standard errors of the better coupling flow, the {} "
                               "(continuous flow minus {}: {} $\\pm$ {} nats)",
                               sep, data_title(data_sets()[d]), method_title(method_of(best.fit)),
                               method_title(method_of(best.fit)), tex_fixed(diff.mean, 3),
                               tex_fixed(diff.se, 3));
            continue;
        }
        (diff.mean < 0 ? wins : losses) += 1;
        out += fmt::format("{}on the {} it is {} than the {} by {} $\\pm$ {} nats", sep, data_title(data_sets()[d]),
                           outcome, method_title(method_of(best.fit)),
                           tex_fixed(std::fabs(diff.mean), 3), tex_fixed(diff.se, 3));
    }
    return out;
}

double mean_of(const std::vector<Scored>& v, double (*get)(const Scored&)) {
    double s = 0;
    for (const auto& x : v) s += get(x) / double(v.size());
    return s;
}

double max_of(const std::vector<Scored>& v, double (*get)(const Scored&)) {
    double s = 0;
    for (const auto& x : v) s = std::max(s, get(x));
    return s;
}

std::string tally(int wins, int losses) {
    const int ties = int(data_sets().size()) - wins - losses;
    return fmt::format("Counted over the {} data sets, the continuous flow is clearly better on {}, clearly "
                       "worse on {}, and indistinguishable on {}.", report::count_words(data_sets().size()), wins, losses, ties);
}

void task2_discussion(Context& ctx) {
    const auto all = score_all(ctx);
    int wins = 0, losses = 0;
    const std::string q = quality(ctx, all, wins, losses);
    const auto train = [](const Scored& s) { return s.fit.train_seconds; };
    const auto sample = [](const Scored& s) { return s.sample_seconds; };
    const auto trip = [](const Scored& s) { return s.m.round_trip; };
    const double t_c = mean_of(all[2], train), t_r = mean_of(all[1], train), t_p = mean_of(all[0], train);
    const double s_c = mean_of(all[2], sample), s_r = mean_of(all[1], sample);
    const Scored& c = all[2][0];
    const Scored& r = all[1][0];
    ctx.stats["cnf_better"] = wins;
    ctx.stats["cnf_worse"] = losses;
    ctx.text = ctx.section() + fmt::format(
        R"(Table~\ref{{tab:results}} holds the continuous flows' measurements beside the coupling flows'. In quality,
{q}. What the continuous flow buys with its field is freedom: $f$ is any smooth network, with no triangular or
rank-one structure imposed on the Jacobian, and its log-density needs only the field's trace. With {pc} parameters
(Real NVP: {pr}) its densities are smooth everywhere (Figure~\ref{{fig:task2-cnf}}), and its path from the prior to
the data is a motion in time that can be shown as it happens (Section~\ref{{sec:task2-gifs}}). {pays} Training took {tc} s per data set on average, {rc} times Real NVP's {tr} s and {pcr} times the planar flow's
{tp} s; a sample costs {nc} evaluations of the field against Real NVP's {nr} network passes, and drawing 1000 samples
took {sc} ms against {sr} ms. The gradient of the trace term needs the field's second derivatives. And the density
and the samples are exact only up to the solver: the two solves undo each other to within {trc} at {steps} RK4
steps, where a coupling flow's closed-form inverse returns points to within {trr}{rounding}. {tally}

)",
        fmt::arg("q", q),
        // Decided on the work per sample, which repeats exactly; the wall times follow in the text.
        fmt::arg("pays", ctx.verdict("solver_costs_passes",
                                     "a continuous flow's sample costs more evaluations of its field than a Real NVP "
                                     "sample costs network passes",
                                     {{"cnf", c.fit.sample_passes}, {"realnvp", r.fit.sample_passes}},
                                     c.fit.sample_passes > r.fit.sample_passes)
                             ? "What it pays is the solver."
                             : "Its cost is the solver's, though here not in passes per sample."),
        fmt::arg("pc", report::tex_count((long long)c.fit.parameters)),
        fmt::arg("pr", report::tex_count((long long)r.fit.parameters)), fmt::arg("tc", tex_fixed(t_c, 1)),
        fmt::arg("rc", tex_fixed(t_c / t_r, 0)), fmt::arg("tr", tex_fixed(t_r, 1)),
        fmt::arg("pcr", tex_fixed(t_c / t_p, 0)), fmt::arg("tp", tex_fixed(t_p, 1)),
        fmt::arg("nc", c.fit.sample_passes), fmt::arg("nr", r.fit.sample_passes),
        fmt::arg("sc", tex_fixed(1000 * s_c, 1)), fmt::arg("sr", tex_fixed(1000 * s_r, 1)),
        fmt::arg("trc", report::tex_num(max_of(all[2], trip), 2)),
        fmt::arg("steps", c.fit.as<cnf::Model>().config.steps),
        fmt::arg("trr", report::tex_num(max_of(all[1], trip), 2)),
        fmt::arg("rounding", ctx.verdict("coupling_round_trip_rounding", "Real NVP's largest round-trip error is "
                                                                         "below 1e-5",
                                         {{"largest", max_of(all[1], trip)}}, max_of(all[1], trip) < 1e-5)
                                 ? ", float rounding"
                                 : ""), fmt::arg("tally", tally(wins, losses)));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-discussion", nullptr, task2_discussion)

}  // namespace flow::chapters::dt8122
