#pragma once
// Planar flows (Rezende & Mohamed 2015) for density estimation, in the normalizing
// direction: each layer maps a point x to
//     y = x + û tanh(wᵀx + b),
// and a stack of K layers maps the data to the latent z, with
//     log p(x) = log N(z; 0, I) + Σ_k log|1 + ûₖᵀψₖ|,   ψ = tanh'(wᵀx + b) w.
//
// Invertibility. The layer is invertible when wᵀû ≥ -1 (appendix A.1 of the paper). The
// free parameter is u; the layer uses
//     û = u + (m(wᵀu) - wᵀu) w / |w|²,   m(α) = -1 + softplus(α),
// so that wᵀû = m(wᵀu) > -1 always. Then c = ûᵀw > -1 and, with s = tanh'(a) in (0, 1],
// 1 + s c > 0: the log-determinant is log(1 + s c). It is computed as
// log(t² + s softplus(wᵀu)) (t = tanh a, 1 - s = t²), which stays positive where
// 1 + s c would round to 0 (c within rounding of -1 and a near 0).
//
// The inverse (sampling, z to x). Given y, the pre-activation a = wᵀx + b solves the
// scalar equation
//     g(a) = a + c tanh(a) = wᵀy + b,
// where g' = 1 + c tanh'(a) ≥ 1 + min(c, 0) > 0: g is strictly increasing, and since
// |c tanh a| ≤ |c| the root lies in [r - |c|, r + |c|] with r = wᵀy + b. Newton's method,
// kept inside that shrinking bracket by bisection, finds it to double precision; then
// x = y - û tanh(a).
//
// The backward pass of the mean negative log-likelihood is written out by hand; the
// forward pass writes what it needs into a Tape the caller owns.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/normal.hpp"
#include "core/rng.hpp"
#include "nn/layers.hpp"
#include "nn/param.hpp"

namespace flow::planar {

using nn::Mat;

template <class T>
struct Layer {
    std::size_t dim = 0;
    std::vector<T> u, w, du, dw;
    T b = 0, db = 0;

    Layer() = default;
    // u and w uniform on ±1/sqrt(D), b = 0.
    Layer(std::size_t d, Rng& rng) : dim(d), u(d), w(d), du(d, T(0)), dw(d, T(0)) {
        const double r = 1.0 / std::sqrt(double(d));
        for (auto& v : u) v = T(rng.uniform(-r, r));
        for (auto& v : w) v = T(rng.uniform(-r, r));
    }

    void params(nn::Params<T>& ps, const std::string& prefix) {
        ps.push_back({prefix + "u", u.data(), du.data(), {dim}});
        ps.push_back({prefix + "w", w.data(), dw.data(), {dim}});
        ps.push_back({prefix + "b", &b, &db, {1}});
    }

    // û, and c = ûᵀw (> -1), in double; sp = softplus(wᵀu) = 1 + c, exactly.
    void hat(std::vector<double>& uh, double& c, double* sp = nullptr) const {
        double alpha = 0, n2 = 0;
        for (std::size_t j = 0; j < dim; ++j) {
            alpha += double(w[j]) * double(u[j]);
            n2 += double(w[j]) * double(w[j]);
        }
        const double beta = m(alpha) - alpha;
        uh.resize(dim);
        for (std::size_t j = 0; j < dim; ++j) uh[j] = double(u[j]) + beta * double(w[j]) / n2;
        // ûᵀw = m(wᵀu) exactly; taken from m rather than summed, so that it is never below -1.
        c = m(alpha);
        if (sp) *sp = softplus(alpha);
    }

    // m(α) = -1 + softplus(α), computed without overflow; m'(α) = sigmoid(α).
    static double softplus(double a) { return a > 0 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a)); }
    static double m(double a) { return -1.0 + softplus(a); }
    static double sigmoid(double a) { return a >= 0 ? 1.0 / (1.0 + std::exp(-a)) : std::exp(a) / (1.0 + std::exp(a)); }

    // The gradient G with respect to û, taken back to u and w through the
    // reparametrisation (accumulated into du and dw).
    void backward_of_hat(const std::vector<double>& G) {
        double alpha = 0, n2 = 0, gw = 0;
        for (std::size_t j = 0; j < dim; ++j) {
            alpha += double(w[j]) * double(u[j]);
            n2 += double(w[j]) * double(w[j]);
            gw += G[j] * double(w[j]);
        }
        const double beta = m(alpha) - alpha, dbeta = sigmoid(alpha) - 1.0;
        // û = u + β(wᵀu) w / |w|²
        for (std::size_t j = 0; j < dim; ++j) {
            du[j] += T(G[j] + gw * dbeta * double(w[j]) / n2);
            dw[j] += T(beta / n2 * G[j] + gw * dbeta * double(u[j]) / n2 - 2.0 * gw * beta * double(w[j]) / (n2 * n2));
        }
    }
};

