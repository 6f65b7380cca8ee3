#pragma once
// Fused kernels for the narrow Linear layers of the coupling networks (1 -> H -> ... -> H -> 1
// with H = 8 or 16): one call does a layer's product, bias and activation, or its whole
// backward pass.
//
// Through BLAS, a 128x8 by 8x8 product is all overhead: the call, packing both operands
// and scaling C cost more than its 16 kFLOP, and the bias, the activation and its
// derivative are further passes over the batch. Here the widths are template parameters
// and the arithmetic is written on GCC's vector extensions, 512-bit vectors where a row of
// H values fills one (16 floats) and 256-bit ones otherwise: a row is one or a few
// registers, and several rows or several rows of dW are summed at once, so that
// independent multiply-adds hide each other's latency.
//
// Shapes as in nn::Linear: x is (B, IN), W is (IN, OUT), b is (OUT), h is (B, OUT); all
// row-major and dense. The order of every sum is fixed by the code, whatever B is, so a
// build gives the same numbers on every run.
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "nn/vectors.hpp"

namespace flow::nn::narrow {

// Vectors of Bytes bytes: 64 (one AVX-512 register) for rows of 16 floats, 32 (AVX2) for
// rows of 8; see bytes_for.
template <class T, int Bytes>
using V = vec::V<T, Bytes>;
template <class T, int Bytes>
constexpr int lanes = vec::lanes<T, Bytes>;
using vec::lane_sum;
using vec::store;
using vec::splat;
// LeakyReLU'(h) as a vector: 1 where h > 0, slope elsewhere.
template <class T, int Bytes>
inline V<T, Bytes> leaky_slope(V<T, Bytes> h, T slope) {
    return h > V<T, Bytes>{} ? splat<T, Bytes>(T(1)) : splat<T, Bytes>(slope);
}
// The vector size for a layer of width H (its wider side): a row in one register where
// it fills a 64-byte one, else 32-byte vectors.
template <class T, int IN, int OUT>
constexpr int bytes_for() {
    constexpr int H = IN > OUT ? IN : OUT;
    return (H * int(sizeof(T))) % 64 == 0 ? 64 : 32;
}

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
template <class T, int Bytes, int NV>
inline void load_row(const T* __restrict row, V<T, Bytes>* out) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) out[v] = vec::load<Bytes>(row + v * lanes<T, Bytes>);
}

// each(i, rows[i, :] . w) for the B rows of a (B, NV vectors) matrix: the products summed
// vector by vector, then the lanes.
template <class T, int Bytes, int NV, class Each>
inline void dots_by_row(std::size_t B, const T* __restrict rows, const T* __restrict w_row, Each each) {
    V<T, Bytes> w[NV];
    load_row<T, Bytes, NV>(w_row, w);
    for (std::size_t i = 0; i < B; ++i) {
        const T* row = rows + i * NV * lanes<T, Bytes>;
        V<T, Bytes> s = vec::load<Bytes>(row) * w[0];
#pragma GCC unroll 16
        for (int v = 1; v < NV; ++v) s += vec::load<Bytes>(row + v * lanes<T, Bytes>) * w[v];
        each(i, lane_sum<T>(s));
    }
}

// Rows (or partial sums) handled together: eight independent vector accumulators.
constexpr int spread(int per_row) { return per_row >= 8 ? 1 : 8 / per_row; }

