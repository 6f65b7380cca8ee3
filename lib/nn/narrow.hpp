#pragma once
// Fused kernels for the narrow Linear layers of the coupling networks (1 -> H -> ... -> H -> 1
// with H = 8 or 16): one call does a layer's product, bias and activation, or its whole
// backward pass.
//
// Through BLAS, a 128x8 by 8x8 product is all overhead: the call, packing both operands
// and scaling C cost more than its 16 kFLOP, and the bias, the activation and its
// derivative are further passes over the batch. Here the widths are template parameters
// and the arithmetic is written on 256-bit vectors (GCC's vector extensions): a row of H
// values is one or a few registers, and several rows or several rows of dW are summed at
// once, so that independent multiply-adds hide each other's latency.
//
// Shapes as in nn::Linear: x is (B, IN), W is (IN, OUT), b is (OUT), h is (B, OUT); all
// row-major and dense. The order of every sum is fixed by the code, whatever B is, so a
// build gives the same numbers on every run.
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "nn/vectors.hpp"

namespace flow::nn::narrow {

template <class T>
using V = vec::V<T, 32>;
template <class T>
constexpr int lanes = vec::lanes<T, 32>;

template <class T>
inline V<T> load(const T* p) { return vec::load<32>(p); }
using vec::store;
// s in every lane, written out: built lane by lane in a loop, GCC assembles several
// splats of neighbouring values with inserts instead of one broadcast each.
inline V<float> splat(float s) { return V<float>{s, s, s, s, s, s, s, s}; }
inline V<double> splat(double s) { return V<double>{s, s, s, s}; }
template <class T>
inline T lane_sum(V<T> v) { return vec::lane_sum<T>(v); }
// LeakyReLU'(h) as a vector: 1 where h > 0, slope elsewhere.
template <class T>
inline V<T> leaky_slope(V<T> h, T slope) { return h > V<T>{} ? splat(T(1)) : splat(slope); }

// rows(i, n) for the blocks of R rows from row 0, then row by row for the rest; n is R or 1
// as an integral constant, so that the block's loops unroll.
template <int R, class Rows>
inline void by_row_blocks(std::size_t B, Rows rows) {
    std::size_t i = 0;
    for (; i + R <= B; i += R) rows(i, std::integral_constant<int, R>{});
    for (; i < B; ++i) rows(i, std::integral_constant<int, 1>{});
}

// row(i, p) for every row i, with p = i mod P for the rows of whole groups of P and 0 for
// the rest: which of P interleaved partial sums row i goes to.
template <int P, class Row>
inline void by_partial_sums(std::size_t B, Row row) {
    std::size_t i = 0;
    for (; i + P <= B; i += P)
#pragma GCC unroll 16
        for (int p = 0; p < P; ++p) row(i + p, p);
    for (; i < B; ++i) row(i, 0);
}

// The NV vectors of a row.
template <class T, int NV>
inline void load_row(const T* __restrict row, V<T>* out) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) out[v] = load(row + v * lanes<T>);
}

// each(i, rows[i, :] . w) for the B rows of a (B, NV vectors) matrix: the products summed
// vector by vector, then the lanes.
template <class T, int NV, class Each>
inline void dots_by_row(std::size_t B, const T* __restrict rows, const T* __restrict w_row, Each each) {
    V<T> w[NV];
    load_row<T, NV>(w_row, w);
    for (std::size_t i = 0; i < B; ++i) {
        const T* row = rows + i * NV * lanes<T>;
        V<T> s = load(row) * w[0];
#pragma GCC unroll 16
        for (int v = 1; v < NV; ++v) s += load(row + v * lanes<T>) * w[v];
        each(i, lane_sum<T>(s));
    }
}

// Rows (or partial sums) handled together: eight independent vector accumulators.
constexpr int spread(int per_row) { return per_row >= 8 ? 1 : 8 / per_row; }

