#include "data/points.hpp"

#include <cmath>

namespace flow::data {

// Standardises raw (x, y) pairs into a float set; statistics accumulate in double.
PointSet standardise(const std::vector<std::array<double, 2>>& raw) {
    PointSet s;
    const double n = static_cast<double>(raw.size());
    for (int c = 0; c < 2; ++c) {
        double sum = 0.0;
        for (const auto& p : raw) sum += p[c];
        const double mean = sum / n;
        double ss = 0.0;
        for (const auto& p : raw) ss += (p[c] - mean) * (p[c] - mean);
        s.scale.mean[c] = mean;
        s.scale.std[c] = std::sqrt(ss / n);
    }
    s.x = xt::xtensor<float, 2>::from_shape({raw.size(), 2});
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto z = s.scale.to_standard(raw[i][0], raw[i][1]);
        s.x(i, 0) = static_cast<float>(z[0]);
        s.x(i, 1) = static_cast<float>(z[1]);
    }
    return s;
}

xt::xtensor<float, 2> in_frame(const PointSet& set, const Standardiser& frame) {
    xt::xtensor<float, 2> out = xt::xtensor<float, 2>::from_shape({set.x.shape(0), 2});
    for (std::size_t i = 0; i < set.x.shape(0); ++i) {
        const auto raw = set.scale.to_raw(set.x(i, 0), set.x(i, 1));
        const auto z = frame.to_standard(raw[0], raw[1]);
        out(i, 0) = float(z[0]);
        out(i, 1) = float(z[1]);
    }
    return out;
}

}  // namespace flow::data
