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

double shape_log_density(Shape s, double x, double y) {
    // log of (1/2) (1/N) sum over both components and the N midpoints of
    // N(x; c, sigma^2 I), by log-sum-exp.
    const double sigma = spec(s).noise, inv = 1.0 / (2 * sigma * sigma);
    const auto& c = nodes(s);
    static thread_local std::vector<double> e(c.size());
    double top = -INFINITY;
    for (std::size_t j = 0; j < c.size(); ++j) {
        const double dx = x - c[j][0], dy = y - c[j][1];
        e[j] = -(dx * dx + dy * dy) * inv;
        top = std::max(top, e[j]);
    }
    double sum = 0;
    for (double v : e) sum += std::exp(v - top);
    return top + std::log(sum / double(2 * kCurveNodes)) - std::log(2 * kPi * sigma * sigma);
}

double shape_log_marginal(Shape s, int coordinate, double v) {
    const double sigma = spec(s).noise, inv = 1.0 / (2 * sigma * sigma);
    const auto& c = nodes(s);
    double top = -INFINITY;
    for (const auto& p : c) top = std::max(top, -(v - p[coordinate]) * (v - p[coordinate]) * inv);
    double sum = 0;
    for (const auto& p : c) sum += std::exp(-(v - p[coordinate]) * (v - p[coordinate]) * inv - top);
    return top + std::log(sum / double(c.size())) - 0.5 * std::log(2 * kPi * sigma * sigma);
}

}  // namespace flow::data
