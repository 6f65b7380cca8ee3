// task2-cnf: Task 2, continuous normalizing flows (Chen et al. 2018, section 4): "plots
// just like the ones from task 1".
//
// The field's Jacobian trace is exact (two tangent passes in two dimensions), the ODE is
// solved by fixed-step RK4 both ways, and training takes the exact gradient of that
// discretised solve. The two solves are inverses only up to RK4's error: measured.
#include "cnf/train.hpp"
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

void task2_cnf(Context& ctx) {
    std::string body;
    const auto rows = method_rows(ctx, "cnf", body);
    double trip = 0;
    for (const auto& r : rows) trip = std::max(trip, r.m.round_trip);
    ctx.stats["round_trip"] = trip;
    const auto& cfg = rows.front().fit.as<cnf::Model>().config;
    ctx.text = ctx.section() + fmt::format(
        R"(A continuous flow carries $x$ along $\mathrm{{d}}z/\mathrm{{d}}t = v(z, t)$
from $z(0) = x$ to $z(1) = f(x)$, and $\log p(x) = \log\mathcal N(z(1); 0, I) + \int_0^1
\operatorname{{tr}}\,\partial v/\partial z\,\mathrm{{d}}t$ (\cite{{chen2018}}, Section~4). Our $v$ is a $\tanh$
network of $(z, t)$ with {d} hidden layers of {h} units; it computes $\partial v/\partial z$ exactly alongside its
output, at the cost of two extra forward passes. Both integrals are solved by {n} fourth-order Runge--Kutta (RK4) steps,
{nfe} evaluations of $v$, and training differentiates through every step. Sampling solves back from $t = 1$; the two solves are inverse only to {trip}. {checks}

)",
        fmt::arg("d", cfg.depth - 1), fmt::arg("h", cfg.hidden), fmt::arg("n", cfg.steps),
        fmt::arg("nfe", 4 * cfg.steps), fmt::arg("trip", report::tex_num(trip, 1)),
        fmt::arg("checks", drawn_sentence(ctx, rows)), fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, "Continuous normalizing flows; panels as in Figure~\\ref{fig:task1-planar}.");
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-cnf", nullptr, task2_cnf)

}  // namespace flow::chapters::dt8122
