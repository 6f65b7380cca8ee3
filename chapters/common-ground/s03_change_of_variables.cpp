// Slide 3: the change of variables, on the seed's example Y = e^X, X ~ N(0, 1):
// log p_Y(y) = log p_X(log y) - log y. The formula integrates to 1 and matches a
// histogram of draws; with the log-determinant's sign flipped it integrates to e^2.
#include <cmath>

#include "common.hpp"

namespace flow::chapters::deck::s03 {
namespace {

constexpr double kHi = 6.0;
constexpr std::size_t kBins = 40, kDraws = 100000;

double log_phi(double x) { return -0.5 * x * x - 0.5 * std::log(2 * M_PI); }
// The density by the formula, and with the log-determinant added instead of subtracted.
double density(double y) { return std::exp(log_phi(std::log(y)) - std::log(y)); }
double flipped(double y) { return std::exp(log_phi(std::log(y)) + std::log(y)); }

// The integral over (0, inf) of g, as an integral over x = log y in [-12, 12]: dy = y dx.
template <class G>
double integral(G g) {
    const std::size_t n = 200000;
    const double h = 24.0 / double(n);
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = std::exp(-12 + (double(i) + 0.5) * h);
        s += g(y) * y * h;
    }
    return s;
}

void run(Context& ctx) {
    const double mass = integral(density), flipped_mass = integral(flipped);
    Rng rng = ctx.rng("draws");
    const double w = kHi / double(kBins);
    std::vector<double> hist(kBins, 0.0);
    for (std::size_t i = 0; i < kDraws; ++i) {
        const double y = std::exp(rng.normal());
        if (y < kHi) hist[std::size_t(y / w)] += 1.0 / double(kDraws);
    }
    // Each bin's exact mass: the normal CDF at the log of its edges.
    double tv = 0, inside = 0, drawn = 0;
    const auto cdf = [](double y) { return y <= 0 ? 0.0 : 0.5 * std::erfc(-std::log(y) / std::sqrt(2.0)); };
    for (std::size_t b = 0; b < kBins; ++b) {
        const double p = cdf((double(b) + 1) * w) - cdf(double(b) * w);
        tv += std::fabs(p - hist[b]);
        inside += p;
        drawn += hist[b];
    }
    tv = 0.5 * (tv + std::fabs((1 - inside) - (1 - drawn)));
    ctx.stats["integral"] = mass;
    ctx.stats["integral_flipped"] = flipped_mass;
    ctx.stats["total_variation"] = tv;
    ctx.verdict("integrates-to-one", "the formula's integral is 1 within 1e-6", {{"integral", mass}},
                std::fabs(mass - 1) < 1e-6);
    ctx.verdict("flipped-is-e-squared", "the flipped sign's integral is e^2 within 1e-4",
                {{"integral", flipped_mass}}, std::fabs(flipped_mass - std::exp(2.0)) < 1e-4);

    std::vector<std::array<double, 2>> bars, good, bad;
    for (std::size_t b = 0; b < kBins; ++b) bars.push_back({(double(b) + 0.5) * w, hist[b] / w});
    for (int i = 1; i <= 240; ++i) {
        const double y = kHi * i / 240.0;
        good.push_back({y, density(y)});
        bad.push_back({y, flipped(y)});
    }
    const std::string axis = chart_axis(
        "xlabel={$y$}, ylabel={density}, xmin=0, xmax=6, ymin=0, ymax=0.75, legend pos=outer north east", 6.4, 3.3,
        {{fmt::format("ybar, bar width={}, bar shift=0pt, fill=black!18, draw=none, area legend", w), "$10^5$ draws of $e^X$", bars},
         {"blue!70!black, very thick", "$p_X(\\log y)\\,/\\,y$", good},
         {"red!80!black, very thick, dashed", "a common slip: $+\\log|f'|$", bad}});
    ctx.figure("density", picture(axis), {});
    ctx.text = ctx.slide(
        "For a monotone $f$: $\\log p_Y(y)=\\log p_X(x)-\\log|f'(x)|$.",
        "\\includegraphics{" + ctx.figure_pdf("density") + "}",
        {fmt::format("The source's $Y=e^X$: $p_Y$ integrates to {}; TV to $10^5$ draws {}.", tex_fixed(mass, 3),
                     tex_fixed(tv, 3)),
         fmt::format("With $+\\log|f'|$ it integrates to {} $=e^2$: not a density.", tex_fixed(flipped_mass, 2))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s03-change-of-variables", nullptr, run)
}  // namespace flow::chapters::deck::s03