// out[i, :] = c + sum_k s[i, k] M[k, :] for the B rows of s (B, K), with M (K, N), N a whole
// number of vectors, and c (N) or zero when c is null; emit(i, v, value) receives vector v
// of row i. R rows at a time are summed in registers, k in order. Always inlined: left as
// a call, GCC compiled both kernels' callers 5-10% slower.
template <class T, int K, int N, class Emit>
[[gnu::always_inline]] inline void row_products(std::size_t B, const T* __restrict s, const T* __restrict M,
                                                const T* __restrict c, Emit emit) {
    constexpr int L = lanes<T>, NV = N / L, R = spread(NV);
    static_assert(N % L == 0, "narrow::row_products: N must be a whole number of vectors");
    V<T> init[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) init[v] = c ? load(c + v * L) : V<T>{};
    by_row_blocks<R>(B, [&](std::size_t i, auto count) {
        constexpr int n = decltype(count)::value;
        V<T> acc[n][NV];
#pragma GCC unroll 16
        for (int r = 0; r < n; ++r)
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v) acc[r][v] = init[v];
#pragma GCC unroll 16
        for (int k = 0; k < K; ++k) {
            V<T> m[NV];
            load_row<T, NV>(M + k * N, m);
#pragma GCC unroll 16
            for (int r = 0; r < n; ++r) {
                const V<T> sv = splat(s[(i + r) * K + k]);
#pragma GCC unroll 16
                for (int v = 0; v < NV; ++v) acc[r][v] += sv * m[v];
            }
        }
#pragma GCC unroll 16
        for (int r = 0; r < n; ++r)
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v) emit(i + r, v, acc[r][v]);
    });
}

// h = x W + b and, when a is given, a = LeakyReLU(h) = max(h, slope h), slope in (0, 1).
template <class T, int IN, int OUT>
void forward(std::size_t B, const T* __restrict x, const T* __restrict W, const T* __restrict b,
             T* __restrict h, T* __restrict a, T slope) {
    constexpr int L = lanes<T>;
    if constexpr (OUT % L == 0) {
        row_products<T, IN, OUT>(B, x, W, b, [&](std::size_t i, int v, V<T> y) {
            store(h + i * OUT + v * L, y);
            if (a) store(a + i * OUT + v * L, y * leaky_slope(y, slope));
        });
    } else {
        static_assert(OUT == 1 && IN % L == 0, "narrow::forward: OUT must be 1 or a whole number of vectors");
        // h[i] = b + x[i, :] . W[:, 0], one dot product per row.
        dots_by_row<T, IN / L>(B, x, W, [&](std::size_t i, T d) {
            const T y = d + b[0];
            h[i] = y;
            if (a) a[i] = y > T(0) ? y : slope * y;
        });
    }
}

