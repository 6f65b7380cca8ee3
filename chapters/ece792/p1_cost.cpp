// p1-cost: Problem 1, question 2.
//
// "How does the determinant vary, and what does the modification do to the cost of
// synthesis (from noise to a sample) and of density evaluation?"
//
// The variation is read off the trained one-layer flow: the part log |det A| is one
// number for every point, the part sum s(x_a) varies with x. The cost is measured: the
// triangular map against a general (dense) one, which needs an LU factorisation for its
// determinant and for synthesis, as the half's size d grows.
#include <chrono>

#include "common.hpp"
#include "core/linalg.hpp"
#include "nf/triangular_train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBatch = 256;
constexpr int kRepeats = 5;

// The fastest of kRepeats runs of work(), in seconds.
template <class Work>
double fastest(Work work) {
    double best = INFINITY;
    for (int r = 0; r < kRepeats; ++r) {
        const auto t0 = Clock::now();
        work();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best;
}

struct Timing {
    std::size_t d;
    double tri_density, tri_synthesis, dense_density, dense_synthesis;
};

Timing time_maps(Context& ctx, std::size_t d) {
    Rng rng = ctx.rng("p1/cost-" + std::to_string(d));
    Mat<double> lower = xt::zeros<double>({d, d}), dense = Mat<double>::from_shape({d, d});
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            dense(i, j) = rng.normal() / std::sqrt(double(d)) + (i == j ? 1.0 : 0.0);
            if (j < i) lower(i, j) = rng.normal() / std::sqrt(double(d));
        }
    for (std::size_t i = 0; i < d; ++i) lower(i, i) = std::exp(0.1 * rng.normal());
    Mat<double> x = Mat<double>::from_shape({kBatch, d}), z = Mat<double>::from_shape({kBatch, d});
    for (auto& v : x) v = rng.normal();
    double sink = 0;
    // Density evaluation of a batch: log |det A| and z = A x for every point.
    const auto product = [&](const Mat<double>& a, bool triangular) {
        for (std::size_t n = 0; n < kBatch; ++n)
            for (std::size_t i = 0; i < d; ++i) {
                const double* ai = &a(i, 0);
                const double* xn = &x(n, 0);
                double v = 0;
                const std::size_t end = triangular ? i + 1 : d;
                for (std::size_t j = 0; j < end; ++j) v += ai[j] * xn[j];
                z(n, i) = v;
            }
    };
    Timing t{d, 0, 0, 0, 0};
    t.tri_density = fastest([&] {
        double ld = 0;
        for (std::size_t i = 0; i < d; ++i) ld += std::log(lower(i, i));
        product(lower, true);
        sink += ld + z(0, 0);
    });
    t.dense_density = fastest([&] {
        const double ld = linalg::log_abs_det(dense);
        product(dense, false);
        sink += ld + z(0, 0);
    });
    // Synthesis of a batch: x = A^{-1} z for every point.
    t.tri_synthesis = fastest([&] {
        Mat<double> y = z;
        linalg::lower_solve(lower, y);
        sink += y(0, 0);
    });
    t.dense_synthesis = fastest([&] {
        const auto f = linalg::lu_factor(dense);
        Mat<double> y = z;
        linalg::lu_solve(f, y);
        sink += y(0, 0);
    });
    ctx.stats["timings"]["sink"] = std::isfinite(sink);
    return t;
}

void p1_cost(Context& ctx) {
    // How the determinant varies, on the trained one-layer flow with A.
    const auto& m = ctx.load_as<nf::TriModel>("tri-lower-1");
    const Mat<float> held = xt::cast<float>(nf::tri_points(m.config, true));
    auto& layer = m.flow.layer.front();
    const double log_det_a = layer.log_det_a();
    Mat<float> z;
    std::vector<float> logdet;
    m.flow.forward(held, z, logdet);
    double mean = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
    for (float v : logdet) {
        const double s = double(v) - log_det_a;  // sum s(x_a)
        mean += s / double(logdet.size());
        sq += s * s / double(logdet.size());
        lo = std::min(lo, s);
        hi = std::max(hi, s);
    }
    const double sd = std::sqrt(std::max(0.0, sq - mean * mean));
    ctx.stats["log_det_a"] = log_det_a;
    ctx.stats["sum_s"] = {{"mean", mean}, {"sd", sd}, {"min", lo}, {"max", hi}};
    const std::size_t d = layer.half();
    const std::size_t extra = layer.log_diag.size() + layer.lower.size();

    std::string rows;
    std::vector<Timing> ts;
    for (std::size_t dd : {8, 32, 128, 512}) {
        const Timing t = time_maps(ctx, dd);
        ts.push_back(t);
        ctx.stats["timings"][std::to_string(dd)] = {{"triangular_density_seconds", t.tri_density},
                                                    {"triangular_synthesis_seconds", t.tri_synthesis},
                                                    {"dense_density_seconds", t.dense_density},
                                                    {"dense_synthesis_seconds", t.dense_synthesis}};
        rows += fmt::format("    {} & {} & {} & {} & {} & {} \\\\\n", dd, tex_fixed(t.tri_density * 1e6, 1),
                            tex_fixed(t.dense_density * 1e6, 1), tex_fixed(t.tri_synthesis * 1e6, 1),
                            tex_fixed(t.dense_synthesis * 1e6, 1),
                            tex_fixed(t.dense_synthesis / t.tri_synthesis, 1));
    }
    const auto slope = [&](double Timing::*f) {
        const auto& a = ts[ts.size() - 2];
        const auto& b = ts.back();
        return std::log(b.*f / a.*f) / std::log(double(b.d) / double(a.d));
    };
    const double s_tri = slope(&Timing::tri_synthesis), s_dense = slope(&Timing::dense_synthesis);
    ctx.stats["timings"]["slope_seconds"] = {{"triangular", s_tri}, {"dense", s_dense}};
    const double ratio_small = ts.front().dense_synthesis / ts.front().tri_synthesis;
    const double ratio_large = ts.back().dense_synthesis / ts.back().tri_synthesis;

    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{How the determinant varies.}} Of $\log\lvert\det J\rvert = \sum_i \log\lvert A_{{ii}}\rvert +
