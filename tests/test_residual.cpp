// The residual layer x + g(x) (residual/flow.hpp): the spectral norm against the 2 x 2
// closed form, normalise(c) bounding Lip(g) by c as measured on random pairs, the
// fixed-point inverse converging at rate c and failing to without the bound, the exact
// log-determinant against a finite-difference Jacobian, and the power series against it.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "core/linalg.hpp"
#include "residual/flow.hpp"

using namespace flow;

namespace {

std::vector<double> normal_vector(std::size_t d, Rng& rng) {
    std::vector<double> v(d);
    for (auto& x : v) x = rng.normal();
    return v;
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(s);
}

}  // namespace

TEST_CASE("power iteration gives a 2 x 2 matrix's largest singular value", "[residual][fast]") {
    nn::Mat<double> W = {{3.0, 1.0}, {-2.0, 0.5}};
    // s^2 is the larger eigenvalue of W^T W.
    const double a = 3 * 3 + 2 * 2, b = 3 * 1 - 2 * 0.5, d = 1 + 0.25;
    const double top = 0.5 * (a + d) + std::sqrt(0.25 * (a - d) * (a - d) + b * b);
    CHECK(residual::spectral_norm(W) == Approx(std::sqrt(top)).epsilon(1e-12));
}

TEST_CASE("normalise(c) bounds the measured Lipschitz constant of g by c", "[residual][fast]") {
    Rng rng(1, "test/residual-lip");
    residual::Layer layer(2, 64, rng);
    layer.normalise(0.7);
    CHECK(layer.lipschitz_bound() == Approx(0.7).epsilon(1e-9));
    double worst = 0;
    for (int n = 0; n < 2000; ++n) {
        const auto x = normal_vector(2, rng), y = normal_vector(2, rng);
        worst = std::max(worst, distance(layer.g(x), layer.g(y)) / distance(x, y));
    }
    CHECK(worst <= 0.7);
    CHECK(worst > 0.05);
}

TEST_CASE("the fixed-point inverse converges at rate c when Lip(g) = c, and diverges without a bound",
          "[residual][fast]") {
    Rng rng(2, "test/residual-inverse");
    residual::Layer layer(2, 64, rng);
    layer.normalise(0.5);
    const auto x = normal_vector(2, rng);
    const auto y = layer.forward(x);
    std::vector<double> errors;
    const auto back = layer.inverse(y, 40, &x, &errors);
    CHECK(distance(back, x) < 1e-10);
    for (std::size_t k = 1; k <= 10; ++k) CHECK(errors[k] <= std::pow(0.5, double(k)) * errors[0] * (1 + 1e-9));
    // Scaled so that J_g at the point has spectral radius 3, the point repels the
    // iteration: it does not find it.
    const auto J = layer.jacobian_g(x);
    const double tr = J(0, 0) + J(1, 1), det = J(0, 0) * J(1, 1) - J(0, 1) * J(1, 0), disc = tr * tr - 4 * det;
    const double radius = disc >= 0 ? std::max(std::fabs(0.5 * (tr + std::sqrt(disc))), std::fabs(0.5 * (tr - std::sqrt(disc))))
                                    : std::sqrt(det);
    residual::Layer wild = layer;
    wild.W2 *= 3.0 / radius;
    const auto y2 = wild.forward(x);
    const auto far = wild.inverse(y2, 40);
    CHECK(distance(far, x) > 1e-3);
}

TEST_CASE("the exact log-determinant matches a finite-difference Jacobian, and the series converges to it",
          "[residual][fast]") {
    Rng rng(3, "test/residual-logdet");
    for (std::size_t D : {2, 5}) {
        residual::Layer layer(D, 32, rng);
        layer.normalise(0.6);
        const auto x = normal_vector(D, rng);
        nn::Mat<double> row = nn::Mat<double>::from_shape({1, D});
        for (std::size_t i = 0; i < D; ++i) row(0, i) = x[i];
        const auto J = linalg::numeric_jacobian(
            [&](const nn::Mat<double>& p) {
                std::vector<double> v(p.begin(), p.end());
                const auto y = layer.forward(v);
                nn::Mat<double> out = nn::Mat<double>::from_shape({1, D});
                for (std::size_t i = 0; i < D; ++i) out(0, i) = y[i];
                return out;
            },
            row);
        const double exact = layer.log_det(x);
        CHECK(exact == Approx(linalg::log_abs_det(J)).margin(1e-7));
        std::vector<double> partial;
        layer.log_det_series(x, 40, &partial);
        CHECK(partial.back() == Approx(exact).margin(1e-8));
        // The truncation error after n terms is at most sum_{k > n} c^k D / k.
        for (std::size_t n : {1, 3, 6}) {
            double bound = 0;
            for (std::size_t k = n + 1; k < 400; ++k) bound += std::pow(0.6, double(k)) * double(D) / double(k);
            CHECK(std::fabs(partial[n - 1] - exact) <= bound);
        }
    }
}
