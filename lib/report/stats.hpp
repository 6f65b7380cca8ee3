#pragma once
// The numbers that describe a figure: counts, means, covariances, ring membership.
// All in the standardised coordinates the models work in; accumulation in double.
#include <array>
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "data/olympic.hpp"

namespace flow::report {

struct CloudStats {
    std::size_t count = 0;
    std::array<double, 2> mean{0.0, 0.0};
    std::array<std::array<double, 2>, 2> cov{};  // population covariance
    nlohmann::json to_json() const;
};

// Statistics of the rows of x (n, 2) selected by `rows` (all rows when empty).
CloudStats cloud_stats(const xt::xtensor<float, 2>& x, const std::vector<std::size_t>& rows = {});

// Share of the selected rows whose raw position (through `scale`) lies in ring `label`
// (any ring when label < 0).
double share_on_ring(const xt::xtensor<float, 2>& x, const data::Standardiser& scale, int label,
                     const std::vector<std::size_t>& rows = {});

// Sliced 2-Wasserstein distance between the rows of a (n, 2) and b (m, 2): the root of
// the mean, over `directions` evenly spaced directions of the half circle, of the
// squared 1D Wasserstein-2 distance between the projections (quantiles compared at
// levels (k + 1/2) / max(n, m)). Deterministic; 0 for identical sets.
double sliced_wasserstein(const xt::xtensor<float, 2>& a, const xt::xtensor<float, 2>& b,
                          std::size_t directions = 64);

}  // namespace flow::report
