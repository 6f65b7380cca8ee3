#pragma once
// A residual layer y = x + g(x) (Behrmann et al. 2019, invertible residual networks),
// g(x) = W2 tanh(W1 x + b1) + b2 with x in R^D and H hidden units, in double precision
// (or ReLU in place of tanh).
//
// Invertibility. tanh is 1-Lipschitz, so Lip(g) <= s(W1) s(W2), s the largest singular
// value. When Lip(g) = c < 1 the map x -> y - g(x) is a contraction and its fixed point is
// the one x with x + g(x) = y: the iteration x_{k+1} = y - g(x_k) (from x_0 = y) has
// error |x_k - x| <= c^k |x_0 - x|. normalise(c) rescales the weights so that
// s(W1) = 1 and s(W2) = c (spectral normalisation, Miyato et al. 2018); s comes from
// power iteration on W^T W.
//
// Log-determinant. J = I + J_g with J_g = W2 diag(1 - tanh^2(W1 x + b1)) W1. Exactly:
// log |det J| by LU (any D; the 2 x 2 determinant in 2D). As a power series, valid when
// |J_g| < 1 (so when Lip(g) < 1):
//     log det(I + J_g) = sum_{k >= 1} (-1)^{k+1} tr(J_g^k) / k,
// truncated after n terms: the error is at most sum_{k > n} c^k D / k.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/linalg.hpp"
#include "core/rng.hpp"

namespace flow::residual {

using nn::Mat;

// The largest singular value of W by `iterations` of power iteration on W^T W from a
// fixed start (all ones): converges to s(W) from below for any W whose top right
// singular vector is not orthogonal to it.
inline double spectral_norm(const Mat<double>& W, int iterations = 200) {
    const std::size_t R = W.shape(0), C = W.shape(1);
    std::vector<double> v(C, 1.0 / std::sqrt(double(C))), u(R);
    // out = W in (or W^T in), scaled to unit length; returns the length before.
    const auto apply = [&](const std::vector<double>& in, std::vector<double>& out, bool transposed) {
        for (std::size_t o = 0; o < out.size(); ++o) {
            double a = 0;
            for (std::size_t i = 0; i < in.size(); ++i) a += (transposed ? W(i, o) : W(o, i)) * in[i];
            out[o] = a;
        }
        double n = 0;
        for (double a : out) n += a * a;
        n = std::sqrt(n);
        if (n > 0)
            for (auto& a : out) a /= n;
        return n;
    };
    double s = 0;
    for (int it = 0; it < iterations; ++it) {
        if (apply(v, u, false) == 0) return 0;
        s = apply(u, v, true);
    }
    return s;
}

struct Layer {
    Mat<double> W1, W2;          // (H, D), (D, H)
    std::vector<double> b1, b2;  // H, D
    bool relu = false;           // max(0, a) instead of tanh (also 1-Lipschitz)

    Layer() = default;
    // PyTorch's nn.Linear initialisation: every weight and bias uniform in +-1/sqrt(fan in).
    Layer(std::size_t D, std::size_t H, Rng& rng) : W1(Mat<double>::from_shape({H, D})), W2(Mat<double>::from_shape({D, H})),
                                                   b1(H), b2(D) {
        const double r1 = 1 / std::sqrt(double(D)), r2 = 1 / std::sqrt(double(H));
        for (auto& w : W1) w = rng.uniform(-r1, r1);
        for (auto& b : b1) b = rng.uniform(-r1, r1);
        for (auto& w : W2) w = rng.uniform(-r2, r2);
        for (auto& b : b2) b = rng.uniform(-r2, r2);
    }
    std::size_t dim() const { return W1.shape(1); }
    std::size_t hidden() const { return W1.shape(0); }

    // s(W1) s(W2): the bound on Lip(g).
    double lipschitz_bound() const { return spectral_norm(W1) * spectral_norm(W2); }
    // Rescales W1 to s = 1 and W2 to s = c.
    void normalise(double c) {
        W1 /= spectral_norm(W1);
        W2 *= c / spectral_norm(W2);
    }

