#pragma once
// A small single-precision matrix product for the layers whose outputs are a whole number
// of 64-byte vectors (the flow-matching fields' 64 units):
//
//   C(i, :) += sum_k A(i, k) B(k, :),   i < M, k < K, the columns of C and B contiguous,
//
// with A read through strides (A(i, k) = A[i sa_i + k sa_k]), so that one kernel serves
// x W (A = x), x^T dy (A = x read by columns) and dy W^T (B = W^T). At these shapes
// (batches of 128, 64 x 64 weights) OpenBLAS spends a tenth of its time packing and runs
// the AVX2 kernels of an older core; here six rows of C stay in registers (24 vectors)
// while k runs, each B row is loaded once for the six, and every element of C is the sum
// over k in increasing order: the same bits on every run.
#include <cstddef>

#include "nn/vectors.hpp"

namespace flow::nn::rows_gemm {

using V = vec::V<float, 64>;
constexpr std::size_t kLanes = 16;

// Whether C's width suits the kernel.
inline bool covers(std::size_t n) { return n >= kLanes && n % kLanes == 0; }

namespace detail {
inline V splat(float x) { return vec::splat<float, 64>(x); }

template <std::size_t R, std::size_t NV>
inline void block(std::size_t K, const float* __restrict A, std::size_t sa_i, std::size_t sa_k,
                  const float* __restrict B, std::size_t ldb, float* __restrict C, std::size_t ldc) {
    // Fully unrolled (at -O2 GCC would keep acc in memory): acc and b live in registers.
    V acc[R][NV];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = vec::load<64>(C + r * ldc + v * kLanes);
    for (std::size_t k = 0; k < K; ++k) {
        V b[NV];
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) b[v] = vec::load<64>(B + k * ldb + v * kLanes);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) {
            const V a = splat(A[r * sa_i + k * sa_k]);
#pragma GCC unroll 4
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] += a * b[v];
        }
    }
#pragma GCC unroll 8
    for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) vec::store(C + r * ldc + v * kLanes, acc[r][v]);
}

template <std::size_t NV>
inline void rows(std::size_t M, std::size_t K, const float* A, std::size_t sa_i, std::size_t sa_k, const float* B,
                 std::size_t ldb, float* C, std::size_t ldc) {
    std::size_t i = 0;
    for (; i + 6 <= M; i += 6) block<6, NV>(K, A + i * sa_i, sa_i, sa_k, B, ldb, C + i * ldc, ldc);
    for (; i < M; ++i) block<1, NV>(K, A + i * sa_i, sa_i, sa_k, B, ldb, C + i * ldc, ldc);
}
}  // namespace detail

// C (M x N, row stride ldc) += A (M x K, strides sa_i, sa_k) B (K x N, row stride ldb); N a
// multiple of 16 (covers). Columns in chunks of 64 (four vectors a row), then the rest.
inline void multiply_add(std::size_t M, std::size_t N, std::size_t K, const float* A, std::size_t sa_i,
                         std::size_t sa_k, const float* B, std::size_t ldb, float* C, std::size_t ldc) {
    std::size_t j = 0;
    for (; j + 4 * kLanes <= N; j += 4 * kLanes) detail::rows<4>(M, K, A, sa_i, sa_k, B + j, ldb, C + j, ldc);
    switch ((N - j) / kLanes) {
        case 3: detail::rows<3>(M, K, A, sa_i, sa_k, B + j, ldb, C + j, ldc); break;
        case 2: detail::rows<2>(M, K, A, sa_i, sa_k, B + j, ldb, C + j, ldc); break;
        case 1: detail::rows<1>(M, K, A, sa_i, sa_k, B + j, ldb, C + j, ldc); break;
        default: break;
    }
}

// C (M x N) += A (M x K, row stride lda) Bt^T, for Bt (N x K, row stride ldb): one dot
// product per element, for outputs too narrow for multiply_add (a field's two outputs);
// K a multiple of 16 (covers). Each dot is summed in two chains, the even and the odd
// vectors of k in increasing order, then the two, then across the lanes in order.
inline void dots_add(std::size_t M, std::size_t N, std::size_t K, const float* __restrict A, std::size_t lda,
                     const float* __restrict Bt, std::size_t ldb, float* __restrict C, std::size_t ldc) {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            const float* a = A + i * lda;
            const float* b = Bt + j * ldb;
            V s0{}, s1{};
            std::size_t k = 0;
            for (; k + 2 * kLanes <= K; k += 2 * kLanes) {
                s0 += vec::load<64>(a + k) * vec::load<64>(b + k);
                s1 += vec::load<64>(a + k + kLanes) * vec::load<64>(b + k + kLanes);
            }
            if (k < K) s0 += vec::load<64>(a + k) * vec::load<64>(b + k);
            C[i * ldc + j] += vec::lane_sum<float>(s0 + s1);
        }
}

}  // namespace flow::nn::rows_gemm
