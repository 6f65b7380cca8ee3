// task2-cnf: Task 2, continuous normalizing flows.
//
// "Implement continuous normalizing flows (Chen et al. 2018, section 4), fit them to each
// data set, and show the same four panels as in Task 1."
//
// The field's Jacobian trace is exact (two dimensions: two tangent passes), the ODE is
// solved by fixed-step RK4 in both directions, and the loss's gradient is the exact
// gradient of that discretised solve. The sampling solve is not the exact inverse of the
// normalizing one (each is exact only up to RK4's error); the chapter measures by how much.
#include "cnf/train.hpp"
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

void task2_cnf(Context& ctx) {
    std::string body;
    const auto rows = method_rows(ctx, "cnf", body);
    const double trip = largest_round_trip(rows);
    const auto& cfg = rows.front().fit.as<cnf::Model>().config;
    const std::size_t steps = cfg.steps;
    ctx.text = ctx.section() + fmt::format(
        R"(A continuous normalizing flow carries a data point $x$ along an ordinary differential
equation $\mathrm{{d}}z/\mathrm{{d}}t = f(z, t)$ from $z(0) = x$ to its latent point $z(1)$, and the
instantaneous change of variables gives its density exactly: $\log p(x) = \log \mathcal{{N}}(z(1); 0, I) +
\int_0^1 \operatorname{{tr}}\,\partial f/\partial z\,(z(t), t)\,\mathrm{{d}}t$ (Chen et al., section~4). Our
field $f$ is a network of {d} linear layers of {h} units with $\tanh$ between them, fed $(z, t)$. In two
dimensions the trace is exact and cheap: the network carries the two tangent vectors $\partial h/\partial z_j$
along with its activations. Both integrals are solved together by {n} steps of fourth-order Runge--Kutta, so a
density or a sample costs {nfe} evaluations of the field; training takes the exact gradient of that discretised
solve, backpropagated through every stage, and the gradient of the trace term needs the field's second
derivatives ($\tanh''$), derived by hand and checked against finite differences. Sampling runs the same ODE
from a prior draw at $t = 1$ back to $t = 0$. Unlike a coupling flow, the two discretised solves are not exact
inverses of each other: $g(f(x))$ returns the held-out points to within {trip}, RK4's error at this step.{sets}
Figure~\ref{{fig:{id}}} shows the four panels for each data set.

)",
        fmt::arg("d", cfg.depth), fmt::arg("h", cfg.hidden),
        fmt::arg("n", steps), fmt::arg("nfe", 4 * steps), fmt::arg("trip", report::tex_num(trip, 2)),
        fmt::arg("sets", " " + summary_sentence(ctx, rows, "The continuous flow", latent_reference(ctx))),
        fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, rows_caption("Continuous normalizing flows", "at $t = 1$"));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-cnf", nullptr, task2_cnf)

}  // namespace flow::chapters::dt8122
