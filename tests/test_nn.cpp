// Finite-difference checks of every backward pass, in double precision.
//
// The scalar checked is L = sum(y * R) for a fixed random R, so dL/dy = R. Each
// analytic derivative is compared with the central difference (L(p+h) - L(p-h)) / 2h,
// h = 1e-6. For these piecewise-linear layers the truncation error is zero away from
// LeakyReLU's kink (seeded inputs keep every pre-activation far from it) and the
// rounding error is about eps * |L| / h ~ 1e-9, so the tolerance is 1e-7 absolute plus
// 1e-6 relative: far below the size of any wrong term (a missing transpose, a dropped
// accumulation or a wrong slope changes derivatives by O(0.01) or more).
#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>
#include <xtensor-blas/xlinalg.hpp>

#include "core/rng.hpp"
#include "nn/fast_tanh.hpp"
#include "nn/layers.hpp"
#include "gradcheck.hpp"

using namespace flow;
using nn::Mat;
using namespace flow::test;

TEST_CASE("Linear backward matches finite differences", "[nn][fast]") {
    Rng rng(1, "test/linear");
    nn::Linear<double> lin(4, 3, rng);
    Mat<double> x = random_matrix(5, 4, rng), R = random_matrix(5, 3, rng), y, dx;
    auto loss = [&] {
        Mat<double> out;
        lin.forward(x, out);
        return dot_all(out, R);
    };
    lin.forward(x, y);
    lin.backward(R, x, dx);
    check_gradient("dW", lin.W.data(), lin.dW.data(), lin.W.size(), loss);
    check_gradient("db", lin.b.data(), lin.db.data(), lin.b.size(), loss);
    check_gradient("dx", x.data(), dx.data(), x.size(), loss);

    SECTION("gradients accumulate over calls") {
        Mat<double> first_dW = lin.dW;
        lin.forward(x, y);
        lin.backward(R, x, dx);
        for (std::size_t i = 0; i < first_dW.size(); ++i)
            CHECK(lin.dW.data()[i] == Approx(2 * first_dW.data()[i]).margin(1e-12));
    }
}

TEST_CASE("Linear forward equals x W + b computed by xtensor-blas", "[nn][fast]") {
    Rng rng(2, "test/linear-dot");
    nn::Linear<double> lin(7, 5, rng);
    Mat<double> x = random_matrix(9, 7, rng), y;
    lin.forward(x, y);
    Mat<double> ref = xt::linalg::dot(x, lin.W);
    for (std::size_t i = 0; i < 9; ++i)
        for (std::size_t j = 0; j < 5; ++j) CHECK(y(i, j) == Approx(ref(i, j) + lin.b(j)).margin(1e-12));
}

TEST_CASE("LeakyReLU backward matches finite differences", "[nn][fast]") {
    Rng rng(3, "test/leaky");
    nn::LeakyReLU<double> act;
    Mat<double> x = random_matrix(6, 4, rng), R = random_matrix(6, 4, rng), y, dx;
    act.forward(x, y);
    CHECK(y(0, 0) == Approx(x(0, 0) > 0 ? x(0, 0) : 0.01 * x(0, 0)));
    act.backward(R, x, dx);
    check_gradient("dx", x.data(), dx.data(), x.size(), [&] {
        nn::LeakyReLU<double> a;
        Mat<double> out;
        a.forward(x, out);
        return dot_all(out, R);
    });
}

