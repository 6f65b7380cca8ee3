#pragma once
// Helpers of the finite-difference gradient checks (see test_nn.cpp for the choice of
// step and tolerances): random matrices, L = sum(y * R), and the check itself.
#include <string>

#include <catch2/catch.hpp>

#include "core/rng.hpp"
#include "nn/layers.hpp"

namespace flow::test {

using nn::Mat;

constexpr double kH = 1e-6;
constexpr double kAbs = 1e-7;
constexpr double kRel = 1e-6;

inline Mat<double> random_matrix(std::size_t r, std::size_t c, Rng& rng) {
    Mat<double> m = Mat<double>::from_shape({r, c});
    for (auto& v : m) v = rng.normal();
    return m;
}

inline double dot_all(const Mat<double>& a, const Mat<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
    return s;
}

// Checks analytic[i] against the central difference of loss() in value[i], for all i.
template <class Loss>
void check_gradient(const std::string& what, double* value, const double* analytic, std::size_t n,
                    Loss loss) {
    for (std::size_t i = 0; i < n; ++i) {
        const double keep = value[i];
        value[i] = keep + kH;
        const double up = loss();
        value[i] = keep - kH;
        const double down = loss();
        value[i] = keep;
        const double numeric = (up - down) / (2 * kH);
        INFO(what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << numeric);
        CHECK(analytic[i] == Approx(numeric).epsilon(kRel).margin(kAbs));
    }
}

}  // namespace flow::test
