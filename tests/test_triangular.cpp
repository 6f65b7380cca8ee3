// The coupling with a lower-triangular map on its kept half (nf/triangular.hpp), in D >= 4
// so that A is a real triangular block: its log-determinant against the Jacobian by
// central differences, synthesis against density evaluation, the gradients against
// finite differences, and the correlated data set it is measured on.
#include <cmath>

#include <catch2/catch.hpp>

#include <xtensor/xview.hpp>

#include "model/registry.hpp"
#include "core/linalg.hpp"
#include "data/correlated.hpp"
#include "gradcheck.hpp"
#include "nf/triangular_train.hpp"

using namespace flow;
using nn::Mat;

namespace {

// Every parameter (A's too) random at the given scale, so that no term is trivially zero.
nf::TriangularFlow<double> random_tri(std::size_t dim, std::size_t layers, bool with_a, std::uint64_t seed,
                                      double scale = 0.4) {
    Rng rng(seed, "test/tri");
    nf::TriangularFlow<double> f(dim, layers, 6, 2, with_a, rng);
    nn::Params<double> ps;
    f.params(ps);
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.value[i] = scale * rng.normal();
    return f;
}

Mat<double> random_points(std::size_t n, std::size_t dim, std::uint64_t seed) {
    Rng rng(seed, "test/tri-points");
    return test::random_matrix(n, dim, rng);
}

}  // namespace

TEST_CASE("triangular coupling: log|det J| = sum log|A_ii| + sum s, and it is the Jacobian's", "[tri][fast]") {
    const std::size_t D = GENERATE(std::size_t(4), std::size_t(6), std::size_t(8));
    const std::size_t K = GENERATE(std::size_t(1), std::size_t(3));
    INFO("D = " << D << ", " << K << " layers");
    auto f = random_tri(D, K, true, 10 * D + K);
    const Mat<double> x = random_points(5, D, D + K);
    Mat<double> z;
    std::vector<double> logdet;
    f.forward(x, z, logdet);

    if (K == 1) {
        // The two terms of the closed form, one by one: sum s = -sum ls of the inner layer.
        nf::TriangularCoupling<double>::Tape tape;
        std::vector<double> ld(x.shape(0), 0.0);
        Mat<double> zz;
        f.layer[0].forward(x, zz, ld, tape);
        for (std::size_t i = 0; i < x.shape(0); ++i) {
            double sum_s = 0;
            for (std::size_t m = 0; m < D / 2; ++m) sum_s -= tape.inner.ls(i, m);
            CHECK(ld[i] == Approx(f.layer[0].log_det_a() + sum_s).margin(1e-12));
        }
        CHECK(f.layer[0].log_det_a() != 0.0);
    }
    const auto map = [&](const Mat<double>& row) {
        Mat<double> out;
        std::vector<double> l;
        f.forward(row, out, l);
        return out;
    };
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const Mat<double> J = linalg::numeric_jacobian(map, xt::view(x, xt::range(i, i + 1), xt::all()));
        if (K == 1) {
            // Block lower triangular: dz_a/dx_b = 0, dz_a/dx_a = A (lower triangular).
            for (std::size_t r = 0; r < D / 2; ++r)
                for (std::size_t c = r + 1; c < D; ++c) CHECK(std::fabs(J(r, c)) < 1e-8);
        }
        CHECK(logdet[i] == Approx(linalg::log_abs_det(J)).margin(1e-6));
    }
}

TEST_CASE("triangular coupling: synthesis by forward substitution inverts density evaluation", "[tri][fast]") {
    const std::size_t D = GENERATE(std::size_t(4), std::size_t(8));
    auto f = random_tri(D, 4, true, 3 + D);
    const Mat<double> x = random_points(200, D, 7);
    Mat<double> z;
    std::vector<double> logdet;
    f.forward(x, z, logdet);
    const Mat<double> back = f.inverse(z);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(back.data()[i] - x.data()[i]));
    CHECK(worst < 1e-12);
    CHECK(xt::amax(xt::abs(z - x))() > 0.1);  // not the identity

    auto g = nf::cast<float>(f);
    const Mat<float> xf = xt::cast<float>(x);
    Mat<float> zf;
    std::vector<float> lf;
    g.forward(xf, zf, lf);
    // In float, as trained: four random layers magnify float rounding to about 2e-4.
    CHECK(xt::amax(xt::abs(g.inverse(zf) - xf))() < 1e-3f);
    for (std::size_t i = 0; i < x.shape(0); ++i) CHECK(lf[i] == Approx(logdet[i]).margin(1e-4));
}

