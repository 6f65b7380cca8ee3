// task2-settings: Task 2, "the hyper-parameters and model choices, and any assumption or
// change made".
#include "cnf/train.hpp"
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

void task2_settings(Context& ctx) {
    const std::vector<Fit> cnf = load_method(ctx, "cnf");
    const std::string table = settings_table({cnf}, "task2-settings");
    const Fit& f = cnf.front();
    const std::size_t steps = f.as<cnf::Model>().config.steps;
    ctx.text = ctx.section() + table + fmt::format(
        R"(Table~\ref{{tab:task2-settings}} gives the settings; the split, the units and the seed are Task~1's. Where we
depart from Chen et al.\ and why:
\begin{{itemize}}\setlength{{\itemsep}}{{0pt}}
\item \emph{{Exact trace.}} In two dimensions the trace of $\partial f/\partial z$ costs two tangent passes, so we take
  it exactly rather than estimating it (Hutchinson's estimator is for high dimensions).
\item \emph{{Solver and gradient.}} A fixed step of RK4 ({steps} steps, {nfe} field evaluations per point) instead of an
  adaptive solver, and the exact gradient of that discretised solve (backpropagation through its stages) instead of
  the adjoint ODE. The gradient is then the gradient of the loss actually computed, which our finite-difference
  tests check to rounding; the price is memory for every stage's input, small at 400 points.
\item \emph{{Field.}} A plain network of $(z, t)$ with $\tanh$ activations, smooth so that the trace's gradient (which
  needs $\tanh''$) exists; PyTorch's standard initialisation. No gating or hypernetwork as in the paper's section 4.
\item \emph{{Time.}} The flow runs from the data at $t = 0$ to the prior at $t = 1$; sampling integrates back.
\end{{itemize}}

)",
        fmt::arg("steps", steps), fmt::arg("nfe", 4 * steps));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-settings", nullptr, task2_settings)

}  // namespace flow::chapters::dt8122