TEST_CASE("MLP backward matches finite differences for every parameter", "[nn][fast]") {
    auto depth = GENERATE(1, 2, 5);
    // 3 -> 6 -> 2 goes through BLAS; 1 -> 8 -> 1 and 1 -> 16 -> 1 through the fused kernels
    // of nn/narrow.hpp (the coupling networks' shapes), with a batch of 11 rows: one
    // block of eight (or four) rows and a remainder.
    struct Shape { std::size_t in, hidden, out, rows; };
    // 1 -> 32 -> 1 at depth 2 through the fused wide kernel of nn/wide.hpp.
    const Shape s = GENERATE(Shape{3, 6, 2, 5}, Shape{1, 8, 1, 11}, Shape{1, 16, 1, 11}, Shape{1, 32, 1, 11});
    INFO("in " << s.in << " hidden " << s.hidden << " out " << s.out << " depth " << depth);
    Rng rng(4, "test/mlp");
    nn::MLP<double> mlp(s.in, s.hidden, s.out, std::size_t(depth), rng);
    Mat<double> x = random_matrix(s.rows, s.in, rng), R = random_matrix(s.rows, s.out, rng);
    nn::Params<double> ps;
    mlp.params(ps, "mlp");
    REQUIRE(ps.size() == 2 * std::size_t(depth));
    nn::zero_grad(ps);
    nn::MLP<double>::Tape tape;
    Mat<double> dx;
    mlp.forward(x, tape);
    mlp.backward(R, x, tape, dx);
    auto loss = [&] {
        nn::MLP<double>::Tape t;
        return dot_all(mlp.forward(x, t), R);
    };
    for (const auto& p : ps) {
        std::vector<double> analytic(p.grad, p.grad + p.size());
        check_gradient(p.name, p.value, analytic.data(), p.size(), loss);
    }
    check_gradient("dx", x.data(), dx.data(), x.size(), loss);

    SECTION("input_gradient gives the same dx and leaves the parameter gradients alone") {
        std::vector<double> before;
        for (const auto& p : ps) before.insert(before.end(), p.grad, p.grad + p.size());
        Mat<double> dx_only;
        mlp.input_gradient(R, tape, dx_only);
        CHECK(bool(dx_only == dx));
        std::vector<double> after;
        for (const auto& p : ps) after.insert(after.end(), p.grad, p.grad + p.size());
        CHECK(after == before);
    }
}

// The fused kernels of nn/narrow.hpp against the same layer computed in separate passes
// (Linear through BLAS, then LeakyReLU): h, a, dW, db and the gradient below, with and
// without the activation's derivative folded in, for every shape they cover and for
// batches with and without a remainder after the blocks of rows. The sums are taken in
// another order, so the two agree to rounding: in double, 1e-12 on values of order 1-10.
template <class T>
void check_narrow_against_separate_passes(std::size_t in, std::size_t out, std::size_t rows, double tol) {
    INFO("in " << in << " out " << out << " rows " << rows << " bytes " << sizeof(T));
    const auto k = nn::narrow::find<T>(in, out);
    REQUIRE(k);
    Rng rng(13, "test/narrow");
    nn::Linear<T> lin(in, out, rng);
    nn::LeakyReLU<T> act;
    const auto random = [&](std::size_t r, std::size_t c) {
        Mat<T> m = Mat<T>::from_shape({r, c});
        for (auto& v : m) v = T(rng.normal());
        return m;
    };
    for (auto& v : lin.dW) v = T(rng.normal());  // gradients accumulate onto what is there
    for (auto& v : lin.db) v = T(rng.normal());
    const Mat<T> x = random(rows, in), up = random(rows, out), hprev = random(rows, in);
    const Mat<T> dW0 = lin.dW;
    const xt::xtensor<T, 1> db0 = lin.db;

    Mat<T> h_ref, a_ref, dx_ref, down_ref;
    lin.forward(x, h_ref);
    act.forward(h_ref, a_ref);
    lin.backward(up, x, dx_ref);
    act.backward(dx_ref, hprev, down_ref);
    const Mat<T> dW_ref = lin.dW;
    const xt::xtensor<T, 1> db_ref = lin.db;

    Mat<T> h = Mat<T>::from_shape({rows, out}), a = h, dx = Mat<T>::from_shape({rows, in}), down = dx;
    lin.dW = dW0;
    lin.db = db0;
    k.forward(rows, x.data(), lin.W.data(), lin.b.data(), h.data(), a.data(), act.slope);
    k.backward(rows, up.data(), x.data(), lin.W.data(), lin.dW.data(), lin.db.data(), dx.data(), nullptr,
               act.slope);
    const auto close = [&](const auto& got, const auto& want) {
        REQUIRE(got.size() == want.size());
        double worst = 0;
        for (std::size_t i = 0; i < got.size(); ++i)
            worst = std::max(worst, std::fabs(double(got.data()[i]) - double(want.data()[i])));
        return worst;
    };
    CHECK(close(h, h_ref) < tol);
    CHECK(close(a, a_ref) < tol);
    CHECK(close(lin.dW, dW_ref) < tol);
    CHECK(close(lin.db, db_ref) < tol);
    CHECK(close(dx, dx_ref) < tol);

    // With hprev, the gradient below is masked by LeakyReLU'(hprev); with dW null, the
    // parameter gradients are left as they are.
    const Mat<T> dW_before = lin.dW;
    k.backward(rows, up.data(), nullptr, lin.W.data(), nullptr, lin.db.data(), down.data(), hprev.data(),
               act.slope);
    CHECK(close(down, down_ref) < tol);
    CHECK(bool(lin.dW == dW_before));
    // Without an activation (the last layer) only h is written.
    Mat<T> h2 = Mat<T>::from_shape({rows, out});
    k.forward(rows, x.data(), lin.W.data(), lin.b.data(), h2.data(), nullptr, act.slope);
    CHECK(bool(h2 == h));
}

