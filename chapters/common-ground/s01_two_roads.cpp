// Slide 1: both families carry Gaussian draws through a map. The seed's map
// f(x) = e^x + sin x: the law of f(X), X ~ N(0, 1), computed exactly (each bin's
// Gaussian mass, summed over a fine grid of x), against a histogram of draws; and where
// f is not one-to-one (f' < 0 between two roots of e^x + cos x).
#include <algorithm>
#include <cmath>

#include "common.hpp"

namespace flow::chapters::deck::s01 {
namespace {

constexpr double kLo = -1.0, kHi = 8.0;
constexpr std::size_t kBins = 45, kDraws = 100000;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double f(double x) { return std::exp(x) + std::sin(x); }
double df(double x) { return std::exp(x) + std::cos(x); }

// The root of f' in [a, b] (f' changes sign there), by bisection.
double root_of_slope(double a, double b) {
    for (int i = 0; i < 200; ++i) {
        const double m = 0.5 * (a + b);
        ((df(a) < 0) == (df(m) < 0) ? a : b) = m;
    }
    return 0.5 * (a + b);
}

// The law of f(X) from one pass over a fine grid of x: each bin's Gaussian mass over
// [kLo, kHi] (kBins bins), and the mass of the x whose image lies in (y_lo, y_hi).
struct Law {
    std::vector<double> bins;
    double between = 0;
};
Law exact_law(double y_lo, double y_hi) {
    Law law{std::vector<double>(kBins, 0.0), 0.0};
    const std::size_t n = 4000000;
    const double a = -9, h = 18.0 / double(n), norm = 1 / std::sqrt(2 * M_PI);
    for (std::size_t i = 0; i < n; ++i) {
        const double x = a + (double(i) + 0.5) * h, y = f(x), mass = std::exp(-0.5 * x * x) * h * norm;
        if (y >= kLo && y < kHi) law.bins[std::size_t((y - kLo) / (kHi - kLo) * kBins)] += mass;
        if (y > y_lo && y < y_hi) law.between += mass;
    }
    return law;
}
// Bin shares of f(X) of kDraws draws from rng.
std::vector<double> histogram(Rng& rng) {
    std::vector<double> p(kBins, 0.0);
    for (std::size_t i = 0; i < kDraws; ++i) {
        const double y = f(rng.normal());
        if (y >= kLo && y < kHi) p[std::size_t((y - kLo) / (kHi - kLo) * kBins)] += 1.0 / double(kDraws);
    }
    return p;
}
double total_variation(const std::vector<double>& p, const std::vector<double>& q) {
    double s = 0, mp = 0, mq = 0;
    for (std::size_t i = 0; i < p.size(); ++i) s += std::fabs(p[i] - q[i]), mp += p[i], mq += q[i];
    return 0.5 * (s + std::fabs((1 - mp) - (1 - mq)));
}

void run(Context& ctx) {
    const double fold_hi = root_of_slope(-2.0, -1.5), fold_lo = root_of_slope(-5.0, -4.0);
    const double folded = normal_cdf(fold_hi) - normal_cdf(fold_lo);
    // Values in (f(fold_hi), f(fold_lo)) (a local minimum and maximum) have several
    // preimages: the share of draws whose image is such a value.
    const double y_lo = f(fold_hi), y_hi = f(fold_lo);
    const Law computed = exact_law(y_lo, y_hi);
    const auto& law = computed.bins;
    const double shared = computed.between;
    Rng rng = ctx.rng("draws");
    const auto hist = histogram(rng);
    const double tv = total_variation(hist, law);
    // Sampling noise: the same distance for 19 more histograms of as many draws.
    std::vector<double> others;
    for (int k = 0; k < 19; ++k) others.push_back(total_variation(histogram(rng), law));
    const double worst = *std::max_element(others.begin(), others.end());
    const bool matches = ctx.verdict("histogram-matches-law", "the histogram's TV distance to the exact law is below the largest of 19 "
                "fresh histograms' (a rank test at 5%)", {{"tv", tv}, {"fresh_max", worst}}, tv <= worst);
    ctx.stats["fold"] = {{"from", fold_lo}, {"to", fold_hi}, {"mass", folded}, {"values_from", y_lo}, {"values_to", y_hi},
                         {"shared_mass", shared}};
    ctx.stats["total_variation"] = tv;

    const double w = (kHi - kLo) / double(kBins);
    std::vector<std::array<double, 2>> bars, exact, curve, fold;
    for (std::size_t b = 0; b < kBins; ++b) {
        bars.push_back({kLo + (double(b) + 0.5) * w, hist[b] / w});
        exact.push_back({kLo + (double(b) + 0.5) * w, law[b] / w});
    }
    for (int i = 0; i <= 160; ++i) {
        const double x = -5.5 + 8.0 * i / 160.0;
        curve.push_back({x, f(x)});
        if (x > fold_lo && x < fold_hi) fold.push_back({x, f(x)});
    }
    const std::string left = chart_axis(
        "xlabel={$x$}, ylabel={$f(x)$}, xmin=-5.5, xmax=2.5, ymin=-1.5, ymax=9, legend pos=north west",
        4.6, 3.3,
        {{"black, thick", "$e^x+\\sin x$", curve}, {"red!80!black, line width=2.5pt", "$f'<0$", fold}});
    const std::string right = chart_axis(
        "at={(6.9cm,0)}, xlabel={$y=f(x)$}, ylabel={density}, xmin=-1, xmax=8, ymin=0, legend pos=north east",
        6.6, 3.3,
        {{fmt::format("ybar, bar width={}, bar shift=0pt, fill=black!18, draw=none, area legend", w), "$10^5$ draws", bars},
         {"blue!70!black, thick, mark=none, const plot mark mid", "exact law (spike: $f'=0$)", exact}});
    ctx.figure("map", picture(left + right), {});
    ctx.text = ctx.slide(
        "Both push Gaussian draws through a map; only a bijection inverts.",
        "\\includegraphics{" + ctx.figure_pdf("map") + "}",
        {fmt::format("$10^5$ draws of $f(X)$ {} its law summed over preimages (TV {}).",
                     matches ? "match" : "differ from", tex_fixed(tv, 3)),
         fmt::format("{}\\% of draws land on a $y$ with several preimages: no inverse.", tex_fixed(100 * shared, 0))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s01-two-roads", nullptr, run)
}  // namespace flow::chapters::deck::s01
