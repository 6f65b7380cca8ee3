// The register-blocked product of nn/rows_gemm.hpp against a plain loop in double, for
// every layout the layers use and shapes with remainders (rows not a multiple of six,
// widths not a multiple of 64); and a float Linear layer on it against the double one.
#include <vector>

#include <catch2/catch.hpp>

#include "core/rng.hpp"
#include "nn/layers.hpp"
#include "nn/rows_gemm.hpp"

using namespace flow;

TEST_CASE("rows_gemm adds A B to C for strided A, whatever the shapes", "[nn][fast]") {
    Rng rng(7, "rows-gemm");
    for (std::size_t M : {1, 5, 6, 13})
        for (std::size_t N : {16, 48, 64, 80, 128})
            for (std::size_t K : {1, 3, 64, 130})
                for (bool transposed : {false, true}) {
                    // A stored as M x K, or as K x M and read by columns.
                    std::vector<float> A(M * K), B(K * N), C(M * N);
                    for (auto& v : A) v = float(rng.uniform(-1, 1));
                    for (auto& v : B) v = float(rng.uniform(-1, 1));
                    for (auto& v : C) v = float(rng.uniform(-1, 1));
                    const std::size_t si = transposed ? 1 : K, sk = transposed ? M : 1;
                    std::vector<double> want(C.begin(), C.end());
                    for (std::size_t i = 0; i < M; ++i)
                        for (std::size_t k = 0; k < K; ++k)
                            for (std::size_t j = 0; j < N; ++j)
                                want[i * N + j] += double(A[i * si + k * sk]) * double(B[k * N + j]);
                    REQUIRE(nn::rows_gemm::covers(N));
                    nn::rows_gemm::multiply_add(M, N, K, A.data(), si, sk, B.data(), N, C.data(), N);
                    double worst = 0;
                    for (std::size_t e = 0; e < M * N; ++e) worst = std::max(worst, std::abs(C[e] - want[e]));
                    INFO("M " << M << " N " << N << " K " << K << " transposed " << transposed);
                    CHECK(worst < 1e-5 * double(K + 1));
                }
    CHECK_FALSE(nn::rows_gemm::covers(2));
    CHECK_FALSE(nn::rows_gemm::covers(24));
}

TEST_CASE("a float layer of 64 units gives the double layer's output and gradients", "[nn][fast]") {
    Rng rng(3, "rows-gemm-layer");
    nn::Linear<double> d(64, 64, rng);
    nn::Linear<float> f;
    f.W = xt::cast<float>(d.W);
    f.b = xt::cast<float>(d.b);
    f.dW = xt::zeros<float>({64, 64});
    f.db = xt::zeros<float>({64});
    nn::Mat<double> x = xt::zeros<double>({9, 64}), dy = xt::zeros<double>({9, 64});
    for (auto& v : x) v = rng.uniform(-1, 1);
    for (auto& v : dy) v = rng.uniform(-1, 1);
    nn::Mat<double> yd, dxd;
    nn::Mat<float> yf, dxf;
    d.forward(x, yd);
    f.forward(xt::cast<float>(x), yf);
    d.backward(dy, x, dxd);
    f.backward(xt::cast<float>(dy), xt::cast<float>(x), dxf);
    CHECK(xt::amax(xt::abs(xt::cast<double>(yf) - yd))() < 1e-5);
    CHECK(xt::amax(xt::abs(xt::cast<double>(dxf) - dxd))() < 1e-5);
    CHECK(xt::amax(xt::abs(xt::cast<double>(f.dW) - d.dW))() < 1e-5);
    CHECK(xt::amax(xt::abs(xt::cast<double>(f.db) - d.db))() < 1e-5);
}