\sum_j s_j(x_a)$, the first term does not depend on $x$: $A$ is a parameter, so it scales volume by the same factor
$\lvert\det A\rvert$ everywhere, and it is computed once per batch in $O(d)$ from the diagonal, not per point. Only
$\sum_j s_j(x_a)$ varies from point to point, as in Real NVP. In the trained one-layer flow of
Problem~1.3 ($D = {D}$, $d = {d}$), $\sum_i \log A_{{ii}} = {lda}$ for every point, while $\sum_j s_j(x_a)$ ranges
from {lo} to {hi} over the {n} held-out points (mean {mean}, standard deviation {sd}). The change adds
$d(d+1)/2 = {extra}$ parameters per layer.

\emph{{Cost of density evaluation}} ($x \to z$, what training and scoring need): one triangular product $A x_a$,
$d(d+1)/2$ multiply-adds per point, beside networks that cost $O(d h + h^2)$; the determinant adds nothing per
point. \emph{{Cost of synthesis}} ($z \to x$): the networks read $x_a$, not $z_a$, so $x_a = A^{{-1}} z_a$ must be
solved first, by forward substitution: again $d^2/2$ multiply-adds per point, exact, and no matrix inverse is ever
formed. The triangular form is what keeps both cheap: a general (dense) $A$ would need an LU factorisation,
$O(d^3)$, for its determinant and before any solve. Table~\ref{{tab:{id}}} measures this on one core for a batch of
{B} points as $d$ grows. Synthesis with a dense $A$ costs {rs} times the triangular solve at $d = {d0}$ and {rl}
times at $d = {d1}$; between the two largest sizes the measured time grows as $d^{{{st}}}$ for the triangular solve
and $d^{{{sd2}}}$ for LU and solve, where the operation counts predict $d^2$ and (once the factorisation dominates)
$d^3$. For the two-dimensional data of Problem~2, $d = 1$ and $A$ is a single scale: the modification costs nothing
there, and also adds little (a constant rescaling of the kept coordinate).

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rrrrrr}}
    \toprule
    & \multicolumn{{2}}{{c}}{{density evaluation ($\mu$s)}} & \multicolumn{{2}}{{c}}{{synthesis ($\mu$s)}} & \\
    \cmidrule(lr){{2-3}} \cmidrule(lr){{4-5}}
    $d$ & triangular & dense (LU) & triangular & dense (LU) & dense / triangular \\
    \midrule
{rows}    \bottomrule
  \end{{tabular}}
  \caption{{The linear part of one layer on a batch of {B} points, fastest of {R} runs on one core: density
  evaluation is $\log\lvert\det A\rvert$ and $A x_a$ for every point; synthesis is $A^{{-1}} z_a$ for every point
  (forward substitution, or LU factorisation and two triangular solves).}}
  \label{{tab:{id}}}
\end{{table}}
)",
        fmt::arg("D", m.config.set.dim), fmt::arg("d", d), fmt::arg("lda", tex_fixed(log_det_a, 3)),
        fmt::arg("lo", tex_fixed(lo, 2)), fmt::arg("hi", tex_fixed(hi, 2)), fmt::arg("n", logdet.size()),
        fmt::arg("mean", tex_fixed(mean, 2)), fmt::arg("sd", tex_fixed(sd, 2)), fmt::arg("extra", extra),
        fmt::arg("id", ctx.chapter().id), fmt::arg("B", kBatch), fmt::arg("R", kRepeats),
        fmt::arg("rs", tex_fixed(ratio_small, 1)), fmt::arg("rl", tex_fixed(ratio_large, 0)),
        fmt::arg("d0", ts.front().d), fmt::arg("d1", ts.back().d), fmt::arg("st", tex_fixed(s_tri, 1)),
        fmt::arg("sd2", tex_fixed(s_dense, 1)), fmt::arg("rows", rows));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p1-cost", nullptr, p1_cost)

}  // namespace flow::chapters::ece792
