// task1-planar: Task 1, planar flows: "plots for each method and each data set".
//
// The planar layer, its invertibility constraint and the inverse the paper does not give
// (one monotone scalar equation per layer, solved by Newton's method inside a bracket),
// then the figure of the first fit of each data set.
#include "common.hpp"
#include "planar/train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

// The most Newton steps any layer's solve took for any of the figure's samples.
std::size_t newton_steps(Context& ctx, const std::string& set) {
    const auto& m = ctx.load_as<planar::Model>(first_fit(ctx, "planar", set));
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
        its = std::max(its, newton_steps(ctx, data::unsplit_name(r.fit.data)));
        trip = std::max(trip, r.m.round_trip);
    }
    ctx.stats["newton_steps"] = its;
    ctx.stats["round_trip"] = trip;
    const auto& cfg = rows.front().fit.as<planar::Model>().config;
    ctx.text = ctx.section() + fmt::format(
        R"(A planar layer displaces $x$ along one direction $\hat u$: $y = x + \hat
u\tanh(w^\top x + b)$, with $\log\lvert\det\rvert = \log\lvert 1 + \hat u^\top\psi(x)\rvert$, $\psi =
\tanh'(w^\top x + b)\,w$. It is invertible when $w^\top\hat u > -1$, which Rezende and Mohamed ensure with $\hat u
= u + (m(w^\top u) - w^\top u)\,w/\lVert w\rVert^2$, $m(a) = -1 + \log(1 + e^a)$. Our $f$ stacks {layers} layers
from data to latent. Sampling needs the inverse the paper omits: along $w$ a layer reduces to $a + c\tanh a = r$
($r = w^\top y + b$, $c = w^\top\hat u > -1$), strictly increasing in $a$, so its root lies in $[r - \lvert
c\rvert, r + \lvert c\rvert]$; Newton's method kept in that bracket took at most {its} steps for the figure's
samples, and $g(f(x))$, in double precision, is within {trip} of $x$ for every held-out point. {checks}

)",
        fmt::arg("layers", cfg.layers), fmt::arg("its", its), fmt::arg("trip", report::tex_num(trip, 1)),
        fmt::arg("checks", drawn_sentence(ctx, rows)), fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, rows_caption("Planar flows", "", rows.front().fit.points));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-planar", nullptr, task1_planar)

}  // namespace flow::chapters::dt8122