template <class T>
struct Flow {
    std::size_t dim = 0;
    std::vector<Layer<T>> layers;

    // What the normalizing pass leaves for the backward pass: each layer's input and
    // tanh of its pre-activation, the latent points and each point's log-determinant.
    struct Tape {
        std::vector<Mat<T>> in;
        std::vector<std::vector<double>> t;
        Mat<T> z;
        std::vector<double> logdet;
    };

    Flow() = default;
    Flow(std::size_t d, std::size_t k, Rng& rng) : dim(d) {
        for (std::size_t i = 0; i < k; ++i) layers.emplace_back(d, rng);
    }

    void params(nn::Params<T>& ps) {
        for (std::size_t k = 0; k < layers.size(); ++k) layers[k].params(ps, "layer" + std::to_string(k) + ".");
    }

    // x (N, D) to z, the normalizing direction; tape.logdet[i] = Σ_k log(1 + s c).
    const Mat<T>& forward(const Mat<T>& x, Tape& tape) const {
        const std::size_t N = x.shape(0), K = layers.size();
        if (x.shape(1) != dim) throw std::invalid_argument("planar flow: points of the wrong dimension");
        tape.in.resize(K);
        tape.t.resize(K);
        tape.logdet.assign(N, 0.0);
        Mat<T> cur = x;
        std::vector<double> uh;
        for (std::size_t k = 0; k < K; ++k) {
            const Layer<T>& L = layers[k];
            double c = 0, sp = 0;
            L.hat(uh, c, &sp);
            tape.in[k] = cur;
            tape.t[k].resize(N);
            for (std::size_t i = 0; i < N; ++i) {
                double a = double(L.b);
                for (std::size_t j = 0; j < dim; ++j) a += double(L.w[j]) * double(cur(i, j));
                const double t = std::tanh(a), s = 1.0 - t * t;
                tape.t[k][i] = t;
                for (std::size_t j = 0; j < dim; ++j) cur(i, j) = T(double(cur(i, j)) + uh[j] * t);
                tape.logdet[i] += std::log(t * t + s * sp);  // log(1 + s c)
            }
        }
        tape.z = std::move(cur);
        return tape.z;
    }

    // log p(x) per point.
    std::vector<double> log_prob(const Mat<T>& x) const {
        Tape tape;
        forward(x, tape);
        std::vector<double> lp(x.shape(0));
        for (std::size_t i = 0; i < lp.size(); ++i)
            lp[i] = log_standard_normal(&tape.z(i, 0), dim) + tape.logdet[i];
        return lp;
    }

    // The mean negative log-likelihood of x; the tape is left for backward().
    double loss(const Mat<T>& x, Tape& tape) const {
        forward(x, tape);
        double s = 0;
        for (std::size_t i = 0; i < x.shape(0); ++i) s -= log_standard_normal(&tape.z(i, 0), dim) + tape.logdet[i];
        return s / double(x.shape(0));
    }

