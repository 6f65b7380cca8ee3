// task1-comparison: Task 1, "the differences between Real NVP and planar flows, and how
// the results show them".
//
// Table 1 holds every measurement of every fit (the continuous flows' rows are Task 2's).
// The comparison is made point by point on the same held-out points: a difference of
// mean NLL is called a difference only when it exceeds two standard errors of the paired
// per-point differences.
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;

std::string table(const std::vector<std::vector<Scored>>& all) {
    std::string rows;
    for (std::size_t d = 0; d < data_sets().size(); ++d) {
        for (std::size_t k = 0; k < methods().size(); ++k) {
            const Scored& s = all[k][d];
            rows += fmt::format("{} & {} & {} & {} & {} & {} & {} ({}) & {} & {} & {} & {} \\\\\n",
                                k == 0 ? data_title(data_sets()[d]) : "", method_title(methods()[k]),
                                tex_fixed(s.m.nll, 3), tex_fixed(s.m.train_nll, 3), tex_fixed(s.tail_nll, 2),
                                tex_fixed(s.m.mass, 3), tex_fixed(s.m.sliced_w2, 3), tex_fixed(s.m.data_w2, 3),
                                report::tex_count((long long)s.fit.parameters), tex_fixed(s.fit.train_seconds, 1),
                                s.fit.sample_passes, report::tex_num(s.m.round_trip, 1));
        }
        if (d + 1 < data_sets().size()) rows += "\\addlinespace\n";
    }
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small\setlength{{\tabcolsep}}{{4pt}}
  \begin{{tabular}}{{llrrrrrrrrr}}
    \toprule
    data & method & \multicolumn{{3}}{{c}}{{NLL (nats)}} & mass & sliced $W_2$ & para- & train & passes & round \\
    \cmidrule(lr){{3-5}}
    & & held-out & train & tail & & (data) & meters & (s) & /sample & trip \\
    \midrule
{}    \bottomrule
  \end{{tabular}}
  \caption{{Every method on every data set. NLL: mean negative log-likelihood on the 100 held-out points, the 400
  training points, and the held-out points farthest from the mean ({}); mass: the density summed over the data's
  box; sliced $W_2$: the 1000 samples against the held-out points (in brackets: the training points against them);
  passes: network or layer evaluations per sample; round trip: the largest $\lvert g(f(x)) - x\rvert$.}}
  \label{{tab:results}}
\end{{table}}
)",
        rows, report::tex_percent(kTail, 0));
}

// "On the two moons the planar flow is better by 0.12 ± 0.03 nats" (or the two agree).
std::string held_out_verdict(Context& ctx, const Scored& a, const Scored& b) {
    const Difference d = paired_difference(b.m.held_log_p, a.m.held_log_p);  // NLL(a) - NLL(b)
    const std::string who = data_title(a.fit.data);
    const std::string outcome = ctx.verdict(
        "held_out/" + a.fit.data,
        "mean held-out NLL difference, " + method_of(a.fit) + " minus " + method_of(b.fit) +
            ", paired over the held-out points, beyond two standard errors",
        {{"mean", d.mean}, {"se", d.se}},
        !d.clear() ? "within noise" : (d.mean < 0 ? method_of(a.fit) : method_of(b.fit)) + " better");
    if (outcome == "within noise")
        return fmt::format("on the {} the two are within two standard errors of each other ({} minus {}: {} $\\pm$ {} "
                           "nats)",
                           who, method_title(method_of(a.fit)), method_title(method_of(b.fit)), tex_fixed(d.mean, 3),
                           tex_fixed(d.se, 3));
    const bool a_better = d.mean < 0;
    return fmt::format("on the {} {} is better by {} $\\pm$ {} nats", who,
                       method_title(a_better ? method_of(a.fit) : method_of(b.fit)), tex_fixed(std::fabs(d.mean), 3),
                       tex_fixed(d.se, 3));
}

// Whether every density of Task 1 integrates to 1 within the tolerance, in words.
std::string mass_sentence(Context& ctx, const std::vector<std::vector<Scored>>& all) {
    double worst = 0;
    for (std::size_t k = 0; k < 2; ++k)
        for (const auto& s : all[k]) worst = std::max(worst, std::fabs(s.m.mass - 1.0));
    if (ctx.verdict("masses_integrate_to_1",
                    "every density of the two flows integrates to 1 over the data's box within the tolerance",
                    {{"worst_error", worst}, {"tolerance", kMassTolerance}}, worst <= kMassTolerance))
        return fmt::format("Every density of both flows integrates to 1 within {} over the data's box, so neither "
                           "log-determinant is wrong.", report::tex_num(std::max(worst, 1e-6), 1));
    return fmt::format("Not every density integrates to 1 over the data's box: one misses by {}, more than the {} "
                       "we accept.", tex_fixed(worst, 3), tex_fixed(kMassTolerance, 2));
}

