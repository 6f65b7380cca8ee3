#include "data/olympic.hpp"

#include <cmath>
#include <vector>

namespace flow::data {

const std::array<Ring, kClasses>& rings() {
    static const std::array<Ring, kClasses> r{{
        {"black", 2.0, 0.0, "000000"},
        {"blue", 0.0, 0.0, "0081C8"},
        {"green", 3.0, -1.0, "00A651"},
        {"red", 4.0, 0.0, "EE334E"},
        {"yellow", 1.0, -1.0, "FCB131"},
    }};
    return r;
}

Standardiser reference_unconditional() { return {{1.999, -0.421}, {1.590, 0.845}}; }
Standardiser reference_conditional() { return {{2.000, -0.399}, {1.581, 0.864}}; }

bool on_ring(double x, double y, int label) {
    const Ring& r = rings()[static_cast<std::size_t>(label)];
    const double d = std::hypot(x - r.cx, y - r.cy);
    return d >= kBandInner && d <= kBandOuter;
}

int ring_of(double x, double y) {
    for (int k = 0; k < kClasses; ++k)
        if (on_ring(x, y, k)) return k;
    return -1;
}

double union_area(int per_unit) {
    // The support of the unconditional set: the bands within the sampling box
    // [-1, 5] x [-2, 1], which cuts the outer edges of the end rings.
    const double x0 = -1.0, x1 = 5.0, y0 = -2.0, y1 = 1.0, h = 1.0 / per_unit;
    const long nx = std::lround((x1 - x0) * per_unit), ny = std::lround((y1 - y0) * per_unit);
    long inside = 0;
    for (long i = 0; i < nx; ++i)
        for (long j = 0; j < ny; ++j)
            if (ring_of(x0 + (double(i) + 0.5) * h, y0 + (double(j) + 0.5) * h) >= 0) ++inside;
    return double(inside) * h * h;
}

double entropy_floor(const Standardiser& frame, double area) {
    return std::log(area / (frame.std[0] * frame.std[1]));
}

PointSet unconditional_rings(std::size_t n, Rng& rng) {
    std::vector<std::array<double, 2>> raw;
    raw.reserve(n);
    while (raw.size() < n) {
        const double x = rng.uniform(-1.0, 5.0);
        const double y = rng.uniform(-2.0, 1.0);
        if (ring_of(x, y) >= 0) raw.push_back({x, y});
    }
    return standardise(raw);
}

PointSet conditional_rings(std::size_t n, Rng& rng) {
    const std::size_t per_ring = n / kClasses;
    std::vector<std::array<double, 2>> raw;
    std::vector<int> labels;
    raw.reserve(per_ring * kClasses);
    // The sampling order: blue, black, red, yellow, green.
    for (int label : {1, 0, 3, 4, 2}) {
        const Ring& r = rings()[static_cast<std::size_t>(label)];
        for (std::size_t i = 0; i < per_ring; ++i) {
            const double radius = rng.uniform(kBandInner, kBandOuter);
            const double angle = rng.uniform(0.0, 2.0 * M_PI);
            raw.push_back({r.cx + radius * std::cos(angle), r.cy + radius * std::sin(angle)});
            labels.push_back(label);
        }
    }
    PointSet s = standardise(raw);
    s.labels = xt::xtensor<int, 1>::from_shape({labels.size()});
    std::copy(labels.begin(), labels.end(), s.labels.begin());
    return s;
}

}  // namespace flow::data
