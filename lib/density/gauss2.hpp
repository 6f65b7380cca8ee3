#pragma once
// What the 2-D estimators share: a point set's rows in double, the Cholesky factor of a
// 2x2 covariance and the Mahalanobis distance through it, a weighted covariance, and a
// double-precision log-sum-exp.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "density/baselines.hpp"

namespace flow::density {

using P2 = std::array<double, 2>;
constexpr double kLog2Pi = 1.8378770664093454836;  // log 2π

// The rows of an (n, 2) set in double; `what` names the set in the message.
inline std::vector<P2> rows_of(const Points& x, const char* what, bool may_be_empty = false) {
    if (x.shape(1) != 2)
        throw std::invalid_argument(std::string(what) + " must have 2 columns, not " + std::to_string(x.shape(1)));
    if (x.shape(0) == 0 && !may_be_empty) throw std::invalid_argument(std::string(what) + " has no points");
    std::vector<P2> r(x.shape(0));
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = {double(x(i, 0)), double(x(i, 1))};
    return r;
}

// Σ = L Lᵀ for a 2x2 covariance, L = [[l11, 0], [l21, l22]].
struct Chol2 {
    double l11 = 1, l21 = 0, l22 = 1;
};
inline Chol2 cholesky(const Cov2& s) {
    const double l11 = std::sqrt(s.xx), l21 = s.xy / l11, r = s.yy - l21 * l21;
    if (!(s.xx > 0) || !(r > 0)) throw std::invalid_argument("a covariance is not positive definite");
    return {l11, l21, std::sqrt(r)};
}
// L⁻¹ d, by forward substitution.
inline P2 whiten(const Chol2& L, double d0, double d1) {
    const double z0 = d0 / L.l11;
    return {z0, (d1 - L.l21 * z0) / L.l22};
}
inline double mahalanobis2(const Chol2& L, double d0, double d1) {
    const P2 z = whiten(L, d0, d1);
    return z[0] * z[0] + z[1] * z[1];
}

// The covariance of the rows weighted by w[i * stride] around their weighted mean m;
// `total` is the sum of the weights (n for the population covariance).
inline Cov2 weighted_cov(const std::vector<P2>& x, const double* w, std::size_t stride, double total, P2 m) {
    Cov2 c{0, 0, 0};
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double a = x[i][0] - m[0], b = x[i][1] - m[1], wi = w[i * stride];
        c.xx += wi * a * a, c.xy += wi * a * b, c.yy += wi * b * b;
    }
    return {c.xx / total, c.xy / total, c.yy / total};
}
inline P2 mean_of(const std::vector<P2>& x) {
    P2 m{0, 0};
    for (const auto& p : x) m[0] += p[0], m[1] += p[1];
    return {m[0] / double(x.size()), m[1] / double(x.size())};
}

// log Σ exp v[i], shifted by the largest term so that no exp overflows.
inline double log_sum_exp(const double* v, std::size_t n) {
    const double m = *std::max_element(v, v + n);
    if (!std::isfinite(m)) return m;
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += std::exp(v[i] - m);
    return m + std::log(s);
}

}  // namespace flow::density
