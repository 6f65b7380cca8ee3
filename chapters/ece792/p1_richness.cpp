// p1-richness: Problem 1, question 3.
//
// "What does the modification do to the richness of what the flow can synthesise?"
//
// In principle: z_a = A x_a with z_a ~ N(0, I) gives x_a ~ N(0, (A^T A)^-1), and every
// covariance has a triangular factor, so a triangular A loses nothing against a dense
// one for the kept half. Measured: flows of 1, 2 and 4 couplings with and without A on an
// 8-dimensional set whose kept half is an AR(1) chain (data/correlated.hpp), three seeds
// each, scored by their held-out excess over the known density. With one coupling the
// likelihood separates, so the maximum-likelihood A is the inverse Cholesky factor of the
// kept half's second moment over the training rows, whatever the networks do: the learned
// A is set against it.
#include "common.hpp"
#include "core/linalg.hpp"
#include "nf/triangular_train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

struct Family {
    std::string name;
    std::vector<const nf::TriModel*> fits;
    std::vector<double> excess, nll, kept;
    std::size_t parameters = 0;
};

// The family's fits on their held-out rows against the truth (recorded).
Family score(Context& ctx, const std::string& name, double& truth_nll) {
    Family f;
    f.name = name;
    for (const auto& fit : ctx.manifest().fits(name)) {
        const auto& m = ctx.load_as<nf::TriModel>(fit);
        f.fits.push_back(&m);
        f.parameters = ctx.load(fit).record().parameters;
        const Mat<double> held = nf::tri_points(m.config, nf::TriRows::Held);
        double truth = 0, nll = 0;
        const auto lp = m.flow.log_prob(xt::cast<float>(held));
        for (std::size_t i = 0; i < held.shape(0); ++i) {
            truth -= m.config.set.log_density(held, i) / double(held.shape(0));
            nll -= lp[i] / double(held.shape(0));
        }
        truth_nll = truth;
        f.nll.push_back(nll);
        f.excess.push_back(nll - truth);
        f.kept.push_back(double(train::kept_epoch(ctx.load(fit).record().val_loss, m.config.patience) *
                                steps_per_epoch(m.config.points, m.config.batch)));
        ctx.stats["fits"][fit] = {{"held_out_nll", nll}, {"excess", nll - truth}, {"kept_step", f.kept.back()}};
    }
    return f;
}

// The inverse Cholesky factor of the second moment of x_a (the first d columns) over rows.
Mat<double> whitening(const Mat<double>& x, std::size_t d) {
    Mat<double> S = xt::zeros<double>({d, d});
    for (std::size_t n = 0; n < x.shape(0); ++n)
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) S(i, j) += x(n, i) * x(n, j) / double(x.shape(0));
    return linalg::inverse_cholesky(S);
}

// The largest difference per entry of each one-coupling fit's A from its whitening
// factor, and the largest entry of those factors and the smallest diagonal entry of A.
struct AGap {
    double dev = 0, size = 0, min_diag = INFINITY;
};
AGap a_against_whitening(const Family& one) {
    AGap r;
    for (const auto* m : one.fits) {
        const auto& layer = m->flow.layer.front();
        const std::size_t d = layer.half();
        const Mat<double> W = whitening(nf::tri_points(m->config, nf::TriRows::Train), d);
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j <= i; ++j) {
                const double got = i == j ? std::exp(double(layer.log_diag[i])) : double(layer.low(i, j));
                r.dev = std::max(r.dev, std::fabs(got - W(i, j)));
                r.size = std::max(r.size, std::fabs(W(i, j)));
                if (i == j) r.min_diag = std::min(r.min_diag, got);
            }
    }
    return r;
}

// Whether every plain flow has at least as many parameters as the flow with A beside it
// (families in pairs: with A, plain).
bool plain_not_smaller(Context& ctx, const std::vector<Family>& fam) {
    bool ok = true;
    nlohmann::json compared = nlohmann::json::array();
    for (std::size_t i = 0; i + 1 < fam.size(); i += 2) {
        compared.push_back({fam[i].parameters, fam[i + 1].parameters});
        ok = ok && fam[i + 1].parameters >= fam[i].parameters;
    }
    return ctx.verdict("plain_not_smaller", "every plain flow has at least as many parameters as the flow with A of "
                                            "the same depth (pairs: with A, plain)", compared, ok);
}

// The flows with A by depth: does the mean excess rise and the mean kept step fall with
// each step? (a verdict)
bool a_deeper_worse(Context& ctx, const std::vector<Family>& fam) {
    bool worse = true;
    for (std::size_t i = 2; i < fam.size(); i += 2)
        worse = worse && model::spread(fam[i].excess).mean > model::spread(fam[i - 2].excess).mean &&
                model::spread(fam[i].kept).mean < model::spread(fam[i - 2].kept).mean;
    return ctx.verdict("a_deeper_worse", "with A, each deeper flow has a higher mean excess and a lower mean kept step "
                                         "than the one before", nlohmann::json::object(), worse);
}

