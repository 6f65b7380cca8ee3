// Slide 8: two modes in one dimension, the seed's mixture 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2).
// The seed's log-determinant, |1 + net(x).diff()|, takes the difference along a single
// column: an empty array, so the loss is the mean of nothing. Run as written (xtensor's
// diff and mean behave as the snippet's): NaN. Fitted instead by a planar flow in 1D (exact
// log-determinant, maximum likelihood) and by flow matching (a field of x and t; its
// density by the continuous change of variables), each scored on held-out draws.
#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "common.hpp"
#include "imagefm/train.hpp"
#include "optim/adam.hpp"
#include "planar/flow.hpp"

namespace flow::chapters::deck::s08 {
namespace {

constexpr std::size_t kPoints = 2000;

double log_mixture(double x) {
    const auto lg = [](double x, double m) { return -0.5 * std::pow((x - m) / 0.5, 2) - std::log(0.5 * std::sqrt(2 * M_PI)); };
    const double a = lg(x, -2), b = lg(x, 2), top = std::max(a, b);
    return top + std::log(0.5 * std::exp(a - top) + 0.5 * std::exp(b - top));
}

Mat<double> draws(Rng& rng, std::size_t n) {
    Mat<double> x = Mat<double>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) x(i, 0) = (rng.uniform() < 0.5 ? -2.0 : 2.0) + 0.5 * rng.normal();
    return x;
}

// The seed's loss as written: log|1 + diff(net(x))| over one column, then the mean.
double seed_loss(const Mat<double>& x, Rng& rng) {
    nn::MLP<double> net(1, 64, 1, 3, rng);
    nn::MLP<double>::Tape tape;
    const Mat<double>& out = net.forward(x, tape);
    const xt::xtensor<double, 2> log_det = xt::log(xt::abs(1.0 + xt::diff(out, 1, 1)));
    const xt::xtensor<double, 2> log_prob = -0.5 * x * x - 0.5 * std::log(2 * M_PI);
    return -xt::mean(log_prob - log_det)();
}

planar::Flow<double> fit_planar(const Mat<double>& x, Rng& rng) {
    planar::Flow<double> flow(1, 16, rng);
    nn::Params<double> ps;
    flow.params(ps);
    optim::Adam<double> adam(ps);
    const optim::CosineSchedule lr{0.01, 3000};
    planar::Flow<double>::Tape tape;
    for (std::size_t step = 0; step < 3000; ++step) {
        adam.zero_grad();
        flow.loss(x, tape);
        flow.backward(tape);
        adam.step(lr(step));
    }
    return flow;
}

imagefm::Field fit_field(const Mat<double>& data, Rng& rng) {
    double mean = 0, var = 0;
    for (double v : data) mean += v / double(data.size());
    for (double v : data) var += (v - mean) * (v - mean) / double(data.size());
    imagefm::Field field = imagefm::make_field({float(mean)}, {float(var)}, 64, 3, rng);
    nn::Params<float> ps;
    field.net.params(ps, "field");
    optim::Adam<float> adam(ps);
    const std::size_t steps = 6000, B = 256;
    const optim::CosineSchedule lr{0.003, steps};
    Mat<float> in = Mat<float>::from_shape({B, imagefm::field_inputs(1)}), dv = Mat<float>::from_shape({B, 1}), dx;
    nn::MLP<float>::Tape tape;
    for (std::size_t step = 0; step < steps; ++step) {
        std::vector<float> target(B), times(B);
        for (std::size_t i = 0; i < B; ++i) {
            const float x = float(data(rng.below(data.shape(0)), 0)), eps = float(rng.normal()), t = float(rng.uniform());
            in(i, 0) = t * x + (1 - t) * eps;
            imagefm::time_columns(t, &in(i, 1));
            target[i] = x - eps;
            times[i] = t;
        }
        Mat<float> v = field.net.forward(in, tape);
        imagefm::add_gaussian(field, in.data(), in.shape(1), times, v);
        for (std::size_t i = 0; i < B; ++i) dv(i, 0) = 2.0f * (v(i, 0) - target[i]) / float(B);
        adam.zero_grad();
        field.net.backward(dv, in, tape, dx);
        adam.step(lr(step));
    }
    return field;
}

void run(Context& ctx) {
    Rng rng = ctx.rng("data");
    const Mat<double> train = draws(rng, kPoints), held = draws(rng, kPoints);
    Rng init = ctx.rng("seed-snippet");
    const double seed = seed_loss(train, init);
    ctx.stats["seed_loss_as_written"] = std::isnan(seed) ? "NaN" : std::to_string(seed);
    Rng planar_init = ctx.rng("planar"), fm_rng = ctx.rng("flow-matching");
    const planar::Flow<double> flow = fit_planar(train, planar_init);
    const imagefm::Field field = fit_field(train, fm_rng);

    // Densities on a grid (their integrals) and on the held-out draws (the NLL).
    const std::size_t n = 500;
    Mat<double> grid = Mat<double>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) grid(i, 0) = -6 + 12 * (double(i) + 0.5) / double(n);
    Rng probes = ctx.rng("probes");
    const auto nf_grid = flow.log_prob(grid);
    const auto fm_grid = imagefm::log_density(field, Mat<float>(xt::cast<float>(grid)), 100, probes, true);
    const auto nf_held = flow.log_prob(held);
    const auto fm_held = imagefm::log_density(field, Mat<float>(xt::cast<float>(held)), 100, probes, true);
    double nf_mass = 0, fm_mass = 0, nf_nll = 0, fm_nll = 0, true_nll = 0;
    for (std::size_t i = 0; i < n; ++i) nf_mass += std::exp(nf_grid[i]) * 12 / double(n), fm_mass += std::exp(fm_grid[i]) * 12 / double(n);
    for (std::size_t i = 0; i < kPoints; ++i) {
        nf_nll -= nf_held[i] / double(kPoints);
        fm_nll -= fm_held[i] / double(kPoints);
        true_nll -= log_mixture(held(i, 0)) / double(kPoints);
    }
    ctx.stats["planar"] = {{"integral", nf_mass}, {"held_out_nll", nf_nll}};
    ctx.stats["flow_matching"] = {{"integral", fm_mass}, {"held_out_nll", fm_nll}};
    ctx.stats["truth_held_out_nll"] = true_nll;
    ctx.verdict("both-close", "both held-out NLLs within 0.05 nats of the true density's, both integrals within 0.01 of 1",
                {{"planar", nf_nll}, {"fm", fm_nll}, {"truth", true_nll}},
                nf_nll - true_nll < 0.05 && fm_nll - true_nll < 0.05 && std::fabs(nf_mass - 1) < 0.01 &&
                    std::fabs(fm_mass - 1) < 0.01);

