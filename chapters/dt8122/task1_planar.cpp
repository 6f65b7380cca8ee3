// task1-planar: Task 1, planar flows.
//
// "Implement planar flows, fit them to each data set, and show for each data set the data
// X, its inverse transform f(X), the forward transform g(z) of prior samples and the
// prior samples z."
//
// The flow runs in the normalizing direction (x to z), where the density is exact; the
// samples need the inverse, which the library solves layer by layer (one monotone
// scalar equation each). The chapter measures how many Newton steps that took and how
// closely g undoes f.
#include "common.hpp"
#include "planar/train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;
using report::tex_num;

// The most Newton steps any layer's solve took for any of the figure's samples.
std::size_t newton_steps(Context& ctx, const std::string& set) {
    const auto& m = ctx.load_as<planar::Model>(model_name("planar", set));
    std::size_t its = 0;
    planar::cast<double>(m.flow).inverse(Mat<double>(xt::cast<double>(prior_draws(ctx, set))), &its);
    return its;
}

void task1_planar(Context& ctx) {
    std::string body;
    const auto rows = method_rows(ctx, "planar", body);
    std::size_t its = 0;
    double trip = 0;
    for (const auto& r : rows) {
        its = std::max(its, newton_steps(ctx, r.fit.data));
        trip = std::max(trip, r.m.round_trip);
    }
    ctx.stats["newton_steps"] = its;
    const auto& cfg = rows.front().fit.as<planar::Model>().config;
    const std::string sets = " " + summary_sentence(ctx, rows, "The flow", latent_reference(ctx));
    ctx.text = ctx.section() + fmt::format(
        R"(A planar layer moves a point along one direction $\hat u$ by an amount that depends on its
position along another, $w$: $y = x + \hat u \tanh(w^\top x + b)$, with log-determinant
$\log\lvert 1 + \hat u^\top \psi(x)\rvert$, $\psi = \tanh'(w^\top x + b)\,w$. We stack {layers} such layers in
the normalizing direction, from the data to the latent space, where the density is exact, and keep each layer
invertible by the reparametrisation $\hat u = u + (m(w^\top u) - w^\top u)\,w / \lVert w\rVert^2$ of Rezende and
Mohamed (their appendix~A.1), which makes $w^\top \hat u > -1$. The paper gives no inverse; sampling needs one. Along
$w$ a layer's equation reduces to the scalar equation $a + c\tanh a = w^\top y + b$ with $c = w^\top\hat u > -1$,
whose left side is strictly increasing, so it has exactly one root, inside $[r - \lvert c\rvert, r + \lvert
c\rvert]$; Newton's method kept inside that bracket finds it in at most {its} steps for every sample of the
figure. A trained layer can be nearly singular ($1 + \hat u^\top\psi$ near 0), and there either direction magnifies
the rounding of its input, so the flows are evaluated in double precision: $g(f(x))$ returns every held-out point to
within {trip}.{sets}
Figure~\ref{{fig:{id}}} shows the four panels for each data set.

)",
        fmt::arg("layers", cfg.layers), fmt::arg("its", its),
        fmt::arg("trip", tex_num(trip, 2)),
        fmt::arg("sets", sets), fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, rows_caption("Planar flows", "in the latent space"));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-planar", nullptr, task1_planar)

}  // namespace flow::chapters::dt8122
