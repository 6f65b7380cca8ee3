#pragma once
// The mass of a learned density over a square, for the tests that it integrates to 1.
#include <cmath>

#include "nn/layers.hpp"

namespace flow::test {

// Σ exp(log p) h² over the midpoints of the cells of side h that tile [lo, -lo]²;
// log_prob maps an (n, 2) matrix of points (of element type T) to their log-densities.
template <class T, class LogProb>
double grid_mass(LogProb log_prob, double lo, double h) {
    const std::size_t n = std::size_t(std::llround(-2 * lo / h));
    nn::Mat<T> grid = nn::Mat<T>::from_shape({n * n, std::size_t(2)});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            grid(i * n + j, 0) = T(lo + (double(i) + 0.5) * h);
            grid(i * n + j, 1) = T(lo + (double(j) + 0.5) * h);
        }
    double mass = 0;
    for (double lp : log_prob(grid)) mass += std::exp(lp) * h * h;
    return mass;
}

}  // namespace flow::test
