// (The series' terms for 1e-3 are in the figure and the record.)
// Slide 14: spectral normalisation as the regulariser that makes a residual layer
// x + g(x) invertible (residual/flow.hpp). With Lip(g) = c < 1 the fixed-point inverse
// converges at rate c and the power series of log det(I + J_g) converges; without the
// bound the same iteration need not find the point. Measured on a 2D layer of 64 tanh
// units at a point of the moons' scale.
#include <cmath>

#include <xtensor/xmanipulation.hpp>

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

// A layer whose Lipschitz constant is reached near the origin: W2 = W1^T and no biases, so
// that J_g(0) = W1^T W1 (after normalise(c): c times a matrix of spectral norm 1) and the
// iteration contracts at nearly c there, not at the much smaller rate a random W2 gives.
residual::Layer aligned_layer(Rng& rng) {
    residual::Layer layer(2, 64, rng);
    layer.W2 = xt::transpose(layer.W1);
    std::fill(layer.b1.begin(), layer.b1.end(), 0.0);
    std::fill(layer.b2.begin(), layer.b2.end(), 0.0);
    return layer;
}

// The source's "negative log-likelihood" 1/2 |y|^2 has no log-determinant. On 1000 draws
// of N(0, I) in 10 dimensions, the residual map x + g(x) with g(x) = -c x (Lipschitz c, as
// the bound allows) against the identity: that loss and the true NLL, which adds
// (D/2) log 2 pi - log det(I + J_g) = (D/2) log 2 pi - D log(1 - c).
struct Collapse {
    double identity_loss, shrunk_loss, identity_nll, shrunk_nll;
};
Collapse collapse(Rng& rng, double c) {
    const std::size_t D = 10, n = 1000;
    double sq = 0;
    for (std::size_t i = 0; i < n * D; ++i) {
        const double x = rng.normal();
        sq += 0.5 * x * x / double(n);
    }
    const double shrink = (1 - c) * (1 - c), constant = 0.5 * double(D) * std::log(2 * M_PI);
    return {sq, sq * shrink, sq + constant, sq * shrink + constant - double(D) * std::log(1 - c)};
}

// The fixed-point errors (the lines named where they run: a legend would cover one) and
// the series' errors.
std::string charts(const std::vector<Curve>& curves, const std::vector<double>& wild_errors) {
    const auto points = [](const std::vector<double>& e, std::size_t first) {
        std::vector<std::array<double, 2>> p;
        for (std::size_t k = 0; k < e.size(); ++k) p.push_back({double(k + first), std::max(e[k], 1e-16)});
        return p;
    };
    std::string left = chart_axis(
        "ymode=log, xlabel={fixed-point step $k$}, ylabel={$|x_k-x|$}, xmin=0, xmax=60, ymin=1e-16, ymax=1e4, "
        "ytick={1e-15,1e-10,1e-5,1}", 5.0, 3.2,
        {{"blue!70!black, very thick", "", points(curves[0].errors, 0)},
         {"orange!90!black, very thick", "", points(curves[1].errors, 0)},
         {"red!80!black, very thick, dashed", "", points(wild_errors, 0)}});
    left.insert(left.rfind("\\end{axis}"),
                "\\node[anchor=south, red!80!black] at (axis cs:30,1e-1) {$c=1$ (source)};\n"
                "\\node[anchor=north east, orange!90!black] at (axis cs:60,1e-5) {$c=0.9$};\n"
                "\\node[anchor=north east, blue!70!black] at (axis cs:21,1e-8) {$c=0.5$};\n");
    const std::string right = chart_axis(
        "at={(7.5cm,0)}, ymode=log, xlabel={series terms $n$}, ylabel={$\\log\\det$ error}, xmin=1, xmax=60, "
        "ymin=1e-16, ymax=10, ytick={1e-15,1e-10,1e-5,1}, legend pos=south west", 5.0, 3.2,
        {{"blue!70!black, very thick", "$c=0.5$", points(curves[0].series_errors, 1)},
         {"orange!90!black, very thick", "$c=0.9$", points(curves[1].series_errors, 1)}});
    return left + right;
}

void run(Context& ctx) {
    Rng data = ctx.rng("collapse");
    const Collapse cl = collapse(data, 0.9);
    ctx.stats["source_loss"] = {{"identity_loss", cl.identity_loss}, {"shrunk_loss", cl.shrunk_loss},
                                {"identity_nll", cl.identity_nll}, {"shrunk_nll", cl.shrunk_nll}};
    ctx.verdict("source-loss-misleads", "the source's loss falls while the true NLL rises",
                {{"loss", {cl.identity_loss, cl.shrunk_loss}}, {"nll", {cl.identity_nll, cl.shrunk_nll}}},
                cl.shrunk_loss < cl.identity_loss && cl.shrunk_nll > cl.identity_nll);
    Rng rng = ctx.rng("layer");
    const residual::Layer layer = aligned_layer(rng);
    const std::vector<double> x = {0.05, -0.03};
    std::vector<Curve> curves;
    for (double c : {0.5, 0.9}) curves.push_back(measure(layer, c, x));
    // The source's spectral_norm scales each layer to norm 1, so its bound is c = 1: no
    // contraction is guaranteed, and here the error hardly shrinks.
    residual::Layer source = layer;
    source.normalise(1.0);
    std::vector<double> wild_errors;
    source.inverse(source.forward(x), kIterations, &x, &wild_errors);
    for (const auto& cv : curves)
        ctx.stats["c" + tex_fixed(cv.c, 1)] = {{"rate", cv.rate}, {"steps_to_1e-10", cv.steps_to_tiny},
                                              {"terms_for_1e-3", terms_for(cv, 1e-3)},
                                              {"final_series_error", cv.series_errors.back()}};
    ctx.stats["c1.0_error_ratio_after_60"] = wild_errors.back() / wild_errors[0];
    ctx.verdict("rates-within-bounds", "each measured rate is at most its c", {{"0.5", curves[0].rate}, {"0.9", curves[1].rate}},
                curves[0].rate <= 0.5 && curves[1].rate <= 0.9);
    ctx.verdict("source-stalls", "at c = 1 the error after 60 steps is still above a tenth of the start",
                wild_errors.back() / wild_errors[0], wild_errors.back() > 0.1 * wild_errors[0]);

    ctx.figure("convergence", picture(charts(curves, wild_errors)), {});
    ctx.text = ctx.slide(
        "Spectral norm $c<1$ makes $x+g(x)$ invertible by iteration.",
        "\\includegraphics{" + ctx.figure_pdf("convergence") + "}",
        {fmt::format("Error $\\times${}, $\\times${} a step; at the source's $c=1$, {}\\% is left after 60.",
                     tex_fixed(curves[0].rate, 2), tex_fixed(curves[1].rate, 2),
                     tex_fixed(100 * wild_errors.back() / wild_errors[0], 0)),
         fmt::format("Source's $\\frac12|y|^2$: {}$\\to${} at $g=-0.9x$; the true NLL {}$\\to${}.",
                     tex_fixed(cl.identity_loss, 2), tex_fixed(cl.shrunk_loss, 2), tex_fixed(cl.identity_nll, 1),
                     tex_fixed(cl.shrunk_nll, 1))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s14-regularisation", nullptr, run)
}  // namespace flow::chapters::deck::s14
