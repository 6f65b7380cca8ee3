#pragma once
// A fused kernel for the wide one-hidden-layer networks of a coupling in two dimensions,
// 1 -> H -> 1 with H a multiple of kWideBlock (ECE 792's 512 and 1024 units):
//
//   out_i = b2 + sum_j W2_j LeakyReLU(x_i W1_j + b1_j).
//
// Through BLAS each of the two layers is a rank-1 update or a matrix-vector product: the
// hidden activations (B x H, 400 kB for a batch of 100 at H = 1024) are written, read
// back for the bias, the activation, its derivative and both products, five passes over
// memory for a few operations each. Here one pass over the units computes a row's output
// with the activations in registers, and the backward pass recomputes them (one
// multiply-add each) instead of keeping them: nothing of size B x H is stored.
//
// LeakyReLU(h) = s h + (1 - s) max(h, 0) for its slope s. The linear part s h sums over
// the units or the rows in closed form (h is x W1 + b1, so sum_j W2_j h_ij is
// x_i sum_j W1_j W2_j + sum_j b1_j W2_j), which leaves the units' part: per unit and row
// a multiply-add for h, a compare, and what lands where h > 0 (one multiply-add in the
// forward pass; three masked additions in the backward pass, where the slope's blend and
// three products were: dW2 needs no sum of its own, being W1 and b1 times the other two).
//
// The arithmetic is written on 64-byte vectors (GCC's vector extensions: one AVX-512
// register, or two AVX2 registers on a machine without it). Every sum is taken in an
// order the code fixes, whatever B is: the same inputs give the same bits on every run.
#include <cstddef>
#include <type_traits>
#include <vector>

#include "nn/vectors.hpp"

namespace flow::nn::wide {

template <class T>
using V = vec::V<T, 64>;
template <class T>
constexpr std::size_t lanes = std::size_t(vec::lanes<T, 64>);
// Units handled per step of the backward pass: two vectors, so that its parameter sums
// are independent chains.
template <class T>
constexpr std::size_t block = 2 * lanes<T>;

template <class T>
inline V<T> load(const T* p) { return vec::load<64>(p); }
using vec::store;
template <class T>
inline V<T> splat(T s) { return vec::splat<T, 64>(s); }
template <class T>
inline T lane_sum(V<T> v) { return vec::lane_sum<T>(v); }

// Whether a 1 -> H -> 1 network runs here: H at least 32 (the narrow kernels of
// nn/narrow.hpp take 8 and 16) and a whole number of blocks.
template <class T>
inline bool covers(std::size_t in, std::size_t hidden, std::size_t out, std::size_t depth) {
    return depth == 2 && in == 1 && out == 1 && hidden >= 32 && hidden % block<T> == 0;
}

// sum_j a_j b_j over H entries (a multiple of the lanes), lane by lane and then across.
template <class T>
inline T dot(std::size_t H, const T* __restrict a, const T* __restrict b) {
    V<T> s{};
    for (std::size_t j = 0; j < H; j += lanes<T>) s += load<T>(a + j) * load<T>(b + j);
    return lane_sum<T>(s);
}

// out[i] for the B rows of x (B x 1). W1 and b1 have H entries, W2 is (H x 1), b2 one.
// Eight rows at a time share each load of the weights; the count of rows is a constant of
// each instance, so that their sums stay in registers (a count known only at run time
// kept them on the stack, a store and a load per multiply-add).
template <class T>
void forward(std::size_t B, std::size_t H, const T* __restrict x, const T* __restrict W1, const T* __restrict b1,
             const T* __restrict W2, T b2, T* __restrict out, T slope) {
    constexpr std::size_t L = lanes<T>, R = 8;
    const T ww = dot(H, W1, W2), cw = dot(H, b1, W2), q = T(1) - slope;
    const V<T> zero{};
    std::size_t i = 0;
    const auto rows = [&](auto count) {
        constexpr std::size_t n = decltype(count)::value;
        V<T> xs[n], acc[n];
#pragma GCC unroll 8
        for (std::size_t r = 0; r < n; ++r) {
            xs[r] = splat<T>(x[i + r]);
            acc[r] = V<T>{};
        }
        for (std::size_t j = 0; j < H; j += L) {
            const V<T> w1 = load<T>(W1 + j), c = load<T>(b1 + j), w2 = load<T>(W2 + j);
#pragma GCC unroll 8
            for (std::size_t r = 0; r < n; ++r) {
                const V<T> h = xs[r] * w1 + c;
                acc[r] += (h > zero ? h : zero) * w2;
            }
        }
        for (std::size_t r = 0; r < n; ++r)
            out[i + r] = b2 + slope * (x[i + r] * ww + cw) + q * lane_sum<T>(acc[r]);
        i += n;
    };
    while (i + R <= B) rows(std::integral_constant<std::size_t, R>{});
    while (i < B) rows(std::integral_constant<std::size_t, 1>{});
}

// The backward pass of forward() for up = dL/dout (B): dx[i] = dL/dx_i, and with params
// the gradients accumulate: dW1 += sum_i g_i x_i, db1 += sum_i g_i, dW2 += sum_i a_i up_i,
// db2 += sum_i up_i, where a_i = LeakyReLU(h_i) and g_i = up_i W2 LeakyReLU'(h_i).
// With k_ij = [h_ij > 0], LeakyReLU'(h_ij) = s + (1 - s) k_ij, and over the rows where
// k_ij = 1 the kernel sums P_j = up x and Q_j = up; over the units where it is 1,
// D_i = W1_j W2_j. Then, with U = sum up and X = sum up x over all rows, G_j = s X + (1 - s) P_j
// and E_j = s U + (1 - s) Q_j,
//   dW1_j += W2_j G_j,   db1_j += W2_j E_j,   dx_i = up_i (s sum_j W1_j W2_j + (1 - s) D_i),
//   dW2_j += W1_j G_j + b1_j E_j   (sum_i up_i LeakyReLU(h_ij), h_ij = x_i W1_j + b1_j).
// scratch holds B vectors (a row's D summed by lane until the end).
template <bool WithParams, std::size_t NV, class T>
void backward_block(std::size_t j, std::size_t B, const T* __restrict up, const T* __restrict x,
                    const T* __restrict W1, const T* __restrict b1, const T* __restrict W2, T* __restrict dW1,
                    T* __restrict db1, T* __restrict dW2, T* __restrict dv, T su, T sux, T slope) {
    constexpr std::size_t L = lanes<T>;
    const V<T> zero{};
    V<T> w1[NV], c[NV], w[NV], p[NV], q[NV];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) {
        w1[v] = load<T>(W1 + j + v * L);
        c[v] = load<T>(b1 + j + v * L);
        w[v] = w1[v] * load<T>(W2 + j + v * L);
        p[v] = q[v] = V<T>{};
    }
    for (std::size_t i = 0; i < B; ++i) {
        const V<T> xi = splat<T>(x[i]), u = splat<T>(up[i]), ux = splat<T>(up[i] * x[i]);
        V<T> d = load<T>(dv + i * L);
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) {
            const V<T> h = xi * w1[v] + c[v];
            const auto k = h > zero;
            // Each masked sum is one merge-masked addition: lanes where h <= 0 keep theirs.
            d = k ? d + w[v] : d;
            if constexpr (WithParams) {
                p[v] = k ? p[v] + ux : p[v];
                q[v] = k ? q[v] + u : q[v];
            }
        }
        store(dv + i * L, d);
    }
    if constexpr (WithParams) {
        const V<T> sU = splat<T>(slope * su), sX = splat<T>(slope * sux), qv = splat<T>(T(1) - slope);
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) {
            const std::size_t o = j + v * L;
            const V<T> w2 = load<T>(W2 + o);
            const V<T> gx = sX + qv * p[v], g1 = sU + qv * q[v];
            store(dW1 + o, load<T>(dW1 + o) + w2 * gx);
            store(db1 + o, load<T>(db1 + o) + w2 * g1);
            store(dW2 + o, load<T>(dW2 + o) + (w1[v] * gx + c[v] * g1));
        }
    }
}