TEST_CASE("triangular coupling: the gradient of the NLL matches finite differences", "[tri][fast]") {
    const bool with_a = GENERATE(true, false);
    INFO("with A: " << with_a);
    auto f = random_tri(6, 3, with_a, 41);
    Mat<double> x = random_points(7, 6, 42), dx;
    nn::Params<double> ps;
    f.params(ps);
    nn::zero_grad(ps);
    nf::TriangularFlow<double>::Tape tape;
    f.loss(x, tape);
    f.loss(random_points(3, 6, 43));  // a stray evaluation between loss and backward
    f.backward(tape, &dx);
    auto L = [&] { return f.loss(x); };
    std::size_t a_params = 0;
    for (const auto& p : ps) {
        if (p.name.find(".a.") != std::string::npos) a_params += p.size();
        const std::vector<double> analytic(p.grad, p.grad + p.size());
        test::check_gradient(p.name, p.value, analytic.data(), p.size(), L);
    }
    test::check_gradient("dx", x.data(), dx.data(), x.size(), L);
    CHECK(a_params == (with_a ? 3 * (3 + 3) : 0));  // per layer: d = 3 diagonal and 3 below it
}

TEST_CASE("triangular coupling: A = I is the plain coupling", "[tri][fast]") {
    Rng r1(5, "init"), r2(5, "init");
    nf::TriangularFlow<double> with(8, 3, 6, 2, true, r1), without(8, 3, 6, 2, false, r2);
    const Mat<double> x = random_points(20, 8, 9);
    Mat<double> z1, z2;
    std::vector<double> l1, l2;
    with.forward(x, z1, l1);
    without.forward(x, z2, l2);
    CHECK((z1 == z2));
    CHECK(l1 == l2);
    CHECK(with.parameter_count() == without.parameter_count() + 3 * (4 + 6));
}

TEST_CASE("lu: log|det| and solves against a triangular matrix and a product", "[tri][fast]") {
    Rng rng(1, "test/lu");
    const std::size_t n = 7;
    Mat<double> a = test::random_matrix(n, n, rng);
    const auto f = linalg::lu_factor(a);
    Mat<double> b = test::random_matrix(3, n, rng), y = b;
    linalg::lu_solve(f, y);
    // A y = b row by row.
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t i = 0; i < n; ++i) {
            double v = 0;
            for (std::size_t j = 0; j < n; ++j) v += a(i, j) * y(r, j);
            CHECK(v == Approx(b(r, i)).margin(1e-10));
        }
    // det of a lower-triangular matrix is the product of its diagonal.
    Mat<double> l = xt::zeros<double>({n, n});
    double ld = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j) l(i, j) = rng.normal();
        l(i, i) = 0.5 + rng.uniform();
        ld += std::log(l(i, i));
    }
    CHECK(linalg::log_abs_det(l) == Approx(ld).margin(1e-12));
    // det(A A) = det(A)^2.
    Mat<double> aa = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = 0; k < n; ++k) aa(i, j) += a(i, k) * a(k, j);
    CHECK(linalg::log_abs_det(aa) == Approx(2 * linalg::log_abs_det(f)).margin(1e-9));
}

TEST_CASE("correlated set: the stated whitening maps its samples to N(0, I)", "[tri][data][fast]") {
    // If the points follow the stated density, z_a (the AR(1) chain whitened) and z_b (b
    // standardised given a) are independent N(0, 1): means 0, variances 1, no correlation.
    data::Correlated set;
    Rng rng(3, "test/correlated");
    const std::size_t n = 40000, D = set.dim, d = D / 2;
    const Mat<double> x = set.sample(n, rng);
    Mat<double> z = Mat<double>::from_shape({n, D});
    const double c = std::sqrt(1 - set.rho * set.rho);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            z(i, j) = j == 0 ? x(i, 0) : (x(i, j) - set.rho * x(i, j - 1)) / c;
            const double sigma = std::exp(-1 + 0.5 * std::tanh(x(i, (j + 1) % d)));
            z(i, d + j) = (x(i, d + j) - std::tanh(2 * x(i, j))) / sigma;
        }
    const double se = 1 / std::sqrt(double(n));
    for (std::size_t j = 0; j < D; ++j) {
        double m = 0, v = 0;
        for (std::size_t i = 0; i < n; ++i) m += z(i, j);
        m /= double(n);
        for (std::size_t i = 0; i < n; ++i) v += (z(i, j) - m) * (z(i, j) - m);
        v /= double(n);
        CHECK(std::fabs(m) < 4 * se);
        CHECK(std::fabs(v - 1) < 4 * std::sqrt(2.0) * se);
    }
    double r01 = 0;
    for (std::size_t i = 0; i < n; ++i) r01 += x(i, 0) * x(i, 1);
    CHECK(r01 / double(n) == Approx(set.rho).margin(0.02));
    // The log-density is the whitening's: log N(z; 0, I) + log |det dz/dx|.
    for (std::size_t i = 0; i < 5; ++i) {
        double lp = -0.5 * double(D) * std::log(2 * M_PI) - double(d - 1) * std::log(c);
        for (std::size_t j = 0; j < D; ++j) lp -= 0.5 * z(i, j) * z(i, j);
        for (std::size_t j = 0; j < d; ++j) lp -= -1 + 0.5 * std::tanh(x(i, (j + 1) % d));
        CHECK(set.log_density(x, i) == Approx(lp).margin(1e-10));
    }
    CHECK(set.kept_half_excess() == Approx(-1.5 * std::log(1 - 0.81)));
}

