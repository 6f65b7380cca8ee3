// The normalizing flow: invertibility, the log-determinant against a numerical Jacobian,
// and the gradient of the whole loss (Eq. 9) against finite differences.
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include <xtensor/xview.hpp>

#include "model/registry.hpp"
#include "core/linalg.hpp"
#include "gradcheck.hpp"
#include "nf/flow.hpp"
#include "nf/train.hpp"

using namespace flow;
using nn::Mat;

namespace {

// A flow far from any initialisation: every parameter gets a random value of the given
// scale, so that no term of the gradient is trivially zero.
template <class T>
nf::NormalizingFlow<T> random_flow(std::size_t couplings, std::size_t hidden, std::size_t depth,
                                   std::uint64_t seed, double scale = 0.5, std::size_t dim = 2) {
    Rng rng(seed, "test/nf");
    nf::NormalizingFlow<T> f(nf::Architecture{couplings, depth, hidden, 2.0, false, dim}, rng);
    nn::Params<T> ps;
    f.params(ps);
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.value[i] = T(scale * rng.normal());
    return f;
}

Mat<double> random_points(std::size_t n, std::uint64_t seed, std::size_t dim = 2) {
    Rng rng(seed, "test/points");
    Mat<double> x = Mat<double>::from_shape({n, dim});
    for (auto& v : x) v = rng.normal();
    return x;
}

// The gradient of Eq. 9 on x, into every parameter and into x, against central
// differences (test::check_gradient: h = 1e-6 in double precision; the loss is smooth
// but for LeakyReLU kinks, which random inputs avoid). A stray loss on other points
// between the loss and its backward pass must not matter.
void check_loss_gradient(nf::NormalizingFlow<double>& f, Mat<double> x) {
    nn::Params<double> ps;
    f.params(ps);
    nn::zero_grad(ps);
    nf::NormalizingFlow<double>::Tape tape;
    Mat<double> dx;
    f.loss(x, tape);
    f.loss(random_points(9, 99, x.shape(1)));
    f.backward(tape, &dx);
    auto L = [&] { return f.loss(x).total; };
    for (const auto& p : ps) {
        const std::vector<double> analytic(p.grad, p.grad + p.size());
        test::check_gradient(p.name, p.value, analytic.data(), p.size(), L);
    }
    test::check_gradient("dx", x.data(), dx.data(), x.size(), L);
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
    check_loss_gradient(f, x);
}

TEST_CASE("in D dimensions the flow inverts, its log-determinant is the Jacobian's and its "
          "gradient matches finite differences", "[nf][fast]") {
    // The log-determinant from the layers' log-scales against the determinant of the
    // D x D Jacobian by central differences (h = 1e-6, double): agreement to 1e-6.
    const std::size_t D = GENERATE(std::size_t(2), std::size_t(3), std::size_t(5));
    INFO("D = " << D);
    auto f = random_flow<double>(3, 5, 2, 20 + D, 0.4, D);
    REQUIRE(f.dim() == D);
    Mat<double> x = random_points(6, 30 + D, D), z, back;
    std::vector<double> logdet;
    f.inverse(x, z, logdet);
    f.forward(z, back);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(back.data()[i] == Approx(x.data()[i]).margin(1e-10));

    const auto map = [&](const Mat<double>& row) {
        Mat<double> out;
        std::vector<double> ld;
        f.inverse(row, out, ld);
        return out;
    };
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const Mat<double> J = linalg::numeric_jacobian(map, xt::view(x, xt::range(i, i + 1), xt::all()));
        CHECK(logdet[i] == Approx(linalg::log_abs_det(J)).margin(1e-6));
    }

    check_loss_gradient(f, x);
}

TEST_CASE("in three dimensions log p(x) integrates to one", "[nf][fast]") {
    // Midpoint rule on [-8, 8]^3 with 72^3 cells for a mildly scaled flow; the
    // tolerance covers the quadrature error and the mass outside the box.
    auto f = random_flow<double>(3, 6, 2, 40, 0.2, 3);
    const std::size_t n = 72;
    const double lo = -8, w = 16.0 / double(n);
    Mat<double> grid = Mat<double>::from_shape({n * n * n, 3});
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t c = 0; c < n; ++c) {
                const std::size_t r = (a * n + b) * n + c;
                grid(r, 0) = lo + (double(a) + 0.5) * w;
                grid(r, 1) = lo + (double(b) + 0.5) * w;
                grid(r, 2) = lo + (double(c) + 0.5) * w;
            }
    double mass = 0;
    for (double lp : f.log_prob(grid)) mass += std::exp(lp) * w * w * w;
    CHECK(mass == Approx(1.0).margin(2e-3));
}

