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

TEST_CASE("a float layer of 64 inputs gives the double layer's output and gradients", "[nn][fast]") {
    // 64 outputs run on multiply_add; 2 and 5 outputs (a field's last layer) on dots_add
    // and a transposed multiply_add.
    Rng rng(3, "rows-gemm-layer");
    for (const std::size_t out : {64, 2, 5}) {
        nn::Linear<double> d(64, out, rng);
        nn::Linear<float> f;
        f.W = xt::cast<float>(d.W);
        f.b = xt::cast<float>(d.b);
        f.dW = xt::zeros<float>({std::size_t(64), out});
        f.db = xt::zeros<float>({out});
        // Gradients accumulate onto what is there.
        for (std::size_t e = 0; e < d.dW.size(); ++e) f.dW.data()[e] = float(d.dW.data()[e] = rng.uniform(-1, 1));
        nn::Mat<double> x = xt::zeros<double>({std::size_t(9), std::size_t(64)});
        nn::Mat<double> dy = xt::zeros<double>({std::size_t(9), out});
        for (auto& v : x) v = rng.uniform(-1, 1);
        for (auto& v : dy) v = rng.uniform(-1, 1);
        nn::Mat<double> yd, dxd;
        nn::Mat<float> yf, dxf;
        d.forward(x, yd);
        f.forward(xt::cast<float>(x), yf);
        d.backward(dy, x, dxd);
        f.backward(xt::cast<float>(dy), xt::cast<float>(x), dxf);
        INFO("outputs " << out);
        CHECK(xt::amax(xt::abs(xt::cast<double>(yf) - yd))() < 1e-5);
        CHECK(xt::amax(xt::abs(xt::cast<double>(dxf) - dxd))() < 1e-5);
        CHECK(xt::amax(xt::abs(xt::cast<double>(f.dW) - d.dW))() < 1e-5);
        CHECK(xt::amax(xt::abs(xt::cast<double>(f.db) - d.db))() < 1e-5);
    }
}

TEST_CASE("dots_add adds A Bt^T to C, one dot product an element", "[nn][fast]") {
    Rng rng(11, "rows-gemm-dots");
    for (std::size_t M : {1, 7})
        for (std::size_t N : {1, 2, 3})
            for (std::size_t K : {16, 64, 80}) {
                std::vector<float> A(M * K), Bt(N * K), C(M * N);
                for (auto& v : A) v = float(rng.uniform(-1, 1));
                for (auto& v : Bt) v = float(rng.uniform(-1, 1));
                for (auto& v : C) v = float(rng.uniform(-1, 1));
                std::vector<double> want(C.begin(), C.end());
                for (std::size_t i = 0; i < M; ++i)
                    for (std::size_t j = 0; j < N; ++j)
                        for (std::size_t k = 0; k < K; ++k) want[i * N + j] += double(A[i * K + k]) * double(Bt[j * K + k]);
                nn::rows_gemm::dots_add(M, N, K, A.data(), K, Bt.data(), K, C.data(), N);
                double worst = 0;
                for (std::size_t e = 0; e < M * N; ++e) worst = std::max(worst, std::abs(C[e] - want[e]));
                INFO("M " << M << " N " << N << " K " << K);
                CHECK(worst < 1e-5 * double(K + 1));
            }
}
