#pragma once
// Points in two dimensions as models see them: standardised per coordinate, with the
// standardisation kept so that any point can be mapped back to the data's own units or
// into another set's frame.
#include <array>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace flow::data {

// Mean and (population) standard deviation per coordinate of a raw set.
struct Standardiser {
    std::array<double, 2> mean{0.0, 0.0};
    std::array<double, 2> std{1.0, 1.0};
    std::array<double, 2> to_raw(double x, double y) const {
        return {x * std[0] + mean[0], y * std[1] + mean[1]};
    }
    std::array<double, 2> to_standard(double x, double y) const {
        return {(x - mean[0]) / std[0], (y - mean[1]) / std[1]};
    }
};

struct PointSet {
    xt::xtensor<float, 2> x;       // (n, 2), standardised
    xt::xtensor<int, 1> labels;    // (n,) class labels; empty for an unlabelled set
    Standardiser scale;            // what was subtracted and divided
};

// Standardises raw (x, y) pairs into a float set; statistics accumulate in double.
PointSet standardise(const std::vector<std::array<double, 2>>& raw);

// The points of a set mapped into another set's standardised frame (e.g. held-out
// points into the frame of the model's training set).
xt::xtensor<float, 2> in_frame(const PointSet& set, const Standardiser& frame);

}  // namespace flow::data
