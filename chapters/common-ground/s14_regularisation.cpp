// Slide 14: spectral normalisation as the regulariser that makes a residual layer
// x + g(x) invertible (residual/flow.hpp). With Lip(g) = c < 1 the fixed-point inverse
// converges at rate c and the power series of log det(I + J_g) converges; without the
// bound the same iteration need not find the point. Measured on a 2D layer of 64 tanh
// units at a point of the moons' scale.
#include <cmath>

#include "common.hpp"
#include "residual/flow.hpp"

namespace flow::chapters::deck::s14 {
namespace {

constexpr std::size_t kIterations = 60, kTerms = 60;

struct Curve {
    double c;
    std::vector<double> errors, series_errors;
    double rate = 0;
    std::size_t steps_to_tiny = 0;  // iterations until the error is below 1e-10 of the start
};

Curve measure(residual::Layer layer, double c, const std::vector<double>& x) {
    Curve out{c, {}, {}};
    layer.normalise(c);
    const auto y = layer.forward(x);
    layer.inverse(y, kIterations, &x, &out.errors);
    // The rate: the geometric mean of the error's ratio per step until it is 1e-10 of
    // the start (below that, rounding decides).
    while (out.steps_to_tiny < kIterations && out.errors[out.steps_to_tiny] > 1e-10 * out.errors[0]) ++out.steps_to_tiny;
    out.rate = std::pow(out.errors[out.steps_to_tiny] / out.errors[0], 1.0 / double(out.steps_to_tiny));
    std::vector<double> partial;
    layer.log_det_series(x, kTerms, &partial);
    const double exact = layer.log_det(x);
    for (double p : partial) out.series_errors.push_back(std::fabs(p - exact));
    return out;
}

// The first number of terms whose error is below tol.
std::size_t terms_for(const Curve& c, double tol) {
    for (std::size_t n = 0; n < c.series_errors.size(); ++n)
        if (c.series_errors[n] < tol) return n + 1;
    return c.series_errors.size() + 1;
}

void run(Context& ctx) {
    Rng rng = ctx.rng("layer");
    const residual::Layer layer(2, 64, rng);
    const std::vector<double> x = {0.8, -0.6};
    std::vector<Curve> curves;
    for (double c : {0.5, 0.9}) curves.push_back(measure(layer, c, x));
    // Without the bound: W2 scaled so that J_g at x has spectral radius 3.
    residual::Layer wild = layer;
    wild.normalise(0.9);
    const auto J = wild.jacobian_g(x);
    const double tr = J(0, 0) + J(1, 1), det = J(0, 0) * J(1, 1) - J(0, 1) * J(1, 0), disc = tr * tr - 4 * det;
    const double radius = disc >= 0 ? std::max(std::fabs(0.5 * (tr + std::sqrt(disc))), std::fabs(0.5 * (tr - std::sqrt(disc))))
                                    : std::sqrt(det);
    wild.W2 *= 3.0 / radius;
    std::vector<double> wild_errors;
    wild.inverse(wild.forward(x), kIterations, &x, &wild_errors);
    for (const auto& cv : curves)
        ctx.stats["c" + tex_fixed(cv.c, 1)] = {{"rate", cv.rate}, {"steps_to_1e-10", cv.steps_to_tiny},
                                              {"terms_for_1e-3", terms_for(cv, 1e-3)},
                                              {"final_series_error", cv.series_errors.back()}};
    ctx.stats["unbounded_final_error"] = wild_errors.back();
    ctx.verdict("rates-within-bounds", "each measured rate is at most its c", {{"0.5", curves[0].rate}, {"0.9", curves[1].rate}},
                curves[0].rate <= 0.5 && curves[1].rate <= 0.9);
    ctx.verdict("unbounded-fails", "without the bound the error after 60 steps exceeds 1e-3", wild_errors.back(),
                wild_errors.back() > 1e-3);

    const auto points = [](const std::vector<double>& e, std::size_t first) {
        std::vector<std::array<double, 2>> p;
        for (std::size_t k = 0; k < e.size(); ++k) p.push_back({double(k + first), std::max(e[k], 1e-16)});
        return p;
    };
    const std::string left = chart_axis(
        "ymode=log, xlabel={fixed-point step $k$}, ylabel={$|x_k-x|$}, xmin=0, xmax=60, ymin=1e-16, ymax=1e3, "
        "ytick={1e-15,1e-10,1e-5,1}, legend style={at={(0.97,0.5)}, anchor=east}", 5.0, 3.2,
        {{"blue!70!black, very thick", "$c=0.5$", points(curves[0].errors, 0)},
         {"orange!90!black, very thick", "$c=0.9$", points(curves[1].errors, 0)},
         {"red!80!black, very thick, dashed", "no bound", points(wild_errors, 0)}});
    const std::string right = chart_axis(
        "at={(7.5cm,0)}, ymode=log, xlabel={series terms $n$}, ylabel={$\\log\\det$ error}, xmin=1, xmax=60, "
        "ymin=1e-16, ymax=10, ytick={1e-15,1e-10,1e-5,1}, legend style={at={(0.97,0.5)}, anchor=east}", 5.0, 3.2,
        {{"blue!70!black, very thick", "$c=0.5$", points(curves[0].series_errors, 1)},
         {"orange!90!black, very thick", "$c=0.9$", points(curves[1].series_errors, 1)}});
    ctx.figure("convergence", picture(left + right), {});
    ctx.text = ctx.slide(
        "Spectral norm $c<1$ makes $x+g(x)$ invertible by iteration.",
        "\\includegraphics{" + ctx.figure_pdf("convergence") + "}",
        {fmt::format("Error $\\times${} and $\\times${} a step ($c=0.5$, $0.9$); no bound: ends {} off.",
                     tex_fixed(curves[0].rate, 2), tex_fixed(curves[1].rate, 2), tex_num(wild_errors.back(), 2)),
         fmt::format("The $\\log\\det$ series needs {} terms for $10^{{-3}}$ at $c=0.5$, {} at $0.9$.",
                     terms_for(curves[0], 1e-3), terms_for(curves[1], 1e-3))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s14-regularisation", nullptr, run)
}  // namespace flow::chapters::deck::s14
