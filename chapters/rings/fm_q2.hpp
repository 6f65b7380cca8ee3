#pragma once
// What fm-q2-progression's two files share (fm_q2_progression.cpp, fm_q2_law.cpp).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fm_common.hpp"
#include "report/stats.hpp"

namespace flow::chapters::fm_q2 {

// A time as the text writes it: 0.2, 0.95.
std::string time_label(double t);

// The states of the flow at the steps nearest to the wanted times, and those steps' times.
struct Snapshots {
    std::vector<nn::Mat<float>> y;
    std::vector<double> t;
};
Snapshots snapshots(fm::Model& m, const nn::Mat<float>& z, const fm::Integration& how,
                    const std::vector<double>& want);

// What the panels measure, per panel, for both models, and the worst deviation of flow
// matching's covariance from the law's in standard errors.
struct Rows {
    std::vector<double> t, band_fm, band_nf, sw_fm, sw_nf, trace;
    double worst_z = 0;
};

// Law of y_t = t x1 + (1 - t) x0 with x1 ~ data, x0 ~ N(0, I) independent:
// Cov(y_t) = t^2 Cov(x1) + (1 - t)^2 I. Its standard error for n points is about
// sqrt((S_aa S_bb + S_ab^2) / n) per entry (Gaussian fourth moments). Records the law in
// j (a panel's cloud_json) and the deviation in rows.
void compare_with_law(nlohmann::json& j, const report::CloudStats& data_cov, double t, std::size_t n, Rows& r);

// The table: per panel, both models' distance to the data.
std::string table_tex(const Rows& r, std::size_t L, bool same_start);

}  // namespace flow::chapters::fm_q2