TEST_CASE("The fused narrow kernels equal the separate product, bias and activation passes", "[nn][fast]") {
    struct Shape { std::size_t in, out; };
    for (const Shape s : {Shape{1, 8}, Shape{8, 8}, Shape{8, 1}, Shape{1, 16}, Shape{16, 16}, Shape{16, 1}})
        for (const std::size_t rows : {1, 7, 128, 131}) {
            check_narrow_against_separate_passes<double>(s.in, s.out, rows, 1e-12);
            // Float: rounding of sums of up to 131 terms of order 1, relative 2^-24 each.
            check_narrow_against_separate_passes<float>(s.in, s.out, rows, 2e-4);
        }
    // Other shapes have no kernel and go through BLAS.
    for (const Shape s : {Shape{3, 6}, Shape{8, 16}, Shape{2, 8}, Shape{64, 64}, Shape{1, 1}})
        CHECK_FALSE(nn::narrow::find<float>(s.in, s.out));
}

// The wide kernel of nn/wide.hpp (1 -> H -> 1, one hidden layer) against the network
// written out in double loops: the output, every parameter gradient (added onto what is
// there) and the input gradient, for batches with and without a remainder after its
// blocks of eight rows; and input_gradient() leaves the parameters' gradients alone.
template <class T>
void check_wide_against_loops(std::size_t H, std::size_t rows, double tol) {
    INFO("hidden " << H << " rows " << rows << " bytes " << sizeof(T));
    Rng rng(17, "test/wide");
    nn::MLP<T> mlp(1, H, 1, 2, rng);
    auto& l0 = mlp.linear[0];
    auto& l1 = mlp.linear[1];
    for (auto* m : {&l0.b, &l1.b})
        for (auto& v : *m) v = T(rng.normal());
    nn::Params<T> ps;
    mlp.params(ps, "mlp");
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.grad[i] = T(rng.normal());
    std::vector<std::vector<double>> grad0;
    for (auto& p : ps) grad0.emplace_back(p.grad, p.grad + p.size());
    Mat<T> x = Mat<T>::from_shape({rows, std::size_t(1)}), up = x;
    for (auto& v : x) v = T(rng.normal());
    for (auto& v : up) v = T(rng.normal());
    // The reference, in double.
    std::vector<double> out(rows), dx(rows, 0.0), dW1(H, 0.0), db1(H, 0.0), dW2(H, 0.0);
    double db2 = 0;
    const double slope = double(mlp.act.slope);
    for (std::size_t i = 0; i < rows; ++i) {
        out[i] = double(l1.b(0));
        for (std::size_t j = 0; j < H; ++j) {
            const double h = double(x(i, 0)) * double(l0.W(0, j)) + double(l0.b(j));
            const double a = h > 0 ? h : slope * h, g = double(up(i, 0)) * double(l1.W(j, 0)) * (h > 0 ? 1 : slope);
            out[i] += double(l1.W(j, 0)) * a;
            dW2[j] += a * double(up(i, 0));
            dW1[j] += g * double(x(i, 0));
            db1[j] += g;
            dx[i] += g * double(l0.W(0, j));
        }
        db2 += double(up(i, 0));
    }
    typename nn::MLP<T>::Tape tape;
    const Mat<T> y = mlp.forward(x, tape);
    Mat<T> got_dx;
    mlp.backward(up, x, tape, got_dx);
    double worst = 0;
    for (std::size_t i = 0; i < rows; ++i)
        worst = std::max({worst, std::fabs(double(y(i, 0)) - out[i]), std::fabs(double(got_dx(i, 0)) - dx[i])});
    const std::vector<const std::vector<double>*> want{&dW1, &db1, &dW2};
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t j = 0; j < H; ++j)
            worst = std::max(worst, std::fabs(double(ps[k].grad[j]) - grad0[k][j] - (*want[k])[j]));
    worst = std::max(worst, std::fabs(double(ps[3].grad[0]) - grad0[3][0] - db2));
    CHECK(worst < tol);
    std::vector<double> before;
    for (auto& p : ps) before.insert(before.end(), p.grad, p.grad + p.size());
    Mat<T> dx_only;
    mlp.input_gradient(up, tape, dx_only);
    CHECK(bool(dx_only == got_dx));
    std::vector<double> after;
    for (auto& p : ps) after.insert(after.end(), p.grad, p.grad + p.size());
    CHECK(after == before);
}

