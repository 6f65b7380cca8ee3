// Slide 6: the likelihood objective, on the source's affine flow y = x e^a + b and its
// 1000 standard-normal points, trained with Adam at the source's rate for its 1000 steps.
// The source's loss, -mean(log N(x) - a), scores the data instead of the flow's output: its
// gradient in a is 1 whatever the data, so a falls without end. It also subtracts the
// log-determinant a: scoring y but keeping that sign, the gradient e^{2a} E[x^2] + 1 stays
// positive, and a still falls. The likelihood
// -mean(log N(y) + a) has its minimum where e^a = 1 / sd(x) and b = -mean(x) / sd(x), at
// log sd(x) + (1 + log 2 pi) / 2.
#include <cmath>

#include "common.hpp"
#include "optim/adam.hpp"

namespace flow::chapters::deck::s06 {
namespace {

constexpr std::size_t kPoints = 1000, kSteps = 1000;
constexpr double kLr = 0.01;

struct Run {
    double a = 0, b = 0;
    std::vector<std::array<double, 2>> loss;  // (step, loss)
};

// The objectives: the source's (scores x, subtracts log|dy/dx| = a), the source's with only
// its first slip mended (scores y, still subtracts a), and the likelihood (scores y, adds a).
enum class Loss { Source, HalfMended, Likelihood };

// Trains (a, b) from the given start on one of the objectives.
Run train(const std::vector<double>& x, double a0, double b0, Loss which) {
    const bool seed_loss = which == Loss::Source, add = which == Loss::Likelihood;
    Run r{a0, b0, {}};
    double ga = 0, gb = 0;
    optim::Adam<double> adam({{"a", &r.a, &ga, {1}}, {"b", &r.b, &gb, {1}}});
    const double log2pi = std::log(2 * M_PI);
    for (std::size_t step = 0; step < kSteps; ++step) {
        double loss = 0;
        ga = gb = 0;
        for (double xi : x) {
            const double s = std::exp(r.a), y = xi * s + r.b;
            const double scored = seed_loss ? xi : y;
            loss += (0.5 * scored * scored + 0.5 * log2pi + (add ? -r.a : r.a)) / double(x.size());
            if (seed_loss) {
                ga += 1.0 / double(x.size());
            } else {
                ga += (y * xi * s + (add ? -1 : 1)) / double(x.size());
                gb += y / double(x.size());
            }
        }
        r.loss.push_back({double(step + 1), loss});
        adam.step(kLr);
    }
    return r;
}

void run(Context& ctx) {
    Rng rng = ctx.rng("data");
    std::vector<double> x(kPoints);
    double mean = 0, var = 0;
    for (auto& v : x) v = rng.normal(), mean += v / double(kPoints);
    for (double v : x) var += (v - mean) * (v - mean) / double(kPoints);
    const double a0 = rng.normal(), b0 = rng.normal();
    const Run seed = train(x, a0, b0, Loss::Source), half = train(x, a0, b0, Loss::HalfMended),
              right = train(x, a0, b0, Loss::Likelihood);
    const double best = 0.5 * std::log(var) + 0.5 * (1 + std::log(2 * M_PI));
    const double a_star = -0.5 * std::log(var), b_star = -mean / std::sqrt(var);
    ctx.stats["start"] = {{"a", a0}, {"b", b0}};
    ctx.stats["seed_loss"] = {{"a", seed.a}, {"b", seed.b}, {"loss", seed.loss.back()[1]}};
    ctx.stats["half_mended"] = {{"a", half.a}, {"b", half.b}, {"loss", half.loss.back()[1]}};
    ctx.stats["likelihood"] = {{"a", right.a}, {"b", right.b}, {"loss", right.loss.back()[1]}};
    ctx.stats["optimum"] = {{"a", a_star}, {"b", b_star}, {"loss", best}};
    const bool seed_runs_away = seed.a < a0 - 5 && seed.loss.back()[1] < seed.loss[kSteps - 100][1] - 0.5;
    ctx.verdict("seed-runs-away", "the source's a fell by more than 5 and its loss still fell by 0.5 over the last 100 steps",
                {{"a", seed.a}, {"a0", a0}}, seed_runs_away);
    const bool converged = std::fabs(right.loss.back()[1] - best) < 1e-3;
    ctx.verdict("likelihood-converges", "the likelihood's final loss is within 1e-3 nats of its closed-form minimum",
                {{"loss", right.loss.back()[1]}, {"minimum", best}}, converged);

    const std::string axis = chart_axis(
        "xlabel={Adam step}, ylabel={$-$mean of it (nats)}, xmin=0, xmax=1000, xtick={0,500,1000}, ymin=-10, ymax=4, "
        "legend pos=outer north east",
        5.0, 3.1,
        {{"red!80!black, very thick", "source: $\\log N(x)-\\log|dy/dx|$", seed.loss},
         {"orange!90!black, very thick, dashed", "$\\log N(y)-\\log|dy/dx|$", half.loss},
         {"blue!70!black, very thick", "$\\log N(y)+\\log|dy/dx|$", right.loss},
         {"black, dashed", "closed-form minimum", {{0, best}, {1000, best}}}});
    ctx.figure("loss", picture(axis), {});
    ctx.text = ctx.slide(
        "A flow's log-likelihood scores $y=f(x)$ and adds $\\log|dy/dx|$.",
        "\\includegraphics{" + ctx.figure_pdf("loss") + "}",
        {fmt::format("Source's loss: $a={}$ in 1000 steps, {}; with $y$ alone: $a={}$.", tex_fixed(seed.a, 1),
                     seed_runs_away ? "falling" : "settled", tex_fixed(half.a, 1)),
         fmt::format("The NLL: $a={}$, $b={}$, loss {}, exact optimum {}.", tex_fixed(right.a, 2),
                     tex_fixed(right.b, 2), tex_fixed(right.loss.back()[1], 3), tex_fixed(best, 3))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s06-objectives", nullptr, run)
}  // namespace flow::chapters::deck::s06
