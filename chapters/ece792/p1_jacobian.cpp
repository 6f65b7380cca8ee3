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
    double worst = 0, worst_trip = 0;
    for (std::size_t D : {4, 6, 8}) {
        const Check c = check_layer(ctx, D);
        ctx.stats["checks"][std::to_string(D)] = {{"upper_right_block", c.zero_block}, {"a_block", c.a_block},
                                                  {"lower_right_block", c.diag_block}, {"log_det", c.logdet},
                                                  {"round_trip", c.round_trip}};
        worst = std::max({worst, c.a_block, c.diag_block, c.logdet});
        worst_trip = std::max(worst_trip, c.round_trip);
    }
    ctx.text = ctx.section() + fmt::format(
        R"(With $x = (x_a, x_b)$, $x_a = x_{{1:d}}$, the modified layer is $z_a = A\,x_a$, $z_b = x_b \odot
e^{{s(x_a)}} + t(x_a)$, $A$ lower triangular. Its Jacobian is block lower triangular, not block diagonal:
\[ J = \begin{{pmatrix}} A & 0 \\[2pt] \dfrac{{\partial z_b}}{{\partial x_a}} & \operatorname{{diag}}\bigl(e^{{s(x_a)}}\bigr)
   \end{{pmatrix}}, \qquad
   \log\lvert\det J\rvert = \sum_{{i=1}}^{{d}} \log\lvert A_{{ii}}\rvert + \sum_{{j=1}}^{{D-d}} s_j(x_a), \]
since the determinant of a block triangular matrix is the product of its diagonal blocks' determinants, and $A$
is triangular;
the dense block $\partial z_b / \partial x_a$ is never needed. The layer is invertible when every $A_{{ii}} \neq
0$ (we write $A_{{ii}} = e^{{\lambda_i}}$), with an explicit inverse:
\[ x_a = A^{{-1}} z_a \ \text{{(forward substitution)}}, \qquad x_b = \bigl(z_b - t(x_a)\bigr) \odot e^{{-s(x_a)}}. \]
$A = I$ gives the Real NVP coupling \cite{{dinh2017}}.

\emph{{Block-lower-triangular $A$}} (square diagonal blocks $A_{{kk}}$ of sizes $m_k$, each invertible): $\det J = \prod_k \det
A_{{kk}} \cdot e^{{\sum_j s_j}}$, each $\det A_{{kk}}$ by an LU of its block ($\sum_k m_k^3/3$ operations instead
of $d^3/3$), and $A x_a = z_a$ by block forward substitution, $x_k = A_{{kk}}^{{-1}}\bigl(z_k - \sum_{{j<k}}
A_{{kj}} x_j\bigr)$.

\emph{{Checked}} numerically (random parameters, $D = 4$, 6, 8, {n} points): central differences give these
blocks and $\log\lvert\det J\rvert$ to within {worst}; the inverse returns every point to within {trip}.
)",
        fmt::arg("n", kPoints), fmt::arg("worst", report::tex_num(worst, 1)),
        fmt::arg("trip", report::tex_num(worst_trip, 1)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p1-jacobian", nullptr, p1_jacobian)

}  // namespace flow::chapters::ece792
