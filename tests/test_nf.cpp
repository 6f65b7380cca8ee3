// The normalizing flow: invertibility, the log-determinant against a numerical Jacobian,
// and the gradient of the whole loss (Eq. 9) against finite differences.
#include <cmath>

#include <catch2/catch.hpp>

#include <xtensor/xview.hpp>

#include "nf/flow.hpp"
#include "nf/train.hpp"

using namespace flow;
using nn::Mat;

namespace {

// A flow far from any initialisation: every parameter gets a random value of the given
// scale, so that no term of the gradient is trivially zero.
template <class T>
nf::NormalizingFlow<T> random_flow(std::size_t couplings, std::size_t hidden, std::size_t depth,
                                   std::uint64_t seed, double scale = 0.5) {
    Rng rng(seed, "test/nf");
    nf::NormalizingFlow<T> f(nf::Architecture{couplings, depth, hidden, 2.0}, rng);
    nn::Params<T> ps;
    f.params(ps);
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.value[i] = T(scale * rng.normal());
    return f;
}

Mat<double> random_points(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, "test/points");
    Mat<double> x = Mat<double>::from_shape({n, 2});
    for (auto& v : x) v = rng.normal();
    return x;
}

}  // namespace

TEST_CASE("inverse(forward(z)) returns z", "[nf][fast]") {
    auto f = random_flow<float>(15, 8, 5, 1, 0.25);
    Mat<float> z = xt::cast<float>(random_points(500, 2)), x, back;
    std::vector<float> logdet;
    f.forward(z, x);
    f.inverse(x, back, logdet);
    double worst = 0;
    for (std::size_t i = 0; i < z.size(); ++i) worst = std::max(worst, double(std::fabs(back.data()[i] - z.data()[i])));
    CHECK(worst < 1e-5);
    CHECK((x != z));  // the random flow is not the identity
}

TEST_CASE("a flow with identity start is the identity", "[nf][fast]") {
    Rng rng(3, "init");
    nf::NormalizingFlow<float> f(nf::Architecture{15, 5, 8, 2.0, true}, rng);
    Mat<float> z = xt::cast<float>(random_points(10, 3)), x;
    f.forward(z, x);
    CHECK((x == z));  // an even count of swaps would also be the identity; 14 swaps are
}

TEST_CASE("the log-determinant matches a numerically computed Jacobian", "[nf][fast]") {
    // log |det d phi^{-1}(x)/dx| from the layers' log-scales against the determinant of
    // the 2x2 Jacobian by central differences (h = 1e-6, double): agreement to 1e-6.
    auto f = random_flow<double>(6, 8, 3, 4);
    Mat<double> x = random_points(20, 5);
    Mat<double> z;
    std::vector<double> logdet;
    f.inverse(x, z, logdet);
    const double h = 1e-6;
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        double J[2][2];
        for (int c = 0; c < 2; ++c) {
            Mat<double> up = xt::view(x, xt::range(i, i + 1), xt::all()), down = up, zu, zd;
            up(0, c) += h;
            down(0, c) -= h;
            std::vector<double> ld;
            f.inverse(up, zu, ld);
            f.inverse(down, zd, ld);
            for (int r = 0; r < 2; ++r) J[r][c] = (zu(0, r) - zd(0, r)) / (2 * h);
        }
        const double det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
        INFO("point " << i);
        CHECK(logdet[i] == Approx(std::log(std::fabs(det))).margin(1e-6));
    }
}

TEST_CASE("log p(x) integrates to one over the plane", "[nf][fast]") {
    // A change of variables that forgot the log-determinant would not integrate to 1.
    // Midpoint rule on [-12, 12]^2 with 600^2 cells; this mildly scaled flow leaves
    // a negligible mass outside. Tolerance 1e-3 covers the quadrature error.
    auto f = random_flow<double>(4, 8, 3, 6, 0.2);
    const int n = 600;
    const double lo = -12, w = 24.0 / n;
    Mat<double> grid = Mat<double>::from_shape({std::size_t(n * n), 2});
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
            grid(std::size_t(a * n + b), 0) = lo + (a + 0.5) * w;
            grid(std::size_t(a * n + b), 1) = lo + (b + 0.5) * w;
        }
    double mass = 0;
    for (double lp : f.log_prob(grid)) mass += std::exp(lp) * w * w;
    CHECK(mass == Approx(1.0).margin(1e-3));
}