// out[i, :] = c + sum_k s[i, k] M[k, :] for the B rows of s (B, K), with M (K, N), N a whole
// number of vectors, and c (N) or zero when c is null; emit(i, v, value) receives vector v
// of row i. R rows at a time are summed in registers, k in order. Always inlined: left as
// a call, GCC compiled both kernels' callers 5-10% slower.
template <class T, int Bytes, int K, int N, class Emit>
[[gnu::always_inline]] inline void row_products(std::size_t B, const T* __restrict s, const T* __restrict M,
                                                const T* __restrict c, Emit emit) {
    constexpr int L = lanes<T, Bytes>, NV = N / L, R = spread(NV);
    static_assert(N % L == 0, "narrow::row_products: N must be a whole number of vectors");
    V<T, Bytes> init[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) init[v] = c ? vec::load<Bytes>(c + v * L) : V<T, Bytes>{};
    by_row_blocks<R>(B, [&](std::size_t i, auto count) {
        constexpr int n = decltype(count)::value;
        V<T, Bytes> acc[n][NV];
#pragma GCC unroll 16
        for (int r = 0; r < n; ++r)
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v) acc[r][v] = init[v];
#pragma GCC unroll 16
        for (int k = 0; k < K; ++k) {
            V<T, Bytes> m[NV];
            load_row<T, Bytes, NV>(M + k * N, m);
#pragma GCC unroll 16
            for (int r = 0; r < n; ++r) {
                const V<T, Bytes> sv = splat<T, Bytes>(s[(i + r) * K + k]);
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
    constexpr int Bytes = bytes_for<T, IN, OUT>(), L = lanes<T, Bytes>;
    if constexpr (OUT % L == 0) {
        row_products<T, Bytes, IN, OUT>(B, x, W, b, [&](std::size_t i, int v, V<T, Bytes> y) {
            store(h + i * OUT + v * L, y);
            if (a) store(a + i * OUT + v * L, y * leaky_slope<T, Bytes>(y, slope));
        });
    } else {
        static_assert(OUT == 1 && IN % L == 0, "narrow::forward: OUT must be 1 or a whole number of vectors");
        // h[i] = b + x[i, :] . W[:, 0], one dot product per row.
        dots_by_row<T, Bytes, IN / L>(B, x, W, [&](std::size_t i, T d) {
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
    constexpr int Bytes = bytes_for<T, IN, OUT>(), L = lanes<T, Bytes>;
    if (dW) {
        if constexpr (OUT % L == 0) {
            // dW[k, :] += sum_i x[i, k] up[i, :]: KB rows of dW (NV registers each) at once.
            constexpr int NV = OUT / L, KB = IN < spread(NV) ? IN : spread(NV), P = spread(KB * NV);
            static_assert(IN % KB == 0, "narrow::backward: the blocks of dW's rows must tile IN");
            for (int k0 = 0; k0 < IN; k0 += KB) {
                V<T, Bytes> acc[P][KB][NV] = {};
                const auto row = [&](std::size_t i, int p) {
                    V<T, Bytes> u[NV];
#pragma GCC unroll 16
                    for (int v = 0; v < NV; ++v) u[v] = vec::load<Bytes>(up + i * OUT + v * L);
#pragma GCC unroll 16
                    for (int kk = 0; kk < KB; ++kk) {
                        const V<T, Bytes> xv = splat<T, Bytes>(x[i * IN + k0 + kk]);
#pragma GCC unroll 16
                        for (int v = 0; v < NV; ++v) acc[p][kk][v] += xv * u[v];
                    }
                };
                by_partial_sums<P>(B, row);
#pragma GCC unroll 16
                for (int kk = 0; kk < KB; ++kk)
#pragma GCC unroll 16
                    for (int v = 0; v < NV; ++v) {
                        V<T, Bytes> s = acc[0][kk][v];
#pragma GCC unroll 16
                        for (int p = 1; p < P; ++p) s += acc[p][kk][v];
                        T* d = dW + (k0 + kk) * OUT + v * L;
                        store(d, vec::load<Bytes>(d) + s);
                    }
            }
            // db += the column sums of up, in four partial sums.
            V<T, Bytes> acc[4][NV] = {};
            by_partial_sums<4>(B, [&](std::size_t i, int p) {
#pragma GCC unroll 16
                for (int v = 0; v < NV; ++v) acc[p][v] += vec::load<Bytes>(up + i * OUT + v * L);
            });
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v)
                store(db + v * L, vec::load<Bytes>(db + v * L) + ((acc[0][v] + acc[1][v]) + (acc[2][v] + acc[3][v])));
        } else {
            static_assert(OUT == 1 && IN % L == 0, "narrow::backward: OUT must be 1 or a whole number of vectors");
            // dW[:, 0] += sum_i up[i] x[i, :], db[0] += sum_i up[i].
            constexpr int NV = IN / L, P = spread(NV);
            V<T, Bytes> acc[P][NV] = {};
            T s[P] = {};
            const auto row = [&](std::size_t i, int p) {
                const V<T, Bytes> g = splat<T, Bytes>(up[i]);
#pragma GCC unroll 16
                for (int v = 0; v < NV; ++v) acc[p][v] += vec::load<Bytes>(x + i * IN + v * L) * g;
                s[p] += up[i];
            };
            by_partial_sums<P>(B, row);
#pragma GCC unroll 16
            for (int v = 0; v < NV; ++v) {
                V<T, Bytes> t = acc[0][v];
#pragma GCC unroll 16
                for (int p = 1; p < P; ++p) t += acc[p][v];
                store(dW + v * L, vec::load<Bytes>(dW + v * L) + t);
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
        row_products<T, Bytes, OUT, IN>(B, up, Wt, nullptr, [&](std::size_t i, int v, V<T, Bytes> g) {
            // times 1 is exact: where hprev > 0 the gradient passes unchanged.
            store(down + i * IN + v * L, hprev ? g * leaky_slope<T, Bytes>(vec::load<Bytes>(hprev + i * IN + v * L), slope) : g);
        });
    } else {
        static_assert(IN == 1 && OUT % L == 0, "narrow::backward: IN must be 1 or a whole number of vectors");
        // down[i] = up[i, :] . W[0, :], one dot product per row.
        dots_by_row<T, Bytes, OUT / L>(B, up, W, [&](std::size_t i, T g) {
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
