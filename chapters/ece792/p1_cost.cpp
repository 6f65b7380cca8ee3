// p1-cost: Problem 1, question 2.
//
// "How does the determinant vary, and what does the modification do to the cost of
// synthesis (from noise to a sample) and of density evaluation?"
//
// The variation is read off the trained one-layer flow: the part log |det A| is one
// number for every point, the part sum s(x_a) varies with x. The cost is measured as the
// half's size d grows: what a training step needs (log |det A| and its gradient) and
// synthesis (A^-1 z_a), for the triangular A and a dense one whose LU is paid once.
#include "core/linalg.hpp"
#include "p1_cost.hpp"
#include "nf/triangular_train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;
// How the determinant varies over the held-out points, on the trained one-layer flow
// with A (recorded).
struct Variation {
    double log_det_a = 0, mean = 0, sd = 0, lo = 0, hi = 0, cond = 0;
    std::size_t n = 0;
};
// ||A||_1 ||A^-1||_1 of a layer's A (A^-1 by forward substitution on the identity).
template <class Layer>
double condition(const Layer& layer) {
    const std::size_t d = layer.half();
    Mat<double> A = xt::zeros<double>({d, d}), inv = A;
    for (std::size_t i = 0; i < d; ++i) {
        inv(i, i) = 1;
        for (std::size_t j = 0; j <= i; ++j) A(i, j) = i == j ? std::exp(double(layer.log_diag[i])) : double(layer.low(i, j));
    }
    linalg::lower_solve(A, inv);  // row i solves A y = e_i: the rows of A^-T
    const auto norm1 = [d](const Mat<double>& m, bool transposed) {
        double best = 0;
        for (std::size_t c = 0; c < d; ++c) {
            double col = 0;
            for (std::size_t r = 0; r < d; ++r) col += std::fabs(transposed ? m(c, r) : m(r, c));
            best = std::max(best, col);
        }
        return best;
    };
    return norm1(A, false) * norm1(inv, true);
}

Variation variation(Context& ctx) {
    const auto& m = ctx.load_as<nf::TriModel>(ctx.manifest().fits("tri-lower-1").front());
    const Mat<float> held = xt::cast<float>(nf::tri_points(m.config, nf::TriRows::Held));
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
    double cond = 0;  // the largest over every seed's A
    for (const auto& fit : ctx.manifest().fits("tri-lower-1"))
        cond = std::max(cond, condition(ctx.load_as<nf::TriModel>(fit).flow.layer.front()));
    ctx.stats["condition_number"] = cond;
    return {log_det_a, mean, sd, lo, hi, cond, logdet.size()};
}

std::string cost_table(const std::string& rows, const std::string& id) {
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rrrrr}}
    \toprule
    & \multicolumn{{2}}{{c}}{{$\log\lvert\det A\rvert$ and its gradient ($\mu$s)}} & \multicolumn{{2}}{{c}}{{synthesis of {B} points ($\mu$s)}} \\
    \cmidrule(lr){{2-3}} \cmidrule(lr){{4-5}}
    $d$ & triangular & dense (LU) & triangular & dense (LU paid once) \\
    \midrule
{rows}    \bottomrule
  \end{{tabular}}
  \caption{{The linear part of one layer, the fastest of {R} timings on one core; the dense synthesis column
  excludes the LU.}}
  \label{{tab:{id}}}
\end{{table}}
)",
        fmt::arg("rows", rows), fmt::arg("id", id), fmt::arg("B", kBatch), fmt::arg("R", kRepeats));
}

void p1_cost(Context& ctx) {
    const Variation v = variation(ctx);
    const Costs c = costs(ctx);
    const auto& ts = c.ts;
    const double step_ratio = ts.back().dense_step / ts.back().tri_step;
    const double synth_ratio = ts.back().dense_synthesis / ts.back().tri_synthesis;
    ctx.stats["ratios"] = {{"step", step_ratio}, {"synthesis", synth_ratio}};
    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{How the determinant varies.}} $\sum_i \log\lvert A_{{ii}}\rvert$ is the same for every point: $A$ scales volume by one factor everywhere. Only $\sum_j s_j(x_a)$ varies with $x$, as in Real NVP: in the
trained one-coupling flow of Section~\ref{{sec:p1-richness}} (first seed), $\sum_i \log
A_{{ii}} = {lda}$ while $\sum_j s_j(x_a)$ ranges from {lo} to {hi} over the {n} held-out points.

\emph{{Cost of synthesis.}} Against the plain coupling, each layer adds one triangular solve, $x_a = A^{{-1}} z_a$
by forward substitution ($d^2/2$ multiply-adds a point, sequential in $d$), and no
determinant. A dense $A$ also costs $O(d^2)$ a point, two triangular solves, once its LU, $O(d^3)$, is paid before
sampling (at $d = {d1}$, {sr} times the triangular solve; Table~\ref{{tab:{id}}}). The saving is in training, which needs $\log\lvert\det A\rvert$ and its gradient $A^{{-\top}}$ every step:
$O(d)$ from a triangular $A$'s diagonal, $O(d^3)$ for a dense one (an LU and $d$ solves: about {str} times the
triangular at $d = {d1}$).

\emph{{Conditioning.}} Forward substitution divides by each $A_{{ii}}$: a small $A_{{ii}}$ makes $A^{{-1}}$ large
and amplifies errors in $z_a$. $A_{{ii}} = e^{{\lambda_i}}$ keeps $A$ invertible, not well conditioned; the
trained $A$'s condition number ($\lVert A\rVert_1 \lVert A^{{-1}}\rVert_1$) is at most {cond}.

{table})",
        fmt::arg("lda", tex_fixed(v.log_det_a, 3)),
        fmt::arg("lo", tex_fixed(v.lo, 2)), fmt::arg("hi", tex_fixed(v.hi, 2)), fmt::arg("n", v.n),
fmt::arg("id", ctx.chapter().id), fmt::arg("d1", ts.back().d),
        fmt::arg("sr", tex_fixed(synth_ratio, 1)), fmt::arg("str", report::tex_count((long long)std::lround(step_ratio / 1000) * 1000)),
fmt::arg("cond", tex_fixed(v.cond, 1)),
        fmt::arg("table", cost_table(c.rows, ctx.chapter().id)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p1-cost", nullptr, p1_cost)

}  // namespace flow::chapters::ece792
