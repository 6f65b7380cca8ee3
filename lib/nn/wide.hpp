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
// The arithmetic is written on 64-byte vectors (GCC's vector extensions: one AVX-512
// register, or two AVX2 registers on a machine without it). Every sum is taken in an
// order the code fixes, whatever B is: the same inputs give the same bits on every run.
#include <cstddef>
#include <vector>

#include "nn/vectors.hpp"

namespace flow::nn::wide {

template <class T>
using V = vec::V<T, 64>;
template <class T>
constexpr std::size_t lanes = std::size_t(vec::lanes<T, 64>);
// Units handled per step of the backward pass: two vectors, so that its three parameter
// sums are six independent chains.
template <class T>
constexpr std::size_t block = 2 * lanes<T>;

template <class T>
inline V<T> load(const T* p) { return vec::load<64>(p); }
using vec::store;
template <class T>
inline V<T> splat(T s) { return V<T>{} + s; }
template <class T>
inline T lane_sum(V<T> v) { return vec::lane_sum<T>(v); }

// Whether a 1 -> H -> 1 network runs here: H at least 32 (the narrow kernels of
// nn/narrow.hpp take 8 and 16) and a whole number of blocks.
template <class T>
inline bool covers(std::size_t in, std::size_t hidden, std::size_t out, std::size_t depth) {
    return depth == 2 && in == 1 && out == 1 && hidden >= 32 && hidden % block<T> == 0;
}

// out[i] for the B rows of x (B x 1). W1 and b1 have H entries, W2 is (H x 1), b2 one.
// Eight rows at a time share each load of the weights.
template <class T>
void forward(std::size_t B, std::size_t H, const T* __restrict x, const T* __restrict W1, const T* __restrict b1,
             const T* __restrict W2, T b2, T* __restrict out, T slope) {
    constexpr std::size_t L = lanes<T>, R = 8;
    const V<T> sl = splat<T>(slope);
    std::size_t i = 0;
    const auto rows = [&](std::size_t n) {
        V<T> xs[R], acc[R];
        for (std::size_t r = 0; r < n; ++r) {
            xs[r] = splat<T>(x[i + r]);
            acc[r] = V<T>{};
        }
        for (std::size_t j = 0; j < H; j += L) {
            const V<T> w1 = load<T>(W1 + j), c = load<T>(b1 + j), w2 = load<T>(W2 + j);
            for (std::size_t r = 0; r < n; ++r) {
                // LeakyReLU as max(h, slope h) (0 < slope < 1): a multiply and a max, where
                // h > 0 ? h : slope h is a compare, a blend and the multiply; the same bits.
                const V<T> h = xs[r] * w1 + c, hs = h * sl;
                acc[r] += (h > hs ? h : hs) * w2;
            }
        }
        for (std::size_t r = 0; r < n; ++r) out[i + r] = b2 + lane_sum<T>(acc[r]);
    };
    for (; i + R <= B; i += R) rows(R);
    if (i < B) rows(B - i);
}

// The backward pass of forward() for up = dL/dout (B): dx[i] = dL/dx_i, and with params
// the gradients accumulate: dW1 += sum_i g_i x_i, db1 += sum_i g_i, dW2 += sum_i a_i up_i,
// db2 += sum_i up_i, where a_i = LeakyReLU(h_i) and g_i = up_i W2 LeakyReLU'(h_i).
// scratch holds B vectors (a row's dx summed by lane until the end).
template <class T>
void backward(std::size_t B, std::size_t H, const T* __restrict up, const T* __restrict x, const T* __restrict W1,
              const T* __restrict b1, const T* __restrict W2, T* __restrict dW1, T* __restrict db1,
              T* __restrict dW2, T* __restrict db2, T* __restrict dx, bool with_params, std::vector<T>& scratch,
              T slope) {
    constexpr std::size_t L = lanes<T>;
    scratch.assign(B * L, T(0));
    T* __restrict dxv = scratch.data();
    const V<T> sl = splat<T>(slope), one = splat<T>(T(1));
    for (std::size_t j = 0; j < H; j += 2 * L) {
        const V<T> w1a = load<T>(W1 + j), w1b = load<T>(W1 + j + L), ca = load<T>(b1 + j), cb = load<T>(b1 + j + L);
        const V<T> w2a = load<T>(W2 + j), w2b = load<T>(W2 + j + L);
        V<T> gw1a{}, gw1b{}, gb1a{}, gb1b{}, gw2a{}, gw2b{};
        for (std::size_t i = 0; i < B; ++i) {
            const V<T> xi = splat<T>(x[i]), u = splat<T>(up[i]);
            const V<T> ha = xi * w1a + ca, hb = xi * w1b + cb;
            const V<T> ma = ha > V<T>{} ? one : sl, mb = hb > V<T>{} ? one : sl;
            const V<T> ga = u * w2a * ma, gb = u * w2b * mb;
            store(dxv + i * L, load<T>(dxv + i * L) + (ga * w1a + gb * w1b));
            if (with_params) {
                gw2a += ha * ma * u;
                gw2b += hb * mb * u;
                gw1a += ga * xi;
                gw1b += gb * xi;
                gb1a += ga;
                gb1b += gb;
            }
        }
        if (with_params) {
            store(dW1 + j, load<T>(dW1 + j) + gw1a);
            store(dW1 + j + L, load<T>(dW1 + j + L) + gw1b);
            store(db1 + j, load<T>(db1 + j) + gb1a);
            store(db1 + j + L, load<T>(db1 + j + L) + gb1b);
            store(dW2 + j, load<T>(dW2 + j) + gw2a);
            store(dW2 + j + L, load<T>(dW2 + j + L) + gw2b);
        }
    }
    for (std::size_t i = 0; i < B; ++i) dx[i] = lane_sum<T>(load<T>(dxv + i * L));
    if (with_params) {
        T s = 0;
        for (std::size_t i = 0; i < B; ++i) s += up[i];
        db2[0] += s;
    }
}

}  // namespace flow::nn::wide
