// Slide 11: density estimation on the moons with exact log-determinants: the coupling
// flow's (a sum over its couplings) and flow matching's (the continuous change of
// variables, exact divergence in 2D). Checked: each integrates to 1 over the plane, and
// each is scored on the held-out points beside the true density. And the seed's
// log-determinant, log|det(I + jacobian(flow))|: the flow's Jacobian already holds the
// identity, so the snippet takes det(2I + J_g); measured on a residual layer x + g(x)
// (64 tanh units, Lip(g) = 0.5) at the held-out points. (As written, its Jacobian of a
// 1000-point batch is 1000 x 2 x 1000 x 2, which det cannot take at all.)
#include <cmath>

#include "common.hpp"
#include "fm/train.hpp"
#include "residual/flow.hpp"

namespace flow::chapters::deck::s11 {
namespace {

const fm::Integration kHow{0.02, fm::Solver::Midpoint};

double mean_nll(const std::vector<double>& lp) {
    double s = 0;
    for (double v : lp) s -= v / double(lp.size());
    return s;
}

// Mean |log det(I + J_f) - log det(J_f)| over the points, J_f = I + J_g.
double seed_error(const Mat<float>& x, Rng& rng) {
    residual::Layer layer(2, 64, rng);
    layer.normalise(0.5);
    double err = 0;
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const std::vector<double> p = {x(i, 0), x(i, 1)};
        Mat<double> J = layer.jacobian_g(p);
        const double a = 1 + J(0, 0), d = 1 + J(1, 1), twice = (1 + a) * (1 + d) - J(0, 1) * J(1, 0);
        err += std::fabs(std::log(std::fabs(twice)) - layer.log_det(p)) / double(x.shape(0));
    }
    return err;
}

void run(Context& ctx) {
    model::Trained& nf = ctx.load("moons-nf");
    auto& fm = ctx.load_as<fm::Model>("moons-fm");
    const data::Standardiser& frame = nf.scale();
    const Mat<float> held = held_out_moons(frame);
    // Both densities in nf's frame: fm's own frame differs by a constant Jacobian.
    Mat<float> held_fm = held_out_moons(fm.scale);
    const double shift = std::log(fm.scale.std[0] * fm.scale.std[1] / (frame.std[0] * frame.std[1]));
    const Grid grid = grid_over({-3, 3, -2.5, 2.5}, 150);
    const Mat<float> grid_fm = reframe(grid.centres, frame, fm.scale);
    const auto nf_grid = nf.log_prob(grid.centres);
    auto fm_grid = fm::log_likelihood(fm.field, grid_fm, kHow);
    for (auto& v : fm_grid) v -= shift;
    double nf_mass = 0, fm_mass = 0;
    for (std::size_t i = 0; i < nf_grid.size(); ++i) nf_mass += std::exp(nf_grid[i]) * grid.cell_area, fm_mass += std::exp(fm_grid[i]) * grid.cell_area;
    const double nf_nll = mean_nll(nf.log_prob(held)), fm_nll = mean_nll(fm::log_likelihood(fm.field, held_fm, kHow)) + shift,
                 true_nll = mean_nll(true_moons_log_density(held, frame));
    Rng rng = ctx.rng("residual");
    const double seed = seed_error(held, rng);
    ctx.stats["coupling_flow"] = {{"integral", nf_mass}, {"held_out_nll", nf_nll}};
    ctx.stats["flow_matching"] = {{"integral", fm_mass}, {"held_out_nll", fm_nll}};
    ctx.stats["truth_held_out_nll"] = true_nll;
    ctx.stats["seed_log_det_error"] = seed;
    ctx.verdict("densities", "both integrate to 1 within 0.02 over the window", {{"nf", nf_mass}, {"fm", fm_mass}},
                std::fabs(nf_mass - 1) < 0.02 && std::fabs(fm_mass - 1) < 0.02);

    report::Files files;
    std::vector<double> a(nf_grid.size()), b(fm_grid.size());
    double top = 0;
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::exp(nf_grid[i]), b[i] = std::exp(fm_grid[i]), top = std::max({top, a[i], b[i]});
    files.push_back({"nf.png", report::png_viridis(a, grid.n, grid.n, 0, top)});
    files.push_back({"fm.png", report::png_viridis(b, grid.n, grid.n, 0, top)});
    const auto panel = [&](const std::string& at, const std::string& title, const std::string& png) {
        return fmt::format("\\begin{{axis}}[fr slide, {} title={{{}}}, width=4.6cm, height=3.83cm, scale only axis, "
                           "xmin=-3, xmax=3, ymin=-2.5, ymax=2.5, axis on top, grid=none, xticklabels={{}}, yticklabels={{}}]\n"
                           "\\addplot graphics[xmin=-3, xmax=3, ymin=-2.5, ymax=2.5] {{{}}};\n\\end{{axis}}\n",
                           at, title, png);
    };
    ctx.figure("densities",
               picture(panel("", fmt::format("coupling flow, NLL {}", tex_fixed(nf_nll, 2)), "nf.png") +
                       panel("at={(6.6cm,0)}, colorbar, colormap name=fr viridis, point meta min=0, point meta max=" +
                                 fmt::format("{:.3f}", top) + ", colorbar style={width=0.25cm, ylabel={$p(x)$}},",
                             fmt::format("flow matching, NLL {}", tex_fixed(fm_nll, 2)), "fm.png")),
               files);
    ctx.text = ctx.slide(
        "Exact log-determinants make $p(x)$ a density one can score.",
        "\\includegraphics{" + ctx.figure_pdf("densities") + "}",
        {fmt::format("Integrals {} and {}; the true density's held-out NLL: {} nats.", tex_fixed(nf_mass, 3),
                     tex_fixed(fm_mass, 3), tex_fixed(true_nll, 2)),
         fmt::format("Source: \\texttt{{eye(2)+jacobian}} fails to broadcast; mended, it is {} nats off.", tex_fixed(seed, 2))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s11-density", nullptr, run)
}  // namespace flow::chapters::deck::s11