TEST_CASE("The fused wide network equals the network written out in loops", "[nn][fast]") {
    for (const std::size_t H : {32, 64, 1024})
        for (const std::size_t rows : {1, 7, 100, 131}) {
            check_wide_against_loops<double>(H, rows, 1e-9);
            // Float: sums of up to 1024 terms of order 1, relative 2^-24 each.
            check_wide_against_loops<float>(H, rows, 5e-3);
        }
    // What it does not cover goes through the layers one by one.
    CHECK(nn::wide::covers<float>(1, 512, 1, 2));
    CHECK_FALSE(nn::wide::covers<float>(1, 16, 1, 2));
    CHECK_FALSE(nn::wide::covers<float>(1, 40, 1, 2));
    CHECK_FALSE(nn::wide::covers<float>(2, 512, 1, 2));
    CHECK_FALSE(nn::wide::covers<float>(1, 512, 1, 3));
}

TEST_CASE("A stray forward pass between a loss and its backward changes nothing", "[nn][fast]") {
    Rng rng(7, "test/stray");
    nn::MLP<double> mlp(3, 6, 2, 3, rng);
    Mat<double> x = random_matrix(5, 3, rng), other = random_matrix(8, 3, rng), R = random_matrix(5, 2, rng);
    nn::Params<double> ps;
    mlp.params(ps, "mlp");
    const auto gradients = [&](bool stray) {
        nn::zero_grad(ps);
        nn::MLP<double>::Tape tape, elsewhere;
        Mat<double> dx;
        mlp.forward(x, tape);
        if (stray) mlp.forward(other, elsewhere);  // e.g. a validation batch
        mlp.backward(R, x, tape, dx);
        std::vector<double> g(dx.begin(), dx.end());
        for (const auto& p : ps) g.insert(g.end(), p.grad, p.grad + p.size());
        return g;
    };
    CHECK(gradients(true) == gradients(false));
}

TEST_CASE("Embedding backward accumulates into the rows of the labels used", "[nn][fast]") {
    Rng rng(5, "test/embedding");
    nn::Embedding<double> emb(5, 3, rng);
    xt::xtensor<int, 1> labels = {2, 0, 2, 4, 2, 1};  // class 3 unused, class 2 thrice
    Mat<double> R = random_matrix(6, 3, rng), y;
    emb.forward(labels, y);
    CHECK(y(1, 2) == emb.table(0, 2));
    emb.backward(R, labels);
    check_gradient("dtable", emb.table.data(), emb.dtable.data(), emb.table.size(), [&] {
        nn::Embedding<double> e = emb;
        Mat<double> out;
        e.forward(labels, out);
        return dot_all(out, R);
    });
    for (std::size_t j = 0; j < 3; ++j) CHECK(emb.dtable(3, j) == 0.0);
}

