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
// x in every lane (a broadcast; V{} + x would add the scalar to 0 first).
inline V splat(float x) { return V{x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}; }

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

}  // namespace flow::nn::rows_gemm
