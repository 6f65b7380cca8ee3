#pragma once
// What fm-q4-time-quantization's two files share (fm_q4_time_quantization.cpp,
// fm_q4_steps.cpp).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fm_common.hpp"

namespace flow::chapters::fm_q4 {

// One step size: its panel, its statistics and its table row.
struct Steps {
    std::string rows;
    std::vector<std::string> names, titles;
    std::vector<nn::Mat<float>> clouds;
    std::vector<double> band, sw, drift, var;
    nlohmann::json last_step = nlohmann::json::object();
};
// Integrates z with step dt (its panel, statistics and table row into st, as step i),
// measured against the data and the fine end points ref.
void one_step(Context& ctx, fm::Model& m, const nn::Mat<float>& z, const nn::Mat<float>& data,
              const nn::Mat<float>& ref, double dt, fm::Solver solver, std::size_t i, Steps& st);

// The total variance (trace of the covariance) of a cloud.
double total_variance(const nn::Mat<float>& x);

}  // namespace flow::chapters::fm_q4