TEST_CASE("a coupling with an interleaved mask moves only its unmasked coordinates and its "
          "backward matches finite differences", "[nf][fast]") {
    Rng rng(50, "test/mask");
    const std::vector<bool> mask = {true, false, true, false, false};
    nf::AffineCoupling<double> c(mask, 4, 2, rng);
    REQUIRE(c.kept == std::vector<std::size_t>{0, 2});
    REQUIRE(c.moved == std::vector<std::size_t>{1, 3, 4});
    nn::Params<double> ps;
    c.params(ps, "c");
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.value[i] = 0.5 * rng.normal();
    Mat<double> y = test::random_matrix(7, 5, rng), R = test::random_matrix(7, 5, rng), z, back;
    const Mat<double> r = test::random_matrix(7, 1, rng);
    nf::AffineCoupling<double>::Tape tape;
    std::vector<double> logdet(7, 0.0);
    c.inverse(y, z, logdet, tape);
    for (std::size_t i = 0; i < 7; ++i)
        for (std::size_t j : c.kept) CHECK(z(i, j) == y(i, j));
    c.forward(z, back, tape);
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(back.data()[i] == Approx(y.data()[i]).margin(1e-12));

    // L = sum(z * R) + sum_i r_i logdet_i.
    auto L = [&] {
        nf::AffineCoupling<double>::Tape t;
        Mat<double> out;
        std::vector<double> ld(7, 0.0);
        c.inverse(y, out, ld, t);
        double s = test::dot_all(out, R);
        for (std::size_t i = 0; i < 7; ++i) s += r(i, 0) * ld[i];
        return s;
    };
    nn::zero_grad(ps);
    c.inverse(y, z, logdet, tape);
    std::vector<double> dlogdet(r.begin(), r.end());
    Mat<double> dy;
    c.backward_of_inverse(R, dlogdet, tape, dy);
    for (const auto& p : ps) {
        const std::vector<double> analytic(p.grad, p.grad + p.size());
        test::check_gradient(p.name, p.value, analytic.data(), p.size(), L);
    }
    test::check_gradient("dy", y.data(), dy.data(), y.size(), L);
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
    nf::Config c = nf::config(model::values("nf"), "rings");
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
    CHECK(m.history.back().val.total < m.history.front().val.total);
    // The recorded parts are the parts of the recorded total: -(log p(z) + log|det|).
    for (const auto& e : m.history) CHECK(e.val.total == Approx(-(e.val.log_pz + e.val.logdet)).epsilon(1e-9));

    c.lr = 1e6;  // absurd: the loss leaves the floating-point range
    c.epochs = 2;
    try {
        nf::train(c, false);
        FAIL("a run with lr 1e6 did not diverge");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("not finite") && Catch::Contains("epoch"));
    }
}

// Evaluation without a tape (inverse, forward and log_prob) goes through the points 256
// at a time, so that a fine grid does not hold every network's activations at once. Each
// point's result must not depend on its block: with the fused kernels of the coupling
// networks (8 units) every row is computed alone and the results are equal bit for bit;
// through BLAS (24 units) each row's sums may be blocked differently, so to float rounding.
TEST_CASE("Evaluation in blocks of rows equals the whole batch at once", "[nf][fast]") {
    const auto hidden = GENERATE(std::size_t(8), std::size_t(24));
    INFO("hidden " << hidden);
    const double tol = hidden == 8 ? 0.0 : 1e-5;
    const auto f = random_flow<float>(3, hidden, 3, 41, 0.3);
    const Mat<float> x = xt::cast<float>(random_points(700, 42));  // two blocks and a remainder

    nf::NormalizingFlow<float>::Tape tape;
    Mat<float> z_whole, z_blocks, x_whole, x_blocks;
    std::vector<float> ld_whole, ld_blocks;
    f.inverse(x, z_whole, ld_whole, tape);  // with a tape: the whole batch in one pass
    f.inverse(x, z_blocks, ld_blocks);
    REQUIRE(z_blocks.shape() == z_whole.shape());
    const auto worst = [](const float* a, const float* b, std::size_t n) {
        double w = 0;
        for (std::size_t i = 0; i < n; ++i) w = std::max(w, double(std::fabs(a[i] - b[i])));
        return w;
    };
    CHECK(worst(z_blocks.data(), z_whole.data(), z_whole.size()) <= tol);
    CHECK(worst(ld_blocks.data(), ld_whole.data(), ld_whole.size()) <= tol);

    const std::vector<double> lp = f.log_prob(x);
    REQUIRE(lp.size() == 700);
    for (std::size_t i = 0; i < lp.size(); i += 97)
        CHECK(lp[i] == Approx(nf::NormalizingFlow<float>::log_pz(z_whole, i) + ld_whole[i]).margin(tol + 1e-12));

    std::vector<Mat<float>> path;
    f.forward(z_whole, x_whole, &path);  // with a path: one pass
    f.forward(z_whole, x_blocks);
    REQUIRE(x_blocks.shape() == x_whole.shape());
    CHECK(worst(x_blocks.data(), x_whole.data(), x_whole.size()) <= tol);
}
