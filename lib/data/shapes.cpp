#include "data/shapes.hpp"

#include <algorithm>
#include <cmath>

namespace flow::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Point u in [0, 1) of component k's curve.
std::array<double, 2> curve(Shape s, int k, double u) {
    if (s == Shape::Moons) {
        const double t = kPi * u;
        return k == 0 ? std::array<double, 2>{std::cos(t), std::sin(t)}
                      : std::array<double, 2>{1.0 - std::cos(t), 0.5 - std::sin(t)};
    }
    const double r = k == 0 ? 1.0 : spec(s).factor, a = 2 * kPi * u;
    return {r * std::cos(a), r * std::sin(a)};
}

// The midpoint nodes of both components' curves, computed once per shape.
const std::vector<std::array<double, 2>>& nodes(Shape s) {
    static const auto make = [](Shape sh) {
        std::vector<std::array<double, 2>> v;
        for (int k = 0; k < 2; ++k)
            for (std::size_t j = 0; j < kCurveNodes; ++j) v.push_back(curve(sh, k, (double(j) + 0.5) / double(kCurveNodes)));
        return v;
    };
    static const auto moons = make(Shape::Moons), circles = make(Shape::Circles);
    return s == Shape::Moons ? moons : circles;
}

}  // namespace

const ShapeSpec& spec(Shape s) {
    static const ShapeSpec moons{"moons", 0.1, 0.0}, circles{"circles", 0.05, 0.5};
    return s == Shape::Moons ? moons : circles;
}

std::vector<std::array<double, 2>> shape_points(Shape s, std::size_t n, Rng& rng) {
    const double sigma = spec(s).noise;
    std::vector<std::array<double, 2>> pts(n);
    for (auto& p : pts) {
        const int k = rng.uniform(0.0, 1.0) < 0.5 ? 0 : 1;
        const auto c = curve(s, k, rng.uniform(0.0, 1.0));
        p = {c[0] + sigma * rng.normal(), c[1] + sigma * rng.normal()};
    }
    return pts;
}

namespace {
// log of the mean over the curve nodes c of N(v; c, sigma^2 I) in `dims` dimensions,
// given sq(c) = |v - c|^2, by log-sum-exp.
template <class SquaredDistance>
double log_mean_kernel(Shape s, std::size_t dims, SquaredDistance sq) {
    const double sigma = spec(s).noise, inv = 1.0 / (2 * sigma * sigma);
    const auto& c = nodes(s);
    static thread_local std::vector<double> e;
    e.resize(c.size());
    double top = -INFINITY;
    for (std::size_t j = 0; j < c.size(); ++j) {
        e[j] = -sq(c[j]) * inv;
        top = std::max(top, e[j]);
    }
    double sum = 0;
    for (double v : e) sum += std::exp(v - top);
    return top + std::log(sum / double(c.size())) - 0.5 * double(dims) * std::log(2 * kPi * sigma * sigma);
}
}  // namespace

double shape_log_density(Shape s, double x, double y) {
    return log_mean_kernel(s, 2, [&](const std::array<double, 2>& c) {
        const double dx = x - c[0], dy = y - c[1];
        return dx * dx + dy * dy;
    });
}

double shape_log_marginal(Shape s, int coordinate, double v) {
    return log_mean_kernel(s, 1, [&](const std::array<double, 2>& c) {
        const double d = v - c[std::size_t(coordinate)];
        return d * d;
    });
}

}  // namespace flow::data
