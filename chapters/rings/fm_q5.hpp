#pragma once
// What fm-q5-reverse's two files share (fm_q5_reverse.cpp, fm_q5_compare.cpp).
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fm_common.hpp"

namespace flow::chapters::fm_q5 {

// The two models on the probes: latent points, round trips and log-likelihoods with their
// terms, as stats.json's "probes", the two tables' rows and the extremes.
struct Comparison {
    std::string rows, lrows;
    nlohmann::json pts = nlohmann::json::array();
    double max_rt_fm = 0, max_rt_nf = 0, min_gap = 1e300, max_gap = 0;
    std::size_t far = 0;  // the point whose log-likelihoods under the two models differ most
};
Comparison compare(const std::vector<std::array<double, 2>>& probes, const std::vector<bool>& inside,
                   const nn::Mat<float>& x, const nn::Mat<float>& xn, const nn::Mat<float>& y0,
                   const nn::Mat<double>& y0d, const std::vector<double>& lp_fm, const nn::Mat<float>& x_again,
                   const nf::Model& nfm);

}  // namespace flow::chapters::fm_q5
