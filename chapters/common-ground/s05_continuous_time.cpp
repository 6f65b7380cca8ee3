// Slide 5: continuous time. The flow-matching field on the moons defines its map as the
// flow of dx/dt = v(x, t) from t = 0 (Gaussian) to 1 (data), integrated by the midpoint
// rule. Checked: the end points converge as the step halves (against a fine RK4
// solution; the field is piecewise linear, LeakyReLU, so the rule's order 2 is not
// reached), and the density the instantaneous change of variables
// gives, log p_1(x) = log N(x_0) - int div v dt, integrates to 1 over the plane.
#include <cmath>

#include "common.hpp"
#include "fm/train.hpp"

namespace flow::chapters::deck::s05 {
namespace {

double max_gap(const Mat<float>& a, const Mat<float>& b) {
    double g = 0;
    for (std::size_t i = 0; i < a.size(); ++i) g = std::max(g, std::fabs(double(a.data()[i]) - double(b.data()[i])));
    return g;
}

void run(Context& ctx) {
    auto& fm = ctx.load_as<fm::Model>("moons-fm");
    Rng rng = ctx.rng("prior");
    const Mat<float> z = nn::normal_draws(rng, 400);
    const Mat<float> reference = fm::forward_flow(fm.field, z, {1.0 / 1000, fm::Solver::RK4});
    std::vector<double> errors;
    for (std::size_t steps : {10, 20, 40, 80})
        errors.push_back(max_gap(fm::forward_flow(fm.field, z, {1.0 / double(steps), fm::Solver::Midpoint}), reference));
    const double ratio = errors[2] / errors[3];
    const Grid grid = grid_over({-4, 4, -4, 4}, 160);
    double mass = 0;
    for (double lp : fm::log_likelihood(fm.field, grid.centres, {0.02, fm::Solver::Midpoint}))
        mass += std::exp(lp) * grid.cell_area;
    ctx.stats["endpoint_errors"] = {{"steps", {10, 20, 40, 80}}, {"max_error", errors}};
    ctx.stats["halving_ratio"] = ratio;
    ctx.stats["integral"] = mass;
    const bool converges = errors[0] > 2 * errors[1] && errors[1] > 2 * errors[2] && errors[2] > 2 * errors[3];
    ctx.verdict("converges", "each halving of the step cuts the end-point error by more than 2", errors, converges);
    ctx.verdict("density", "the density integrates to 1 within 0.01", mass, std::fabs(mass - 1) < 0.01);

    // Trajectories of 150 draws, 50 midpoint steps.
    std::vector<xt::xtensor<float, 2>> states;
    std::vector<double> times;
    fm::forward_flow(fm.field, z, {0.02, fm::Solver::Midpoint}, nullptr,
                     [&](std::size_t, double t, const Mat<float>& s) {
                         states.push_back(s);
                         times.push_back(t);
                     });
    report::Files files;
    const report::View view{-3.5, 3.5, -3.2, 3.2};
    report::RasterLayer layer(view, 7.4 * report::kPtPerCm, 3.1 * report::kPtPerCm);
    const Mat<float> held = held_out_moons(fm.scale);
    layer.marks(held, {200, 200, 200, 1.0}, 0.7);
    report::draw_trajectories(layer, states, times, 80, 0.9, 1.1);
    files.push_back({"paths.png", layer.png()});
    const std::string paths =
        "\\begin{axis}[fr slide, colormap name=fr viridis, point meta min=0, point meta max=1, colorbar, "
        "colorbar style={width=0.25cm, title={$t$}, ytick={0,1}}, xlabel={$x_1$}, ylabel={$x_2$}, " +
        layer.axis_options() + "]\n" + layer.addplot("paths.png") + report::start_end_marks(states, 0, 80, layer.view()) +
        "\\end{axis}\n";
    std::vector<std::array<double, 2>> line;
    for (std::size_t k = 0; k < errors.size(); ++k) line.push_back({double(10 << k), errors[k]});
    const std::string chart = chart_axis("at={(10.9cm,0)}, xmode=log, ymode=log, log basis x=2, xlabel={steps}, "
                                         "ylabel={end-point error}, xtick={10,20,40,80}, xticklabels={10,20,40,80}, ymin=1e-3, ymax=0.3, ytick={1e-3,1e-2,1e-1}",
                                         2.4, 2.8, {{"black, very thick, mark=*", "", line}});
    ctx.figure("paths", picture(paths + chart), files);
    ctx.text = ctx.slide(
        "Flow matching regresses a field $v(x,t)$; its ODE is the map.",
        "\\includegraphics{" + ctx.figure_pdf("paths") + "}",
        {fmt::format("Midpoint rule, 10 to 80 steps: error {} to {}.", tex_num(errors[0], 2),
                     tex_num(errors.back(), 2)),
         fmt::format("$\\log N(x_0)-\\int\\mathrm{{div}}\\,v\\,dt$ is a log-density: it integrates to {}.",
                     tex_fixed(mass, 3))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s05-continuous-time", nullptr, run)
}  // namespace flow::chapters::deck::s05