    std::vector<std::array<double, 2>> truth, nf_line, fm_line;
    for (std::size_t i = 0; i < n; ++i) {
        truth.push_back({grid(i, 0), std::exp(log_mixture(grid(i, 0)))});
        nf_line.push_back({grid(i, 0), std::exp(nf_grid[i])});
        fm_line.push_back({grid(i, 0), std::exp(fm_grid[i])});
    }
    const std::string axis = chart_axis(
        "xlabel={$x$}, ylabel={density}, xmin=-5, xmax=5, ymin=0, ymax=0.55, "
        "legend pos=outer north east", 6.8, 3.3,
        {{"black, dashed, very thick", "true mixture", truth},
         {"blue!70!black, thick", fmt::format("planar flow, NLL {}", tex_fixed(nf_nll, 3)), nf_line},
         {"orange!90!black, thick", fmt::format("flow matching, NLL {}", tex_fixed(fm_nll, 3)), fm_line}});
    ctx.figure("densities", picture(axis), {});
    ctx.text = ctx.slide(
        "Both fit two modes: a planar flow by NLL, flow matching by regression.",
        "\\includegraphics{" + ctx.figure_pdf("densities") + "}",
        {fmt::format("The source's \\texttt{{.diff()}} of one column is empty: loss {}, nothing trains.", std::isnan(seed) ? "NaN" : "finite"),
         fmt::format("True density's held-out NLL {} nats; both integrate to {}.", tex_fixed(true_nll, 3),
                     nf_mass > 0.995 && nf_mass < 1.005 && fm_mass > 0.995 && fm_mass < 1.005 ? "1.00" : "other than 1")});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s08-multimodal", nullptr, run)
}  // namespace flow::chapters::deck::s08