    // g(x) for one point; `slope` receives 1 - tanh^2 of the hidden units when given.
    std::vector<double> g(const std::vector<double>& x, std::vector<double>* slope = nullptr) const {
        const std::size_t D = dim(), H = hidden();
        std::vector<double> h(H), out(b2);
        if (slope) slope->resize(H);
        for (std::size_t k = 0; k < H; ++k) {
            double a = b1[k];
            for (std::size_t j = 0; j < D; ++j) a += W1(k, j) * x[j];
            h[k] = relu ? std::max(a, 0.0) : std::tanh(a);
            if (slope) (*slope)[k] = relu ? double(a > 0) : 1 - h[k] * h[k];
        }
        for (std::size_t i = 0; i < D; ++i)
            for (std::size_t k = 0; k < H; ++k) out[i] += W2(i, k) * h[k];
        return out;
    }
    std::vector<double> forward(const std::vector<double>& x) const {
        std::vector<double> y = g(x);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] += x[i];
        return y;
    }
    // J_g(x) = W2 diag(1 - tanh^2) W1, (D, D).
    Mat<double> jacobian_g(const std::vector<double>& x) const {
        std::vector<double> s;
        g(x, &s);
        const std::size_t D = dim(), H = hidden();
        Mat<double> J = xt::zeros<double>({D, D});
        for (std::size_t i = 0; i < D; ++i)
            for (std::size_t k = 0; k < H; ++k) {
                const double w = W2(i, k) * s[k];
                for (std::size_t j = 0; j < D; ++j) J(i, j) += w * W1(k, j);
            }
        return J;
    }
    // log |det(I + J_g(x))|: exact (the 2 x 2 formula in 2D, LU otherwise).
    double log_det(const std::vector<double>& x) const {
        Mat<double> J = jacobian_g(x);
        for (std::size_t i = 0; i < dim(); ++i) J(i, i) += 1;
        if (dim() == 2) return std::log(std::fabs(J(0, 0) * J(1, 1) - J(0, 1) * J(1, 0)));
        return linalg::log_abs_det(J);
    }
    // The power series truncated after n terms, with exact traces of J_g^k; terms[k - 1]
    // receives the partial sum after k terms when given.
    double log_det_series(const std::vector<double>& x, std::size_t n, std::vector<double>* partial = nullptr) const {
        const Mat<double> J = jacobian_g(x);
        const std::size_t D = dim();
        Mat<double> P = J;
        double sum = 0;
        if (partial) partial->clear();
        for (std::size_t k = 1; k <= n; ++k) {
            double tr = 0;
            for (std::size_t i = 0; i < D; ++i) tr += P(i, i);
            sum += (k % 2 ? 1.0 : -1.0) * tr / double(k);
            if (partial) partial->push_back(sum);
            Mat<double> next = xt::zeros<double>({D, D});
            for (std::size_t i = 0; i < D; ++i)
                for (std::size_t m = 0; m < D; ++m)
                    for (std::size_t j = 0; j < D; ++j) next(i, j) += P(i, m) * J(m, j);
            P = next;
        }
        return sum;
    }
    // The inverse of y by `iterations` fixed-point steps x <- y - g(x) from x = y; errors[k]
    // receives |x_k - reference| (Euclidean) after k steps when reference is given.
    std::vector<double> inverse(const std::vector<double>& y, std::size_t iterations,
                                const std::vector<double>* reference = nullptr,
                                std::vector<double>* errors = nullptr) const {
        std::vector<double> x = y;
        const auto record = [&] {
            if (!reference || !errors) return;
            double e = 0;
            for (std::size_t i = 0; i < x.size(); ++i) e += (x[i] - (*reference)[i]) * (x[i] - (*reference)[i]);
            errors->push_back(std::sqrt(e));
        };
        if (errors) errors->clear();
        record();
        for (std::size_t k = 0; k < iterations; ++k) {
            const std::vector<double> gx = g(x);
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = y[i] - gx[i];
            record();
        }
        return x;
    }
};

}  // namespace flow::residual