// The backward pass of forward(): up = dL/dh (B, OUT) and x the forward's input. In the
// forward pass h = x W + b, so
//   dW += x^T up, db += the column sums of up   (skipped when dW is null: an input
//                                                 gradient alone), and
//   dL/dx = up W^T; with hprev, x was LeakyReLU(hprev) and down = dL/dhprev
//                   = (up W^T) * LeakyReLU'(hprev); otherwise down = dL/dx.
// The sums over rows are split into P interleaved partial sums (row i into i mod P),
// added in the order 0 ... P-1 at the end.
template <class T, int IN, int OUT>
void backward(std::size_t B, const T* __restrict up, const T* __restrict x, const T* __restrict W,
              T* __restrict dW, T* __restrict db, T* __restrict down, const T* __restrict hprev, T slope) {
    constexpr int L = lanes<T>;
    if (dW) {
        if constexpr (OUT % L == 0) {
            // dW[k, :] += sum_i x[i, k] up[i, :]: KB rows of dW (NV registers each) at once.
            constexpr int NV = OUT / L, KB = IN < spread(NV) ? IN : spread(NV), P = spread(KB * NV);
            static_assert(IN % KB == 0, "narrow::backward: the blocks of dW's rows must tile IN");
            for (int k0 = 0; k0 < IN; k0 += KB) {
                V<T> acc[P][KB][NV] = {};
                const auto row = [&](std::size_t i, int p) {
                    V<T> u[NV];
#pragma GCC unroll 16
                    for (int v = 0; v < NV; ++v) u[v] = load(up + i * OUT + v * L);
#pragma GCC unroll 16
                    for (int kk = 0; kk < KB; ++kk) {
                        const V<T> xv = splat(x[i * IN + k0 + kk]);
#pragma GCC unroll 16
                        for (int v = 0; v < NV; ++v) acc[p][kk][v] += xv * u[v];
                    }
                };
                by_partial_sums<P>(B, row);
#pragma GCC unroll 16
                for (int kk = 0; kk < KB; ++kk)
#pragma GCC unroll 16
                    for (int v = 0; v < NV; ++v) {
                        V<T> s = acc[0][kk][v];
#pragma GCC unroll 16
                        for (int p = 1; p < P; ++p) s += acc[p][kk][v];
                        T* d = dW + (k0 + kk) * OUT + v * L;
                        store(d, load(d) + s);
                    }
            }
            // db += the column sums of up, in four partial sums.
            V<T> acc[4][NV] = {};
            by_partial_sums<4>(B, [&](std::size_t i, int p) {
#pragma GCC unroll 16
                for (int v = 0; v < NV; ++v) acc[p][v] += load(up + i * OUT + v * L);
            });
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v)
                store(db + v * L, load(db + v * L) + ((acc[0][v] + acc[1][v]) + (acc[2][v] + acc[3][v])));
        } else {
            static_assert(OUT == 1 && IN % L == 0, "narrow::backward: OUT must be 1 or a whole number of vectors");
            // dW[:, 0] += sum_i up[i] x[i, :], db[0] += sum_i up[i].
            constexpr int NV = IN / L, P = spread(NV);
            V<T> acc[P][NV] = {};
            T s[P] = {};
            const auto row = [&](std::size_t i, int p) {
                const V<T> g = splat(up[i]);
#pragma GCC unroll 16
                for (int v = 0; v < NV; ++v) acc[p][v] += load(x + i * IN + v * L) * g;
                s[p] += up[i];
            };
            by_partial_sums<P>(B, row);
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v) {
                V<T> t = acc[0][v];
#pragma GCC unroll 16
                for (int p = 1; p < P; ++p) t += acc[p][v];
                store(dW + v * L, load(dW + v * L) + t);
            }
            T t = s[0];
#pragma GCC unroll 16
            for (int p = 1; p < P; ++p) t += s[p];
            db[0] += t;
        }
    }
    if constexpr (IN % L == 0) {
        // A row of down is a sum of rows of W^T (OUT, IN).
        T Wt[OUT * IN];
        for (int k = 0; k < IN; ++k)
#pragma GCC unroll 16
            for (int j = 0; j < OUT; ++j) Wt[j * IN + k] = W[k * OUT + j];
        row_products<T, OUT, IN>(B, up, Wt, nullptr, [&](std::size_t i, int v, V<T> g) {
            // times 1 is exact: where hprev > 0 the gradient passes unchanged.
            store(down + i * IN + v * L, hprev ? g * leaky_slope(load(hprev + i * IN + v * L), slope) : g);
        });
    } else {
        static_assert(IN == 1 && OUT % L == 0, "narrow::backward: IN must be 1 or a whole number of vectors");
        // down[i] = up[i, :] . W[0, :], one dot product per row.
        dots_by_row<T, OUT / L>(B, up, W, [&](std::size_t i, T g) {
            down[i] = hprev ? g * (hprev[i] > T(0) ? T(1) : slope) : g;
        });
    }
}

// A layer's pair of kernels, or none for widths without one.
template <class T>
struct Kernels {
    void (*forward)(std::size_t, const T*, const T*, const T*, T*, T*, T) = nullptr;
    void (*backward)(std::size_t, const T*, const T*, const T*, T*, T*, T*, const T*, T) = nullptr;
    explicit operator bool() const { return forward != nullptr; }
};

template <class T, int IN, int OUT>
Kernels<T> kernels_of() {
    Kernels<T> k;
    k.forward = &forward<T, IN, OUT>;
    k.backward = &backward<T, IN, OUT>;
    return k;
}

// The kernels for an (in, out) layer: the shapes of the coupling networks in two
// dimensions, 1 -> H -> ... -> H -> 1 with H = 8 or 16. Any other shape goes through BLAS.
template <class T>
Kernels<T> find(std::size_t in, std::size_t out) {
    const auto pick = [&](auto width) -> Kernels<T> {
        constexpr int H = decltype(width)::value;
        if (in == 1 && out == std::size_t(H)) return kernels_of<T, 1, H>();
        if (in == std::size_t(H) && out == std::size_t(H)) return kernels_of<T, H, H>();
        if (in == std::size_t(H) && out == 1) return kernels_of<T, H, 1>();
        return {};
    };
    if (Kernels<T> k = pick(std::integral_constant<int, 8>{})) return k;
    return pick(std::integral_constant<int, 16>{});
}

}  // namespace flow::nn::narrow
