// p1-richness: Problem 1, question 3.
//
// "What does the modification do to the richness of what the flow can synthesise?"
//
// Answered in principle (the plain coupling is the case A = I, so the family only
// grows, by a linear map of the kept half) and by experiment: flows of 1, 2 and 4
// couplings with and without A on an 8-dimensional set whose kept half is an AR(1)
// chain (data/correlated.hpp), whose density is known, scored by their held-out excess
// over the truth. The plain flows get one more hidden unit per network, so that they have
// at least as many parameters.
#include "common.hpp"
#include "nf/triangular_train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

struct Scored {
    nf::TriModel model;
    std::size_t parameters = 0;
    std::vector<double> log_p;
    double nll = 0;
    Difference excess;
};

// Every fit of the manifest's tri-<kept>-<couplings> models on the held-out points, and
// the truth's log-density there (recorded).
struct Scores {
    std::vector<Scored> rows;
    std::vector<double> truth;
    double truth_nll = 0;
};
Scores score_fits(Context& ctx, const std::vector<std::size_t>& depths_fitted) {
    Scores r;
    auto& rows = r.rows;
    auto& truth = r.truth;
    auto& truth_nll = r.truth_nll;
    for (std::size_t k : depths_fitted)
        for (const char* kept : {"lower", "identity"}) {
            const std::string name = fmt::format("tri-{}-{}", kept, k);
            Scored s{ctx.load_as<nf::TriModel>(name), 0, {}, 0, {}};
            s.parameters = s.model.flow.parameter_count();
            const Mat<double> held = nf::tri_points(s.model.config, true);
            if (truth.empty()) {
                for (std::size_t i = 0; i < held.shape(0); ++i) truth.push_back(s.model.config.set.log_density(held, i));
                for (double v : truth) truth_nll -= v / double(truth.size());
            }
            s.log_p = s.model.flow.log_prob(xt::cast<float>(held));
            for (double v : s.log_p) s.nll -= v / double(s.log_p.size());
            s.excess = nll_difference(s.log_p, truth);
            ctx.stats["fits"][name] = {{"held_out_nll", s.nll}, {"excess", s.excess.mean}, {"excess_se", s.excess.se},
                                       {"parameters", s.parameters}, {"train_seconds", s.model.train_seconds}};
            rows.push_back(std::move(s));
        }
    ctx.stats["truth_nll"] = truth_nll;
    return r;
}

// Plain against with A, depth by depth: the paired differences (recorded) and the
// table's rows.
struct Gaps {
    std::string table_rows, gaps;
    std::size_t clear = 0;
    std::vector<Difference> by_depth;  // plain minus with A, shallowest first
};
Gaps plain_against_a(Context& ctx, const std::vector<Scored>& rows) {
    Gaps g;
    auto& table_rows = g.table_rows;
    auto& gaps = g.gaps;
    auto& clear = g.clear;
    for (std::size_t i = 0; i < rows.size(); i += 2) {
        const Scored& a = rows[i];
        const Scored& p = rows[i + 1];
        const Difference d = nll_difference(p.log_p, a.log_p);  // plain - with A
        g.by_depth.push_back(d);
        clear += d.clear() && d.mean > 0;
        ctx.stats["plain_minus_a"][std::to_string(a.model.config.couplings)] = {{"mean", d.mean}, {"se", d.se}};
        gaps += fmt::format("{}{}: ${}$", gaps.empty() ? "" : ", ", a.model.config.couplings, pm(d));
        for (const Scored* s : {&a, &p})
            table_rows += fmt::format("    {} & {} & {} & {} & {} & ${}$ & {} \\\\\n", s->model.config.couplings,
                                      s->model.config.with_a ? "lower triangular" : "$I$ (Real NVP)",
                                      s->model.config.hidden, report::tex_count((long long)s->parameters),
                                      tex_fixed(s->nll, 3), pm(s->excess), tex_fixed(s->model.train_seconds, 1));
    }
    return g;
}

// The learned A of the one-layer flow against the whitening of the chain: the largest
// difference per entry, and the largest entry of the whitening.
std::pair<double, double> a_deviation(const Scored& one, const nf::TriConfig& cfg) {
    const auto& layer = one.model.flow.layer.front();
    const double c = std::sqrt(1 - cfg.set.rho * cfg.set.rho);
    double dev = 0, size = 0;
    for (std::size_t i = 0; i < layer.half(); ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            const double want = i == j ? (i == 0 ? 1.0 : 1.0 / c) : (j + 1 == i ? -cfg.set.rho / c : 0.0);
            const double got = i == j ? std::exp(double(layer.log_diag[i])) : double(layer.low(i, j));
            dev = std::max(dev, std::fabs(got - want));
            size = std::max(size, std::fabs(want));
        }
    return {dev, size};
}

std::string fits_table(Context& ctx, const nf::TriConfig& cfg, std::size_t n, const std::string& rows) {
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rlrrrrr}}
    \toprule
    couplings & kept half's map & hidden & parameters & NLL & excess over truth & train (s) \\
    \midrule
{rows}    \bottomrule
  \end{{tabular}}
  \caption{{Flows with and without the triangular map on the {D}-dimensional correlated set: {pts} training and {n}
  held-out points, {ep} epochs, batches of {b}, Adam at {lr:g} (cosine), one hidden layer per network. Excess: held-out
  NLL minus the true density's, with its standard error.}}
  \label{{tab:{id}}}
\end{{table}}
)",
        fmt::arg("rows", rows), fmt::arg("D", cfg.set.dim), fmt::arg("pts", cfg.points), fmt::arg("n", n),
        fmt::arg("ep", cfg.epochs), fmt::arg("b", cfg.batch), fmt::arg("lr", cfg.lr), fmt::arg("id", ctx.chapter().id));
}