TEST_CASE("the gradient of Eq. 9 matches finite differences for every parameter group",
          "[nf][fast]") {
    // Central differences, h = 1e-6, double precision. The loss is smooth (tanh, exp)
    // except at LeakyReLU kinks, which random inputs avoid; truncation error O(h^2)
    // ~ 1e-12 and rounding ~ 1e-10: tolerance 1e-6 relative plus 1e-7 absolute.
    auto f = random_flow<double>(4, 6, 3, 7, 0.4);
    Mat<double> x = random_points(16, 8);
    nn::Params<double> ps;
    f.params(ps);
    nn::zero_grad(ps);
    f.loss(x);
    f.backward();
    const Mat<double> dx = f.input_gradient();
    auto L = [&] { return f.loss(x).total; };
    const double h = 1e-6;
    for (const auto& p : ps) {
        for (std::size_t i = 0; i < p.size(); ++i) {
            const double keep = p.value[i], analytic = p.grad[i];
            p.value[i] = keep + h;
            const double up = L();
            p.value[i] = keep - h;
            const double down = L();
            p.value[i] = keep;
            INFO(p.name << "[" << i << "]");
            CHECK(analytic == Approx((up - down) / (2 * h)).epsilon(1e-6).margin(1e-7));
        }
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double keep = x.data()[i];
        x.data()[i] = keep + h;
        const double up = L();
        x.data()[i] = keep - h;
        const double down = L();
        x.data()[i] = keep;
        CHECK(dx.data()[i] == Approx((up - down) / (2 * h)).epsilon(1e-6).margin(1e-7));
    }
}

TEST_CASE("the loss splits into its two components", "[nf][fast]") {
    auto f = random_flow<double>(3, 4, 2, 9);
    Mat<double> x = random_points(50, 10);
    const auto p = f.loss(x);
    CHECK(p.total == Approx(-p.log_pz - p.logdet).epsilon(1e-12));
    double mean_lp = 0;
    for (double lp : f.log_prob(x)) mean_lp += lp / 50;
    CHECK(-mean_lp == Approx(p.total).epsilon(1e-12));
}

TEST_CASE("paths in the output frame end at the output and, for an identity flow, never move",
          "[nf][fast]") {
    // A flow with identity start is the identity on each coupling, so only the permutations act: in the
    // output frame every state must equal the final output, forward and inverse.
    Rng rng(11, "init");
    nf::NormalizingFlow<float> f(nf::Architecture{5, 3, 4, 2.0, true}, rng);
    Rng zr(12, "z");
    std::vector<Mat<float>> path;
    const auto x = nf::sample(f, 7, zr, &path);
    REQUIRE(path.size() == 6);
    nf::to_output_frame(path);
    for (const auto& s : path) CHECK((s == x));

    std::vector<Mat<float>> back;
    Mat<float> z;
    std::vector<float> logdet;
    f.inverse(x, z, logdet, &back);
    nf::inverse_to_output_frame(back);
    REQUIRE(back.size() == 6);
    for (const auto& s : back) CHECK((s == x));
    for (float v : logdet) CHECK(v == 0.0f);
}

TEST_CASE("training lowers the validation loss and a diverging run names its epoch",
          "[nf][train][fast]") {
    nf::Config c;
    c.arch = nf::Architecture{4, 3, 8, 2.0};
    c.points = 8000;
    c.val_points = 4000;
    c.epochs = 4;
    c.batch = 64;
    c.lr = 5e-3;
    c.seed = 5;
    const auto m = nf::train(c, false);
    REQUIRE(m.history.size() == 4);
    // A flow at its identity start scores the standardised data as a standard normal:
    // loss ~ log(2 pi) + 1 = 2.84. Four short epochs must get clearly below it (this
    // configuration reaches about 2.65).
    CHECK(m.history.back().val.total < 2.75);
    for (const auto& e : m.history) CHECK(std::isfinite(e.val.total));

    c.lr = 1e6;  // absurd: the loss leaves the floating-point range
    c.epochs = 2;
    try {
        nf::train(c, false);
        FAIL("a run with lr 1e6 did not diverge");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("not finite") && Catch::Contains("epoch"));
    }
}
