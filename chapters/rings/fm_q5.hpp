#pragma once
// What fm-q5-reverse's two files share (fm_q5_reverse.cpp, fm_q5_compare.cpp).
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fm_common.hpp"

namespace flow::chapters::fm_q5 {

// The two models on the probes: latent points and round trips, as stats.json's "probes",
// the table's rows and the extremes.
struct Comparison {
    std::string rows;
    nlohmann::json pts = nlohmann::json::array();
    double max_rt_fm = 0, max_rt_nf = 0, min_gap = 1e300, max_gap = 0;
    std::size_t far = 0;                // the probe the flow sends farthest from the origin
    double far_nf = 0, far_fm = 0;      // its latent norms under the two models
};
// x, xn: the probes in the two models' frames; y0: flow matching's latent points;
// x_again: y0 integrated forward again.
Comparison compare(const std::vector<std::array<double, 2>>& probes, const std::vector<bool>& inside,
                   const nn::Mat<float>& x, const nn::Mat<float>& xn, const nn::Mat<float>& y0,
                   const nn::Mat<float>& x_again, const nf::Model& nfm);

// The Euler round trip (backward, then forward again) at several steps: per step, the
// mean and largest distance of the probes from where they started.
struct RoundTrips {
    std::vector<double> dt, mean, max;
};
RoundTrips round_trips(fm::Model& m, const nn::Mat<float>& x, double dt);

}  // namespace flow::chapters::fm_q5