// Whether every plain flow has at least as many parameters as the flow with A it is set
// beside (a verdict).
bool plain_not_smaller(Context& ctx, const std::vector<Scored>& rows) {
    bool ok = true;
    nlohmann::json compared = nlohmann::json::array();
    for (std::size_t i = 0; i + 1 < rows.size(); i += 2) {
        compared.push_back({rows[i].parameters, rows[i + 1].parameters});
        ok = ok && rows[i + 1].parameters >= rows[i].parameters;
    }
    return ctx.verdict("plain_not_smaller", "every plain flow has at least as many parameters as the flow with A "
                                            "of the same depth (pairs: with A, plain)",
                       compared, ok);
}

void p1_richness(Context& ctx) {
    const std::vector<std::size_t> depths_fitted{1, 2, 4};  // the manifest's tri-<kept>-<couplings> models
    std::string depths;
    for (std::size_t i = 0; i < depths_fitted.size(); ++i)
        depths += (i == 0 ? "" : i + 1 == depths_fitted.size() ? " and " : ", ") + std::to_string(depths_fitted[i]);
    const Scores sc = score_fits(ctx, depths_fitted);
    const auto& rows = sc.rows;
    const auto& truth = sc.truth;
    const double truth_nll = sc.truth_nll;
    const auto& cfg = rows.front().model.config;
    const double floor = cfg.set.kept_half_excess();
    const Gaps g = plain_against_a(ctx, rows);
    const auto [dev, size] = a_deviation(rows.front(), cfg);
    ctx.stats["a_deviation"] = dev;
    ctx.stats["plain_minus_a_clear"] = g.clear;
    const Scored& a1 = rows[0];
    const Scored& p1 = rows[1];
    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{In principle.}} The plain coupling is the case $A = I$, so the modified flows contain every plain flow
and more: each layer now also mixes the kept half linearly, so that every coordinate is transformed by every layer,
not half of them. A plain coupling copies its kept half, so it can remove a correlation within that half only
later, through the other half's coordinates in $s$ and $t$; $A$ removes it within the layer. What $A$ adds is linear: it
correlates (or decorrelates) the kept coordinates and scales them by one constant factor $\lvert\det A\rvert$
everywhere; the data-dependent, nonlinear shaping still comes only from $s$ and $t$. It does not make a model
richer by a ``larger determinant'': the determinant is what the density must pay for volume, not a measure of
expressiveness.

\emph{{Measured.}} On a set in $D = {D}$ dimensions whose kept half is a Gaussian AR(1) chain with correlation
$\rho = {rho}$ and whose other half depends nonlinearly on it (its density is known; the true NLL of the {n}
held-out points is {tn} nats), one coupling with $A$ reaches an excess of ${a1}$ nats over the truth, and one plain
coupling ${p1}$: a plain coupling leaves its kept half as it is, $N(0, \Sigma)$, and scored under $N(0, I)$ that
half alone costs $-\tfrac12\log\det\Sigma = {floor}$ nats. The learned $A$ differs from the chain's whitening matrix (entries up to
{size}) by at most {dev} per entry: the networks absorb part of the decorrelation. With more layers, the plain flow reaches the kept half through the other half and the gap {closes}
{gaps} nats (plain minus with $A$, for {depths} couplings; clear in {clear} of {pairs}). Table~\ref{{tab:{id}}} has
every fit; the plain flows have {params} parameters.

{table})",
        fmt::arg("D", cfg.set.dim), fmt::arg("rho", cfg.set.rho), fmt::arg("n", truth.size()),
        fmt::arg("tn", tex_fixed(truth_nll, 3)), fmt::arg("a1", pm(a1.excess)), fmt::arg("p1", pm(p1.excess)),
        fmt::arg("floor", tex_fixed(floor, 3)), fmt::arg("dev", tex_fixed(dev, 3)), fmt::arg("size", tex_fixed(size, 2)), fmt::arg("gaps", g.gaps),
        fmt::arg("clear", g.clear), fmt::arg("params", plain_not_smaller(ctx, rows) ? "at least as many" : "fewer"),
        fmt::arg("closes", ctx.verdict("gap_closes_with_depth",
                                       "the deepest pair's difference (plain minus with A) is below the one-coupling "
                                       "pair's by more than two standard errors of the two",
                                       {{"first", g.by_depth.front().mean}, {"last", g.by_depth.back().mean}},
                                       g.by_depth.front().mean - g.by_depth.back().mean >
                                           2 * std::hypot(g.by_depth.front().se, g.by_depth.back().se))
                               ? "closes to"
                               : "is"), fmt::arg("pairs", rows.size() / 2), fmt::arg("depths", depths),
        fmt::arg("id", ctx.chapter().id), fmt::arg("table", fits_table(ctx, cfg, truth.size(), g.table_rows)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p1-richness", nullptr, p1_richness)

}  // namespace flow::chapters::ece792