// The units in blocks of four vectors (a row's broadcasts and its D shared by 64 float
// units), the rest two at a time.
template <bool WithParams, class T>
void backward_units(std::size_t B, std::size_t H, const T* __restrict up, const T* __restrict x,
                    const T* __restrict W1, const T* __restrict b1, const T* __restrict W2, T* __restrict dW1,
                    T* __restrict db1, T* __restrict dW2, T* __restrict dv, T su, T sux, T slope) {
    constexpr std::size_t L = lanes<T>;
    std::size_t j = 0;
    for (; j + 4 * L <= H; j += 4 * L)
        backward_block<WithParams, 4>(j, B, up, x, W1, b1, W2, dW1, db1, dW2, dv, su, sux, slope);
    for (; j < H; j += 2 * L)
        backward_block<WithParams, 2>(j, B, up, x, W1, b1, W2, dW1, db1, dW2, dv, su, sux, slope);
}

template <class T>
void backward(std::size_t B, std::size_t H, const T* __restrict up, const T* __restrict x, const T* __restrict W1,
              const T* __restrict b1, const T* __restrict W2, T* __restrict dW1, T* __restrict db1,
              T* __restrict dW2, T* __restrict db2, T* __restrict dx, bool with_params, std::vector<T>& scratch,
              T slope) {
    constexpr std::size_t L = lanes<T>;
    scratch.assign(B * L, T(0));
    T* __restrict dv = scratch.data();
    T su = 0, sux = 0;
    for (std::size_t i = 0; i < B; ++i) {
        su += up[i];
        sux += up[i] * x[i];
    }
    if (with_params)
        backward_units<true>(B, H, up, x, W1, b1, W2, dW1, db1, dW2, dv, su, sux, slope);
    else
        backward_units<false>(B, H, up, x, W1, b1, W2, dW1, db1, dW2, dv, su, sux, slope);
    const T ww = slope * dot(H, W1, W2), q = T(1) - slope;
    for (std::size_t i = 0; i < B; ++i) dx[i] = up[i] * (ww + q * lane_sum<T>(load<T>(dv + i * L)));
    if (with_params) db2[0] += su;
}

}  // namespace flow::nn::wide