    // Accumulates the gradients of loss() into every layer's du, dw, db; dx (when given)
    // receives the gradient with respect to the input points.
    void backward(const Tape& tape, Mat<T>* dx = nullptr) {
        const std::size_t N = tape.z.shape(0), K = layers.size();
        // dL/dz = z / N (from -log N(z)); dL/d(each log-determinant) = -1/N.
        std::vector<double> gy(N * dim);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < dim; ++j) gy[i * dim + j] = double(tape.z(i, j)) / double(N);
        const double gld = -1.0 / double(N);
        std::vector<double> uh, G(dim);
        for (std::size_t k = K; k-- > 0;) {
            Layer<T>& L = layers[k];
            double c = 0, sp = 0;
            L.hat(uh, c, &sp);
            std::fill(G.begin(), G.end(), 0.0);
            double gb = 0;
            std::vector<double> gw(dim, 0.0);
            for (std::size_t i = 0; i < N; ++i) {
                const double t = tape.t[k][i], s = 1.0 - t * t, q = t * t + s * sp;  // 1 + s c
                double gu_dot = 0;  // gyᵀû
                for (std::size_t j = 0; j < dim; ++j) gu_dot += gy[i * dim + j] * uh[j];
                // y = x + û t, ld = log q with q = 1 + s ûᵀw, s = 1 - t², t = tanh(a).
                const double ga = gu_dot * s + gld * (c / q) * (-2.0 * t * s);
                for (std::size_t j = 0; j < dim; ++j) {
                    G[j] += gy[i * dim + j] * t + gld * s * double(L.w[j]) / q;
                    gw[j] += gld * s * uh[j] / q + ga * double(tape.in[k](i, j));
                    gy[i * dim + j] += ga * double(L.w[j]);  // now dL/dx of this layer
                }
                gb += ga;
            }
            for (std::size_t j = 0; j < dim; ++j) L.dw[j] += T(gw[j]);
            L.db += T(gb);
            L.backward_of_hat(G);
        }
        if (dx) {
            nn::ensure_shape(*dx, N, dim);
            for (std::size_t i = 0; i < N * dim; ++i) dx->data()[i] = T(gy[i]);
        }
    }

    // z (N, D) to x: every layer inverted, last to first (see the top of this file).
    // iterations, when given, receives the most Newton steps any point's solve took.
    Mat<T> inverse(const Mat<T>& z, std::size_t* iterations = nullptr) const {
        const std::size_t N = z.shape(0);
        std::vector<double> y(N * dim), uh;
        for (std::size_t i = 0; i < N * dim; ++i) y[i] = double(z.data()[i]);
        std::size_t most = 0;
        for (std::size_t k = layers.size(); k-- > 0;) {
            const Layer<T>& L = layers[k];
            double c = 0;
            L.hat(uh, c);
            for (std::size_t i = 0; i < N; ++i) {
                double r = double(L.b);
                for (std::size_t j = 0; j < dim; ++j) r += double(L.w[j]) * y[i * dim + j];
                std::size_t its = 0;
                const double a = solve(c, r, its);
                most = std::max(most, its);
                const double t = std::tanh(a);
                for (std::size_t j = 0; j < dim; ++j) y[i * dim + j] -= uh[j] * t;
            }
        }
        if (iterations) *iterations = most;
        Mat<T> x = Mat<T>::from_shape({N, dim});
        for (std::size_t i = 0; i < N * dim; ++i) x.data()[i] = T(y[i]);
        return x;
    }

    // The root of a + c tanh(a) = r (c > -1): Newton inside a bisection bracket.
    static double solve(double c, double r, std::size_t& its) {
        double lo = r - std::fabs(c), hi = r + std::fabs(c), a = r, previous = INFINITY;
        for (its = 1; its <= 200; ++its) {
            const double t = std::tanh(a), g = a + c * t - r, dg = 1.0 + c * (1.0 - t * t);
            // At the rounding level of g's own terms the root is found; closer, Newton's steps
            // are noise (where c is near -1, g is flat and they would wander to the cap).
            if (std::fabs(g) <= 4e-16 * (std::fabs(a) + std::fabs(c * t) + std::fabs(r))) break;
            (g > 0 ? hi : lo) = a;
            double next = a - g / dg;
            // Bisect when Newton leaves the open bracket, or when it stalls (|g| not halved:
            // it can cycle between two points where tanh bends).
            if (!(next > lo && next < hi) || std::fabs(g) > 0.5 * previous) next = 0.5 * (lo + hi);
            previous = std::fabs(g);
            if (std::fabs(next - a) <= 1e-15 * (1.0 + std::fabs(a)) || hi - lo <= 1e-15 * (1.0 + std::fabs(a))) {
                a = next;
                break;
            }
            a = next;
        }
        return a;
    }
};

// The same flow in another precision: a flow trained in float, evaluated in double where
// a layer is nearly singular (1 + s c near 0) and float rounding would be amplified.
template <class U, class T>
Flow<U> cast(const Flow<T>& f) {
    Flow<U> out;
    out.dim = f.dim;
    for (const auto& L : f.layers) {
        Layer<U> M;
        M.dim = L.dim;
        M.u.assign(L.u.begin(), L.u.end());
        M.w.assign(L.w.begin(), L.w.end());
        M.du.assign(L.dim, U(0));
        M.dw.assign(L.dim, U(0));
        M.b = U(L.b);
        out.layers.push_back(std::move(M));
    }
    return out;
}

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct Layer<float>;
extern template struct Flow<float>;

}  // namespace flow::planar
