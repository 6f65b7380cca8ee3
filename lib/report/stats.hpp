#pragma once
// The numbers that describe a figure: counts, means, covariances, shares in the support.
// All in the standardised coordinates the models work in; accumulation in double.
#include <array>
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "data/dataset.hpp"

namespace flow::report {

struct CloudStats {
    std::size_t count = 0;
    std::array<double, 2> mean{0.0, 0.0};
    std::array<std::array<double, 2>, 2> cov{};  // population covariance
    nlohmann::json to_json() const;
};

// Statistics of the rows of x (n, 2) selected by `rows` (all rows when empty).
CloudStats cloud_stats(const xt::xtensor<float, 2>& x, const std::vector<std::size_t>& rows = {});

// The mean (each value divided by the count, then summed) and the median of values.
double mean(const std::vector<double>& v);
double median(std::vector<double> v);

// Share of the selected rows whose raw position (through `scale`) lies in region
// `region` of the data set's support (anywhere in the support when region < 0).
double share_in_region(const xt::xtensor<float, 2>& x, const data::Standardiser& scale, const data::Dataset& set,
                       int region, const std::vector<std::size_t>& rows = {});

// cloud_stats plus the share in the support ("share_in_support") and in each region
// ("share_per_region", by name), through `scale` to the data set's raw units.
nlohmann::json support_quality(const xt::xtensor<float, 2>& x, const data::Standardiser& scale,
                               const data::Dataset& set);

// Paths given as states (steps, n, 2): each path's length (sum of its segments), the
// straight distance between its ends, and their ratio (1 for a straight path).
struct PathStats {
    std::vector<double> length, straight, ratio;
    double mean_length = 0, mean_ratio = 0, max_ratio = 0;
};
PathStats path_stats(const std::vector<xt::xtensor<float, 2>>& states);

// Sliced 2-Wasserstein distance between the rows of a (n, 2) and b (m, 2): the root of
// the mean, over `directions` evenly spaced directions of the half circle, of the
// squared 1D Wasserstein-2 distance between the projections (quantiles compared at
// levels (k + 1/2) / max(n, m)). Deterministic; 0 for identical sets.
double sliced_wasserstein(const xt::xtensor<float, 2>& a, const xt::xtensor<float, 2>& b,
                          std::size_t directions = 64);

}  // namespace flow::report
