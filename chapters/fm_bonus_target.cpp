// fm-bonus-target: Flow matching, the optional bonus.
//
// "Make one of your flow matching models output the point (4, 5), which is far away
//  from the rings, as its sampled output. How did you do it? Describe your attempts
//  including unsuccessful ones. Plot the trajectory of the sampled point over time."
//
// The unconditional model is used as it is: the flow is invertible, so integrating it
// backward from (4, 5) (in the model's standardised coordinates) finds the prior point
// whose forward path ends there; sampling forward from that point is then an ordinary
// sample of the model. Every attempt, including those that fail, is measured here.
#include <cmath>

#include <xtensor/xview.hpp>

#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

void fm_bonus_target(Context& ctx) {
    using report::tex_fixed;
    using report::tex_num;
    fm::Model m = fm_model(ctx);
    const fm::Integration how = fm::Integration::from_flags(ctx.flags());
    const double tx = 4.0, ty = 5.0;
    nn::Mat<float> target = {{float(tx), float(ty)}};
    auto miss = [&](const nn::Mat<float>& x) { return std::hypot(x(0, 0) - tx, x(0, 1) - ty); };

    // Attempt 1: wait for it. Sample many prior points and keep the closest output.
    const std::size_t many = 20000;
    const nn::Mat<float> zs = prior_sample(ctx, many, "search");
    const nn::Mat<float> xs = fm::forward_flow(m.field, zs, {0.01, fm::Solver::Euler});
    double best = 1e300;
    for (std::size_t i = 0; i < many; ++i) best = std::min(best, std::hypot(xs(i, 0) - tx, xs(i, 1) - ty));

    // Attempt 2: invert with the exercise's Euler steps and sample back with them.
    const fm::Integration euler{how.dt, fm::Solver::Euler};
    const nn::Mat<float> y0_euler = fm::reverse_flow(m.field, target, euler);
    const double miss_euler = miss(fm::forward_flow(m.field, y0_euler, euler));

    // Attempt 3 (the solution): invert and sample with fourth-order Runge-Kutta.
    const fm::Integration rk4{how.dt, fm::Solver::RK4};
    const nn::Mat<float> y0 = fm::reverse_flow(m.field, target, rk4);
    std::vector<nn::Mat<float>> path;
    std::vector<double> times;
    const std::size_t steps = fm::step_count(0, 1, how.dt), every = std::max<std::size_t>(1, steps / 200);
    const nn::Mat<float> x = fm::forward_flow(m.field, y0, rk4, nullptr,
                                              [&](std::size_t k, double t, const nn::Mat<float>& y) {
                                                  if (k % every == 0 || k == steps) {
                                                      path.push_back(y);
                                                      times.push_back(t);
                                                  }
                                              });
    const double miss_rk4 = miss(x);
    // The same prior point with Euler forward steps, as Algorithm 2 would sample it.
    const double miss_rk4_then_euler = miss(fm::forward_flow(m.field, y0, euler));

    const double r = std::hypot(double(y0(0, 0)), double(y0(0, 1)));
    const double log_prior = -0.5 * r * r - std::log(2 * M_PI);
    const double log10_tail = -0.5 * r * r / std::log(10.0);  // P(|z| >= r) = exp(-r^2/2)

    // The figure: the path over a faint cloud of ordinary samples.
    nn::Mat<float> cloud = xt::view(xs, xt::range(0, 2000), xt::all());
    double lo = -3, hi = 3;
    for (const auto& s : path)
        for (std::size_t c = 0; c < 2; ++c) {
            lo = std::min(lo, double(s(0, c)) - 0.5);
            hi = std::max(hi, double(s(0, c)) + 0.5);
        }
    const std::string range = fmt::format("xmin={0}, xmax={1}, ymin={0}, ymax={1}", lo, hi);
    ctx.figure("trajectory",
               report::trajectories_tikz("fr cloud, width=5cm, xlabel={$x_1$}, ylabel={$x_2$}, " + range,
                                         "trajectory.dat", 1, path.size(),
                                         "\\addplot[only marks, mark=*, mark size=0.3pt, black!20] table {cloud.dat};\n"
                                         "\\node[red!70!black, font=\\small, anchor=west] at (axis cs:4.15,5) {$(4, 5)$};\n"),
               {{"trajectory.dat", report::trajectories_dat(path, times)}, {"cloud.dat", report::points_dat(cloud)}});

    ctx.stats["attempts"] = {
        {"closest_of_samples", {{"samples", many}, {"dt", 0.01}, {"distance", best}}},
        {"euler_inverse_euler_sample", {{"dt", how.dt}, {"distance", miss_euler},
                                        {"y0", {y0_euler(0, 0), y0_euler(0, 1)}}}},
        {"rk4_inverse_rk4_sample", {{"dt", how.dt}, {"distance", miss_rk4}}},
        {"rk4_inverse_euler_sample", {{"dt", how.dt}, {"distance", miss_rk4_then_euler}}}};
    ctx.stats["result"] = {{"target", {tx, ty}}, {"y0", {y0(0, 0), y0(0, 1)}}, {"x", {x(0, 0), x(0, 1)}},
                           {"distance", miss_rk4}, {"y0_norm", r}, {"log_prior", log_prior},
                           {"log10_tail_probability", log10_tail}};

    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:fm-bonus-target}}

