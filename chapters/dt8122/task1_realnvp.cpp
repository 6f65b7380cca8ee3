// task1-realnvp: Task 1, Real NVP: "plots for each method and each data set".
//
// The affine coupling in two dimensions (keep one coordinate, scale and shift the other,
// swap), both directions in closed form, and the figure of the first fit of each set.
#include "common.hpp"
#include "nf/train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

void task1_realnvp(Context& ctx) {
    std::string body;
    const auto rows = method_rows(ctx, "realnvp", body);
    double trip = 0;
    for (const auto& r : rows) trip = std::max(trip, r.m.round_trip);
    ctx.stats["round_trip"] = trip;
    const auto& arch = rows.front().fit.as<nf::Model>().config.arch;
    ctx.text = ctx.section() + fmt::format(
        R"(A coupling keeps $x_1$ and moves $x_2$: $z_2 = (x_2 - t(x_1))\,e^{{-s(x_1)}}$,
so $\log\lvert\det\rvert = -s(x_1)$ for any networks $s$ and $t$, and $g$ is explicit too. The {c}
couplings alternate the kept coordinate; $s$ and $t$ have {d} hidden layers of {h} units, and a $\tanh$ bounds $\lvert s\rvert$
by {b}. $g(f(x))$, in single precision, is within {trip} of $x$ for every held-out point. {checks}

)",
        fmt::arg("c", arch.couplings), fmt::arg("d", arch.depth - 1), fmt::arg("h", arch.hidden),
        fmt::arg("b", fmt::format("{:g}", arch.log_scale_bound)), fmt::arg("trip", report::tex_num(trip, 1)),
        fmt::arg("checks", drawn_sentence(ctx, rows)), fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, "Real NVP; panels as in Figure~\\ref{fig:task1-planar}.");
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-realnvp", nullptr, task1_realnvp)

}  // namespace flow::chapters::dt8122