// Which flow keeps more density on the boomerang's far points, if the points say so.
std::string tail_verdict(Context& ctx, const Scored& a, const Scored& b) {
    std::vector<double> pa, pb;
    for (std::size_t i : a.tail) {
        pa.push_back(a.m.held_log_p[i]);
        pb.push_back(b.m.held_log_p[i]);
    }
    const Difference d = paired_difference(pa, pb);
    const std::string outcome = ctx.verdict(
        "tail", "mean log-likelihood difference on the farthest held-out points, paired, beyond two standard errors",
        {{"mean", d.mean}, {"se", d.se}},
        !d.clear() ? "within noise" : (d.mean > 0 ? method_of(a.fit) : method_of(b.fit)) + " keeps more");
    if (outcome == "within noise")
        return fmt::format("on so few points the difference, {} $\\pm$ {} nats, is within two standard errors",
                           tex_fixed(d.mean, 2), tex_fixed(d.se, 2));
    return fmt::format("{} keeps more density far out, by {} $\\pm$ {} nats",
                       method_title(d.mean > 0 ? method_of(a.fit) : method_of(b.fit)),
                       tex_fixed(std::fabs(d.mean), 2), tex_fixed(d.se, 2));
}

// The largest ratio of a method's sample distance to the data's own.
double worst_ratio(const std::vector<Scored>& fits) {
    double r = 0;
    for (const auto& s : fits) r = std::max(r, s.m.sliced_w2 / s.m.data_w2);
    return r;
}

void task1_comparison(Context& ctx) {
    const auto all = score_all(ctx);
    const auto& planar = all[0];
    const auto& nvp = all[1];
    std::string verdicts;
    double gap_p = 0, gap_r = 0;
    for (std::size_t d = 0; d < planar.size(); ++d) {
        verdicts += (d == 0 ? "" : (d + 1 == planar.size() ? "; and " : "; ")) + held_out_verdict(ctx, planar[d], nvp[d]);
        gap_p += (planar[d].m.nll - planar[d].m.train_nll) / double(planar.size());
        gap_r += (nvp[d].m.nll - nvp[d].m.train_nll) / double(planar.size());
        ctx.stats["held_out_difference"][data_sets()[d]] =
            paired_difference(nvp[d].m.held_log_p, planar[d].m.held_log_p).mean;
    }
    const std::size_t pp = planar[0].fit.parameters, rp = nvp[0].fit.parameters;
    const std::string overfit = ctx.verdict(
        "realnvp_overfits",
        "mean gap between held-out and training NLL, Real NVP against the planar flow, differing by more than 0.05 nats",
        {{"realnvp_gap", gap_r}, {"planar_gap", gap_p}},
        gap_r - gap_p > 0.05 ? "more" : gap_p - gap_r > 0.05 ? "less" : "about as much");
    const Scored& pb = planar[2];
    const Scored& rb = nvp[2];
    ctx.text = ctx.section() + table(all) + fmt::format(
        R"(The two flows differ in what one layer can do. A planar layer changes a point only along one direction
$\hat u$, by an amount set by its position across one line $w^\top x + b = 0$: a single ridge, so a flow needs many
layers to bend the plane into two moons, and its inverse has no closed form (Section~\ref{{sec:task1-planar}} solves
it numerically). A Real NVP
coupling moves a whole coordinate by a scale and a shift that are arbitrary functions (networks) of the other, with
a triangular Jacobian and a closed-form inverse in both directions. Table~\ref{{tab:results}} shows how that plays
out on 400 training points. Compared point by point on the same held-out points, {verdicts}. Real NVP's richer
layers {cost} parameters, {rp} against the planar flow's {pp}, {fit_word}: the held-out NLL exceeds the training NLL
by {gap_r} nats on average for Real NVP and by {gap_p} for the planar flow. On the boomerang's heavy tail (the
{tail} of held-out points farthest from the mean) the planar flow scores {pt} nats and Real NVP {rt}: {tail_word}.
{mass} The samples' sliced Wasserstein distance to the held-out points is
at most {worst_sw} times the training points' own for the planar flows and {worst_sw_r} times for Real NVP.

)",
        fmt::arg("verdicts", verdicts),
        fmt::arg("cost", ctx.verdict("realnvp_more_parameters", "Real NVP has more parameters than the planar flow",
                                     {{"realnvp", rp}, {"planar", pp}}, rp > pp)
                             ? "cost"
                             : "do not cost more"), fmt::arg("rp", report::tex_count((long long)rp)),
        fmt::arg("pp", report::tex_count((long long)pp)),
        fmt::arg("fit_word", overfit == "more" ? "and they overfit more"
                             : overfit == "less" ? "yet they overfit less"
                                                 : "and they overfit about as much"),
        fmt::arg("mass", mass_sentence(ctx, all)), fmt::arg("worst_sw", tex_fixed(worst_ratio(planar), 2)),
        fmt::arg("worst_sw_r", tex_fixed(worst_ratio(nvp), 2)),
        fmt::arg("gap_r", tex_fixed(gap_r, 3)), fmt::arg("gap_p", tex_fixed(gap_p, 3)),
        fmt::arg("tail", report::tex_percent(kTail, 0)), fmt::arg("pt", tex_fixed(pb.tail_nll, 2)),
        fmt::arg("rt", tex_fixed(rb.tail_nll, 2)),
        fmt::arg("tail_word", tail_verdict(ctx, pb, rb)));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-comparison", nullptr, task1_comparison)

}  // namespace flow::chapters::dt8122
