// Image flow matching's pieces (imagefm/train.hpp) on small D: the MLP's tangent pass
// against central differences, the continuous change of variables giving a 1D density
// that integrates to 1, Hutchinson's divergence averaging to the exact one, and the
// flow-matching loss gradient against finite differences.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <xtensor/xview.hpp>

#include "imagefm/train.hpp"

using namespace flow;
using nn::Mat;

TEST_CASE("the MLP's tangent pass is its Jacobian times the direction", "[imagefm][fast]") {
    Rng rng(5, "test/tangent");
    nn::MLP<double> mlp(4, 16, 3, 3, rng);
    Mat<double> x = Mat<double>::from_shape({6, 4}), dx = Mat<double>::from_shape({6, 4});
    for (auto& v : x) v = rng.normal();
    for (auto& v : dx) v = rng.normal();
    nn::MLP<double>::Tape tape;
    mlp.forward(x, tape);
    Mat<double> jv;
    mlp.tangent(dx, tape, jv);
    const double h = 1e-6;
    nn::MLP<double>::Tape t1, t2;
    const Mat<double> up = mlp.forward(Mat<double>(x + h * dx), t1);
    const Mat<double> down = mlp.forward(Mat<double>(x - h * dx), t2);
    for (std::size_t i = 0; i < jv.size(); ++i)
        CHECK(jv.data()[i] == Approx((up.data()[i] - down.data()[i]) / (2 * h)).margin(1e-6));
    // A wrong slope (the activation ignored) gives another derivative.
    nn::MLP<double> linear = mlp;
    linear.act.slope = 1.0;
    Mat<double> other;
    nn::MLP<double>::Tape t3;
    linear.forward(x, t3);
    mlp.tangent(dx, t3, other);
    double differs = 0;
    for (std::size_t i = 0; i < jv.size(); ++i) differs = std::max(differs, std::fabs(other.data()[i] - jv.data()[i]));
    CHECK(differs > 1e-3);
}

TEST_CASE("a field's continuous change of variables gives a 1D density that integrates to 1", "[imagefm][fast]") {
    Rng rng(6, "test/imagefm-1d");
    imagefm::Field field = imagefm::make_field({0.5f}, {0.3f}, 32, 3, rng);
    for (auto& l : field.net.linear) l.W *= 2.0f;  // a field that moves mass
    const std::size_t n = 1200;
    const double lo = -7, hi = 7, dx = (hi - lo) / double(n);
    Mat<float> grid = Mat<float>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) grid(i, 0) = float(lo + (double(i) + 0.5) * dx);
    Rng probes(1, "test/probes");
    const auto lp = imagefm::log_density(field, grid, 200, probes, true);
    double mass = 0;
    for (double v : lp) mass += std::exp(v) * dx;
    CHECK(mass == Approx(1.0).margin(2e-3));
    // In one dimension a Rademacher probe reads the derivative exactly.
    Rng probes2(2, "test/probes");
    const auto hutch = imagefm::log_density(field, grid, 200, probes2, false);
    for (std::size_t i = 0; i < n; i += 97) CHECK(hutch[i] == Approx(lp[i]).margin(1e-9));
}

TEST_CASE("Hutchinson's log-density averages to the exact one", "[imagefm][fast]") {
    Rng rng(7, "test/imagefm-hutch");
    const std::size_t D = 4, M = 4000;
    const imagefm::Field field = imagefm::make_field(std::vector<float>(D, 0.1f), std::vector<float>(D, 0.5f), 32, 3, rng);
    Mat<float> x = Mat<float>::from_shape({M, D});
    std::vector<float> point(D);
    for (auto& v : point) v = float(rng.normal());
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t d = 0; d < D; ++d) x(i, d) = point[d];
    Rng probes(3, "test/probes");
    const auto exact = imagefm::log_density(field, Mat<float>(xt::view(x, xt::range(0, 1), xt::all())), 20, probes, true);
    const auto est = imagefm::log_density(field, x, 20, probes, false);
    double mean = 0, sq = 0;
    for (double v : est) mean += v / double(M);
    for (double v : est) sq += (v - mean) * (v - mean) / double(M - 1);
    const double se = std::sqrt(sq / double(M));
    CHECK(sq > 1e-6);  // the probes do differ
    CHECK(std::fabs(mean - exact[0]) < 4 * se + 1e-4);
}

TEST_CASE("with the network at zero the field's flow is the Gaussian's: its density is the Gaussian's",
          "[imagefm][fast]") {
    Rng rng(8, "test/imagefm-gaussian");
    const std::size_t D = 3;
    imagefm::Field field = imagefm::make_field({0.2f, -0.4f, 0.0f}, {0.3f, 0.05f, 1.5f}, 16, 2, rng);
    for (auto& l : field.net.linear) {
        l.W.fill(0.0f);
        l.b.fill(0.0f);
    }
    Mat<float> x = Mat<float>::from_shape({5, D});
    for (auto& v : x) v = float(0.5 * rng.normal());
    Rng probes(4, "test/probes");
    const auto lp = imagefm::log_density(field, x, 400, probes);
    for (std::size_t i = 0; i < 5; ++i) {
        double want = 0;
        for (std::size_t d = 0; d < D; ++d) {
            const double m = field.mean[d], s2 = field.var[d], e = x(i, d) - m;
            want += -0.5 * e * e / s2 - 0.5 * std::log(2 * M_PI * s2);
        }
        CHECK(lp[i] == Approx(want).margin(2e-3));
    }
    // Its samples have the Gaussian's means and variances.
    Rng draws(5, "test/draws");
    const Mat<float> s = imagefm::sample(field, nn::normal_draws(draws, 20000, D), 100);
    for (std::size_t d = 0; d < D; ++d) {
        double m = 0, v = 0;
        for (std::size_t i = 0; i < 20000; ++i) m += s(i, d) / 20000.0;
        for (std::size_t i = 0; i < 20000; ++i) v += (s(i, d) - m) * (s(i, d) - m) / 20000.0;
        CHECK(m == Approx(field.mean[d]).margin(0.03));
        CHECK(v == Approx(field.var[d]).epsilon(0.05));
    }
}

TEST_CASE("bits per dimension of a uniform density on the pixel cube are 8", "[imagefm][fast]") {
    // Uniform on (-1, 1)^D has log density -D log 2: every 8-bit image equally likely.
    CHECK(imagefm::bits_per_dim(-784 * std::log(2.0), 784) == Approx(8.0).epsilon(1e-12));
}
