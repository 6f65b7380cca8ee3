// p1-jacobian: Problem 1, question 1.
//
// "Modify the coupling so that z_{1:d} = A x_{1:d} with A lower triangular. What is the
// Jacobian of the modified layer, and its determinant?"
//
// Derived, then checked on the library's layer (nf/triangular.hpp) in D = 4, 6 and 8
// with every parameter random: the Jacobian by central differences has the derived
// block structure, its log |det| is the closed form, and synthesis inverts the layer.
#include <xtensor/xview.hpp>

#include "common.hpp"
#include "core/linalg.hpp"
#include "nf/triangular.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

constexpr std::size_t kPoints = 20;
constexpr double kStep = 1e-6;

struct Check {
    std::size_t dim = 0;
    double zero_block = 0, a_block = 0, diag_block = 0, logdet = 0, round_trip = 0;
};

Check check_layer(Context& ctx, std::size_t D) {
    Rng rng = ctx.rng("p1/layer-" + std::to_string(D));
    nf::TriangularCoupling<double> layer(D, 8, 2, true, rng);
    nn::Params<double> ps;
    layer.params(ps, "layer");
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.value[i] = 0.5 * rng.normal();
    const std::size_t d = D / 2;
    Mat<double> x = Mat<double>::from_shape({kPoints, D});
    for (auto& v : x) v = rng.normal();
    Check c;
    c.dim = D;
    nf::TriangularCoupling<double>::Tape tape;
    Mat<double> z;
    std::vector<double> logdet(kPoints, 0.0);
    layer.forward(x, z, logdet, tape);
    Mat<double> back;
    layer.inverse(z, back);
    c.round_trip = xt::amax(xt::abs(back - x))();
    for (std::size_t i = 0; i < kPoints; ++i) {
        const auto map = [&](const Mat<double>& row) {
            Mat<double> out;
            std::vector<double> l(1, 0.0);
            nf::TriangularCoupling<double>::Tape t;
            layer.forward(row, out, l, t);
            return out;
        };
        const Mat<double> J = linalg::numeric_jacobian(map, xt::view(x, xt::range(i, i + 1), xt::all()), kStep);
        for (std::size_t r = 0; r < D; ++r)
            for (std::size_t col = 0; col < D; ++col) {
                if (r < d && col >= d) c.zero_block = std::max(c.zero_block, std::fabs(J(r, col)));
                if (r < d && col < d) {
                    const double a = col > r ? 0.0 : col == r ? std::exp(layer.log_diag[r]) : layer.low(r, col);
                    c.a_block = std::max(c.a_block, std::fabs(J(r, col) - a));
                }
                if (r >= d && col >= d) {
                    // diag(exp(s)), s = -ls of the inner layer.
                    const double e = r == col ? std::exp(-tape.inner.ls(i, r - d)) : 0.0;
                    c.diag_block = std::max(c.diag_block, std::fabs(J(r, col) - e));
                }
            }
        c.logdet = std::max(c.logdet, std::fabs(logdet[i] - linalg::log_abs_det(J)));
    }
    return c;
}

void p1_jacobian(Context& ctx) {
    std::string rows;
    double worst = 0, worst_trip = 0;
    for (std::size_t D : {4, 6, 8}) {
        const Check c = check_layer(ctx, D);
        ctx.stats["checks"][std::to_string(D)] = {{"upper_right_block", c.zero_block}, {"a_block", c.a_block},
                                                  {"lower_right_block", c.diag_block}, {"log_det", c.logdet},
                                                  {"round_trip", c.round_trip}};
        rows += fmt::format("    {} & {} & {} & {} & {} & {} & {} \\\\\n", D, D / 2, report::tex_num(c.zero_block, 1),
                            report::tex_num(c.a_block, 1), report::tex_num(c.diag_block, 1),
                            report::tex_num(c.logdet, 1), report::tex_num(c.round_trip, 1));
        worst = std::max({worst, c.a_block, c.diag_block, c.logdet});
        worst_trip = std::max(worst_trip, c.round_trip);
    }
    ctx.text = ctx.section() + fmt::format(
        R"(Write $x = (x_a, x_b)$ with $x_a = x_{{1:d}}$ and $x_b = x_{{d+1:D}}$. The modified layer is
\[ z_a = A\,x_a, \qquad z_b = x_b \odot \exp\bigl(s(x_a)\bigr) + t(x_a), \]
with $A \in \mathbb{{R}}^{{d\times d}}$ lower triangular. Its Jacobian is block lower triangular, not block diagonal:
\[ J = \frac{{\partial z}}{{\partial x}} = \begin{{pmatrix}} A & 0 \\[2pt]
   \dfrac{{\partial z_b}}{{\partial x_a}} & \operatorname{{diag}}\bigl(\exp s(x_a)\bigr) \end{{pmatrix}}, \qquad
   \frac{{\partial z_b}}{{\partial x_a}} = \operatorname{{diag}}(x_b \odot e^{{s}})\,\frac{{\partial s}}{{\partial x_a}}
   + \frac{{\partial t}}{{\partial x_a}}. \]
The upper right block is zero because $z_a$ does not depend on $x_b$; the lower left block is dense and never
needed. The determinant of a block triangular matrix is the product of the determinants of its diagonal blocks,
and $A$ is itself triangular, so
\[ \det J = \det A \cdot \prod_{{j=1}}^{{D-d}} e^{{s_j(x_a)}} = \prod_{{i=1}}^{{d}} A_{{ii}} \cdot
   \exp\Bigl(\sum_j s_j(x_a)\Bigr), \qquad
   \log\lvert\det J\rvert = \sum_{{i=1}}^{{d}} \log\lvert A_{{ii}}\rvert + \sum_{{j=1}}^{{D-d}} s_j(x_a). \]
The layer is invertible exactly when every $A_{{ii}} \neq 0$; we parametrise $A_{{ii}} = e^{{\lambda_i}}$ so that
training cannot make it singular. With $A = I$ it is the Real NVP coupling, $\log\lvert\det J\rvert = \sum_j s_j$.

\emph{{Checked.}} Table~\ref{{tab:{id}}} takes the layer with every parameter drawn at random, in $D = 4$,
6 and 8, and computes its Jacobian at {n} random points by central differences (step {h}). The upper right block
is zero, the other two blocks are $A$ and $\operatorname{{diag}}(e^{{s}})$, and the closed-form $\log\lvert\det
J\rvert$ is the numerical Jacobian's, all to within {worst}, the central differences' own error; synthesis (below)
returns every point to within {trip}.

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rrrrrrr}}
    \toprule
    $D$ & $d$ & upper right & $A$ block & $\operatorname{{diag}}(e^s)$ block & $\log\lvert\det J\rvert$ & round trip \\
    \midrule
{rows}    \bottomrule
  \end{{tabular}}
  \caption{{The largest deviation, over {n} points, of the central-difference Jacobian's blocks from $0$, $A$ and
  $\operatorname{{diag}}(e^{{s}})$, of the closed-form log-determinant from the numerical Jacobian's (by LU), and of
  $f^{{-1}}(f(x))$ from $x$.}}
  \label{{tab:{id}}}
\end{{table}}
)",
        fmt::arg("id", ctx.chapter().id), fmt::arg("n", kPoints), fmt::arg("h", report::tex_num(kStep, 1)),
        fmt::arg("worst", report::tex_num(worst, 1)), fmt::arg("trip", report::tex_num(worst_trip, 1)),
        fmt::arg("rows", rows));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p1-jacobian", nullptr, p1_jacobian)

}  // namespace flow::chapters::ece792