// With A against plain, depth by depth: the table's rows, the excess gaps (plain minus
// with A, paired by seed) and at how many depths A is lower in every seed.
struct Pairs {
    std::string rows, gaps;
    std::size_t a_better = 0;
};
Pairs pairs_of(const std::vector<Family>& fam) {
    Pairs r;
    for (std::size_t i = 0; i < fam.size(); i += 2) {
        const Paired p = model::paired(fam[i].excess, fam[i + 1].excess);  // with A minus plain
        r.a_better += model::separation(fam[i].excess, fam[i + 1].excess) == "a below";
        const std::size_t k = fam[i].fits.front()->config.couplings;
        r.gaps += fmt::format("{}${}$", r.gaps.empty() ? "" : i + 2 == fam.size() ? " and " : ", ",
                              pm(model::Spread{-p.diff.mean, p.diff.sd, 3}));
        for (const Family* f : {&fam[i], &fam[i + 1]})
            r.rows += fmt::format("    {} & {} & ${}$ & {} \\\\\n", k, f == &fam[i] ? "lower triangular" : "$I$ (Real NVP)",
                                  pm(model::spread(f->excess)),
                                  report::tex_count((long long)std::lround(model::spread(f->kept).mean)));
    }
    return r;
}

void p1_richness(Context& ctx) {
    double truth_nll = 0;
    std::vector<Family> fam;
    for (std::size_t k : {1, 2, 4})
        for (const char* kept : {"lower", "identity"}) fam.push_back(score(ctx, fmt::format("tri-{}-{}", kept, k), truth_nll));
    ctx.stats["truth_nll"] = truth_nll;
    const auto& cfg = fam.front().fits.front()->config;
    const AGap a = a_against_whitening(fam.front());
    ctx.stats["a_deviation"] = a.dev;
    ctx.stats["a_min_diag"] = a.min_diag;
    const Pairs pr = pairs_of(fam);
    const std::string &rows = pr.rows, &gaps = pr.gaps;
    const std::size_t a_better = pr.a_better;
    ctx.stats["a_better_depths"] = a_better;
    const bool deeper_worse = a_deeper_worse(ctx, fam);
    const bool close = ctx.verdict("a_is_whitening", "every learned entry of A (one coupling, every seed) is within "
                                                     "0.05 of the whitening factor's",
                                   {{"deviation", a.dev}}, a.dev < 0.05);
    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{Answer: $A$ adds a learned linear mixing of the kept half, so synthesised samples can be correlated
within it; it adds no nonlinearity and never mixes the two halves.}} With $z_a = A x_a \sim N(0, I)$, $x_a \sim
N(0, (A^\top A)^{{-1}})$, and every covariance $\Sigma = LL^\top$ has a lower-triangular Cholesky factor: $A =
L^{{-1}}$ reaches every Gaussian a dense $A$ could, with half the parameters and the determinant for free, the idea
of Glow's LU-parameterised $1\times1$ convolutions \cite{{kingma2018}} (inside a deep flow a dense $A$ can also
rotate). $A = I$ is the plain coupling. In Problem~2's two dimensions $A$ would be one scale.

\emph{{Measured}} on an {D}-dimensional set whose kept half is a Gaussian chain (correlation $\rho = {rho}$ between
neighbours) and whose other half depends on it nonlinearly (Table~\ref{{tab:{id}}}). With one coupling the
log-likelihood separates into $\log N(Ax_a; 0, I) + \log\lvert\det A\rvert$, a function of $A$ alone, and a part
for $x_b$ given $x_a$ free of $A$. So the maximum-likelihood $A$ is the inverse Cholesky factor of the training
points' second moment of $x_a$, whatever the networks do; the learned $A$ {close} (largest difference {dev}, entries
up to {size}). A plain coupling leaves $x_a \sim N(0, \Sigma)$ scored under $N(0, I)$, costing $-\tfrac12\log\det
\Sigma = {floor}$ nats. $A$ still lowers the excess by {gaps} nats with {depths} couplings (every fit with
$A$ below every plain fit at {ab} of 3 depths).{deeper}

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rlrr}}
    \toprule
    couplings & kept half's map & excess over truth & best step \\
    \midrule
{rows}    \bottomrule
  \end{{tabular}}
  \caption{{Flows with and without $A$ ({pts} training, {nv} validation and {nv} held-out points): held-out NLL
  minus the truth's (the excess), mean $\pm$ standard deviation over 3 fits, and the mean Adam step of the lowest
  validation NLL. The plain flows have one more hidden unit per network{params}.}}
  \label{{tab:{id}}}
\end{{table}}
)",
        fmt::arg("D", cfg.set.dim), fmt::arg("rho", cfg.set.rho),
        fmt::arg("id", ctx.chapter().id), fmt::arg("close", close ? "matches it" : "approaches it"),
        fmt::arg("dev", tex_fixed(a.dev, 3)), fmt::arg("size", tex_fixed(a.size, 2)),
        fmt::arg("floor", tex_fixed(cfg.set.kept_half_excess(), 3)), fmt::arg("gaps", gaps),
        fmt::arg("deeper", deeper_worse ? " Deeper flows with $A$ stop earlier and end further from the truth: a training effect, since they contain "
                                          "the shallower ones." : ""),
        fmt::arg("depths", "1, 2 and 4"), fmt::arg("ab", a_better), fmt::arg("rows", rows),
        fmt::arg("params", plain_not_smaller(ctx, fam) ? ", so at least as many parameters" : ""),
        fmt::arg("pts", report::tex_count((long long)cfg.points)), fmt::arg("nv", report::tex_count((long long)cfg.val_points)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p1-richness", nullptr, p1_richness)

}  // namespace flow::chapters::ece792