The target is the point $(4, 5)$ in the unconditional model's standardised coordinates,
far outside the rings. We asked the model itself where such a sample comes from. A flow
is invertible: integrating it backward in time from $(4, 5)$ (Eq.~18) gives the prior point
$y_0$ whose forward path ends at $(4, 5)$, and sampling forward from $y_0$ is an ordinary
draw of the model, with the model unchanged. The attempts, each measured:

\begin{{enumerate}}
  \item \emph{{Waiting for it}}: of {many} samples, the closest lands {best} away from
  $(4, 5)$. {wait_verdict}
  \item \emph{{Inverting and sampling with Euler steps}} ($\Delta t = {dt}$): the sample
  lands {m_euler} away. Euler's backward and forward steps are not each other's inverse
  (Section~\ref{{sec:fm-q5-reverse}}), and the round trip drifts {euler_verdict}.
  \item \emph{{Inverting and sampling with fourth-order Runge--Kutta}} (same $\Delta t$):
  the sample lands {m_rk4} away, {rk4_verdict}. Sampling forward from the same $y_0$ with
  Euler steps instead lands {m_mixed} away.
\end{{enumerate}}

The prior point is $y_0 = ({y0x}, {y0y})$, at distance {r} from the origin: its prior
log-density is {lp}, and the prior puts a mass of $10^{{{tail}}}$ outside the circle through
it. Figure~\ref{{fig:fm-bonus-target}} shows its path from $t = 0$ to $t = 1$, coloured by
$t$, over 2000 ordinary samples.

\begin{{figure}}[htbp]
  \centering
  \includegraphics{{{pdf}}}
  \caption{{Flow matching: the sample that ends at $(4, 5)$, its path coloured by $t$.}}
  \label{{fig:fm-bonus-target}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("many", report::tex_count((long long)many)),
        fmt::arg("best", tex_fixed(best, 2)),
        fmt::arg("wait_verdict", best > 0.01 ? "This did not work: the prior mass that leads there "
                                               "is too small to be met by chance (see below)."
                                             : "Chance came within 0.01 in this run."), fmt::arg("dt", fmt::format("{:g}", how.dt)),
        fmt::arg("m_euler", tex_num(miss_euler, 2)),
        fmt::arg("euler_verdict", miss_euler > 0.01 ? "beyond 0.01" : "but stays within 0.01"),
        fmt::arg("m_rk4", tex_num(miss_rk4, 2)),
        fmt::arg("rk4_verdict", miss_rk4 <= 0.01 ? "within 0.01" : "still more than 0.01"),
        fmt::arg("m_mixed", tex_num(miss_rk4_then_euler, 2)),
        fmt::arg("y0x", tex_fixed(y0(0, 0), 3)), fmt::arg("y0y", tex_fixed(y0(0, 1), 3)),
        fmt::arg("r", tex_fixed(r, 2)), fmt::arg("lp", tex_fixed(log_prior, 1)),
        fmt::arg("tail", tex_fixed(log10_tail, 1)), fmt::arg("pdf", ctx.figure_pdf("trajectory")));
}

}  // namespace flow::chapters