TEST_CASE("float layers agree with their double instantiation", "[nn][fast]") {
    Rng a(6, "test/prec"), b(6, "test/prec");
    nn::MLP<float> mf(2, 16, 2, 4, a);
    nn::MLP<double> md(2, 16, 2, 4, b);
    Mat<float> xf = {{0.3f, -1.2f}, {2.0f, 0.5f}, {-0.7f, 0.1f}};
    Mat<double> xd = xt::cast<double>(xf);
    nn::MLP<float>::Tape tf;
    nn::MLP<double>::Tape td;
    const auto& yf = mf.forward(xf, tf);
    const auto& yd = md.forward(xd, td);
    for (std::size_t i = 0; i < yf.size(); ++i)
        CHECK(yf.data()[i] == Approx(yd.data()[i]).margin(1e-5));  // float rounding over 4 layers
}

// nn::gemm, the layers' one product, against a direct triple loop: each transposition,
// alpha and beta other than 1 and 0, leading dimensions wider than the matrices, and
// beta = 0 over a C full of NaN (which must not be read).
TEST_CASE("gemm computes alpha op(A) op(B) + beta C for every transposition", "[nn][fast]") {
    Rng rng(12, "test/gemm");
    struct Shape { int M, N, K; };
    // Narrow shapes as in the flows' networks (batch 37, 5 and 3 units), and wider ones.
    for (const Shape s : {Shape{37, 3, 5}, Shape{5, 3, 37}, Shape{37, 40, 24}, Shape{24, 40, 37}}) {
        for (const bool ta : {false, true}) {
            for (const bool tb : {false, true}) {
                for (const double beta : {0.0, 1.0, 0.5}) {
                    const int pad = 2;
                    const int arows = ta ? s.K : s.M, acols = ta ? s.M : s.K;
                    const int brows = tb ? s.N : s.K, bcols = tb ? s.K : s.N;
                    const int lda = acols + pad, ldb = bcols + pad, ldc = s.N + pad;
                    std::vector<double> A(std::size_t(arows * lda)), B(std::size_t(brows * ldb)),
                        C(std::size_t(s.M * ldc));
                    for (auto& v : A) v = rng.normal();
                    for (auto& v : B) v = rng.normal();
                    for (auto& v : C) v = beta == 0.0 ? std::nan("") : rng.normal();
                    const std::vector<double> C0 = C;
                    const double alpha = 2.0;
                    nn::gemm(ta, tb, s.M, s.N, s.K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
                    double worst = 0;
                    for (int i = 0; i < s.M; ++i)
                        for (int j = 0; j < s.N; ++j) {
                            double ref = 0;
                            for (int k = 0; k < s.K; ++k)
                                ref += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
                            ref = alpha * ref + (beta == 0.0 ? 0.0 : beta * C0[i * ldc + j]);
                            worst = std::max(worst, std::fabs(C[i * ldc + j] - ref));
                        }
                    INFO("M " << s.M << " N " << s.N << " K " << s.K << " ta " << ta << " tb " << tb << " beta "
                              << beta);
                    CHECK(worst < 1e-12);
                    // The padding columns of C are left alone.
                    for (int i = 0; i < s.M; ++i)
                        for (int j = s.N; j < ldc; ++j) {
                            const double before = C0[i * ldc + j], after = C[i * ldc + j];
                            CHECK((before == after || (std::isnan(before) && std::isnan(after))));
                        }
                }
            }
        }
    }
}

TEST_CASE("the vectorised tanh agrees with libm's to a few units of 1e-16", "[nn][tanh]") {
    std::vector<double> x;
    for (double v = -25.0; v <= 25.0; v += 0.00137) x.push_back(v);
    for (double v : {0.0, -0.0, 1e-300, -1e-12, 1e-8, 18.99, 19.0, 19.01, 700.0, -1e308}) x.push_back(v);
    std::vector<double> y = x;
    flow::nn::tanh_inplace(y.data(), y.size());
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(y[i] - std::tanh(x[i])));
    CHECK(worst < 4e-16);
    CHECK(y[x.size() - 10] == 0.0);
    CHECK(std::signbit(y[x.size() - 9]));  // tanh(-0) = -0
    // A NaN stays a NaN (training must see a diverged value), and a wrong formula fails:
    std::vector<double> nan{std::nan(""), 0.5};
    flow::nn::tanh_inplace(nan.data(), nan.size());
    CHECK(std::isnan(nan[0]));
    CHECK(std::fabs(nan[1] - 0.46211715726000974) < 1e-16);
}