TEST_CASE("triangular coupling: one layer with A learns what one plain layer cannot", "[tri][train]") {
    // One plain coupling leaves the kept half N(0, S): its NLL stays about
    // kept_half_excess() = 2.49 nats above the truth. With A, one layer can whiten it.
    nf::TriConfig c = nf::tri_config(
        model::values("tri", {"--batch", "100", "--lr", "0.003", "--couplings", "1", "--depth", "2", "--hidden", "32"}),
        "correlated");
    c.points = 3000;
    c.val_points = 2000;
    c.epochs = 15;
    c.seed = 2;
    const auto with_a = nf::train_tri(c, false);
    c.with_a = false;
    const auto plain = nf::train_tri(c, false);
    const double gap = plain.history.back().val_loss - with_a.history.back().val_loss;
    INFO("plain " << plain.history.back().val_loss << ", with A " << with_a.history.back().val_loss);
    CHECK(gap > 0.6 * c.set.kept_half_excess());
}

TEST_CASE("triangular flows: training, validation and held-out rows are three draws, and patience keeps the best",
          "[tri][train]") {
    nf::TriConfig c = nf::tri_config(
        model::values("tri", {"--batch", "100", "--lr", "0.05", "--couplings", "1", "--depth", "2", "--hidden", "8",
                              "--patience", "3"}),
        "correlated");
    c.points = 400;
    c.val_points = 200;
    c.epochs = 60;
    const auto train = nf::tri_points(c, nf::TriRows::Train), val = nf::tri_points(c, nf::TriRows::Validation),
               held = nf::tri_points(c, nf::TriRows::Held);
    CHECK(train.shape(0) == 400);
    CHECK(val.shape(0) == 200);
    CHECK(held.shape(0) == 200);
    CHECK(val(0, 0) != held(0, 0));
    CHECK(train(0, 0) != val(0, 0));
    // A large rate overfits 400 rows quickly: training stops within `patience` epochs of
    // the lowest validation loss, and the model is that epoch's.
    const auto m = nf::train_tri(c, false);
    std::size_t best = 0;
    for (std::size_t e = 0; e < m.history.size(); ++e)
        if (m.history[e].val_loss < m.history[best].val_loss) best = e;
    CHECK(m.history.size() <= best + 1 + 3);
    const double kept = m.flow.loss(xt::cast<float>(val));
    CHECK(kept == Approx(m.history[best].val_loss).epsilon(1e-6));
}

TEST_CASE("inverse_cholesky whitens a covariance with a lower-triangular factor", "[tri][fast]") {
    Mat<double> S{{4.0, 2.0, 0.4}, {2.0, 5.0, 1.0}, {0.4, 1.0, 3.0}};
    const Mat<double> W = linalg::inverse_cholesky(S);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(W(i, i) > 0);
        for (std::size_t j = i + 1; j < 3; ++j) CHECK(W(i, j) == 0.0);
    }
    // W S W^T = I.
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            double v = 0;
            for (std::size_t a = 0; a < 3; ++a)
                for (std::size_t b = 0; b < 3; ++b) v += W(i, a) * S(a, b) * W(j, b);
            CHECK(v == Approx(i == j ? 1.0 : 0.0).margin(1e-12));
        }
    // By hand for 2 x 2: S = [[4, 2], [2, 5]] has L = [[2, 0], [1, 2]], so L^-1 = [[1/2, 0], [-1/4, 1/2]].
    const Mat<double> W2 = linalg::inverse_cholesky(Mat<double>{{4.0, 2.0}, {2.0, 5.0}});
    CHECK(W2(0, 0) == Approx(0.5));
    CHECK(W2(1, 0) == Approx(-0.25));
    CHECK(W2(1, 1) == Approx(0.5));
    CHECK_THROWS(linalg::inverse_cholesky(Mat<double>{{1.0, 2.0}, {2.0, 1.0}}));
}
