#pragma once
// A coupling with a learned linear map of its kept half, in the density direction
// f: x -> z, with the kept half x_a = x_{1:d} (d = D/2) mapped by a lower-triangular A
// instead of copied:
//
//   z_a = A x_a,    z_b = x_b * exp(s(x_a)) + t(x_a)
//
//   J = df/dx = [ A             0             ]    block lower triangular, so
//               [ dz_b/dx_a     diag(exp(s))  ]    det J = det A * prod exp(s_j)
//
//   log |det J| = sum_i log |A_ii| + sum_j s_j(x_a)
//
// The first term does not depend on x: the triangular block changes volume by the same
// factor everywhere. Synthesis inverts it: x_a = A^{-1} z_a by forward substitution
// (the networks read x_a, so it must come first), then x_b = (z_b - t(x_a)) exp(-s(x_a)).
//
// A's diagonal is exp(lambda_i), so that A stays invertible while it trains; its strict
// lower triangle is free. A = I (with_a false, no parameters) is the plain coupling.
// The affine part is nf::AffineCoupling's inverse, whose networks give the
// log-scale ls and shift b of the sampling direction: s = -ls and t = -b exp(-ls).
// Between layers the coordinates are reversed, so the layers alternate which half
// they keep.
#include <cmath>
#include <string>
#include <vector>

#include "core/normal.hpp"
#include "nf/coupling.hpp"

namespace flow::nf {

template <class T>
struct TriangularCoupling {
    struct Tape {
        typename AffineCoupling<T>::Tape inner;  // inner.cond holds x_a
    };

    AffineCoupling<T> inner;
    bool with_a = true;
    std::vector<T> log_diag, lower;     // lambda (d); strict lower triangle, row by row (d(d-1)/2)
    std::vector<T> dlog_diag, dlower;   // their gradients

    TriangularCoupling() = default;
    TriangularCoupling(std::size_t dim, std::size_t hidden, std::size_t depth, bool a, Rng& rng)
        : inner(half_mask(dim), hidden, depth, rng), with_a(a) {
        const std::size_t d = half();
        if (with_a) {
            log_diag.assign(d, T(0));
            lower.assign(d * (d - 1) / 2, T(0));
            dlog_diag.assign(d, T(0));
            dlower.assign(lower.size(), T(0));
        }
    }
    std::size_t dim() const { return inner.dim(); }
    std::size_t half() const { return inner.kept.size(); }
    // A_ij for j < i.
    T low(std::size_t i, std::size_t j) const { return lower[i * (i - 1) / 2 + j]; }
    // sum_i log |A_ii|: this layer's constant part of log |det J|.
    double log_det_a() const {
        double s = 0;
        for (T v : log_diag) s += double(v);
        return s;
    }

    // x (B, D) -> z (B, D), adding log |det J| to logdet (B).
    void forward(const Mat<T>& x, Mat<T>& z, std::vector<T>& logdet, Tape& tape) const {
        inner.inverse(x, z, logdet, tape.inner);  // z_a = x_a, z_b; adds sum s
        if (!with_a) return;
        const std::size_t B = x.shape(0), d = half();
        const T ld = T(log_det_a());
        for (std::size_t n = 0; n < B; ++n) {
            for (std::size_t i = d; i-- > 0;) {  // descending: z_j for j < i is still x_j
                T v = std::exp(log_diag[i]) * z(n, i);
                for (std::size_t j = 0; j < i; ++j) v += low(i, j) * z(n, j);
                z(n, i) = v;
            }
            logdet[n] += ld;
        }
    }

    // z (B, D) -> x (B, D): synthesis.
    void inverse(const Mat<T>& z, Mat<T>& x) const {
        Mat<T> y = z;
        if (with_a) {
            const std::size_t d = half();
            for (std::size_t n = 0; n < z.shape(0); ++n)
                for (std::size_t i = 0; i < d; ++i) {  // forward substitution
                    T v = z(n, i);
                    for (std::size_t j = 0; j < i; ++j) v -= low(i, j) * y(n, j);
                    y(n, i) = v * std::exp(-log_diag[i]);
                }
        }
        typename AffineCoupling<T>::Tape scratch;
        inner.forward(y, x, scratch);
    }

    // The backward pass of the forward() that filled tape: dz (B, D) = dL/dz and dlogdet
    // (B) = dL/dlogdet -> dx (B, D); parameter gradients accumulate.
    void backward(const Mat<T>& dz, const std::vector<T>& dlogdet, const Tape& tape, Mat<T>& dx) {
        if (!with_a) {
            inner.backward_of_inverse(dz, dlogdet, tape.inner, dx);
            return;
        }
        const std::size_t B = dz.shape(0), d = half();
        const Mat<T>& xa = tape.inner.cond;
        dmid_ = dz;
        double dld = 0;
        for (std::size_t n = 0; n < B; ++n) dld += double(dlogdet[n]);
        for (std::size_t i = 0; i < d; ++i) {
            // z_i = e^{lambda_i} x_i + sum_{j<i} A_ij x_j, and logdet_n += lambda_i.
            const T e = std::exp(log_diag[i]);
            double g = dld;
            for (std::size_t n = 0; n < B; ++n) g += double(dz(n, i)) * double(e * xa(n, i));
            dlog_diag[i] += T(g);
            for (std::size_t j = 0; j < i; ++j) {
                double gl = 0;
                for (std::size_t n = 0; n < B; ++n) gl += double(dz(n, i)) * double(xa(n, j));
                dlower[i * (i - 1) / 2 + j] += T(gl);
            }
        }
        // The inner layer's z_a (= x_a) gets A^T dz_a.
        for (std::size_t n = 0; n < B; ++n)
            for (std::size_t j = 0; j < d; ++j) {
                T v = std::exp(log_diag[j]) * dz(n, j);
                for (std::size_t i = j + 1; i < d; ++i) v += low(i, j) * dz(n, i);
                dmid_(n, j) = v;
            }
        inner.backward_of_inverse(dmid_, dlogdet, tape.inner, dx);
    }

    void params(nn::Params<T>& ps, const std::string& prefix) {
        inner.params(ps, prefix);
        if (!with_a) return;
        ps.push_back({prefix + ".a.log_diag", log_diag.data(), dlog_diag.data(), {log_diag.size()}});
        if (!lower.empty()) ps.push_back({prefix + ".a.lower", lower.data(), dlower.data(), {lower.size()}});
    }

private:
    Mat<T> dmid_;
};

template <class T>
struct TriangularFlow {
    struct Tape {
        std::vector<typename TriangularCoupling<T>::Tape> layer;
        std::vector<Mat<T>> input;  // input[k], k >= 1: what layer k read (after the reversal before it)
        Mat<T> z;
        std::vector<T> logdet;
    };

    std::vector<TriangularCoupling<T>> layer;
    Permutation perm;

    TriangularFlow() = default;
    TriangularFlow(std::size_t dim, std::size_t layers, std::size_t hidden, std::size_t depth, bool with_a, Rng& rng)
        : perm(dim) {
        for (std::size_t k = 0; k < layers; ++k) layer.emplace_back(dim, hidden, depth, with_a, rng);
    }
    std::size_t dim() const { return perm.perm.size(); }

    // x -> z and log |det dz/dx| per point.
    void forward(const Mat<T>& x, Mat<T>& z, std::vector<T>& logdet, Tape& tape) const {
        const std::size_t K = layer.size();
        logdet.assign(x.shape(0), T(0));
        tape.layer.resize(K);
        tape.input.resize(K);
        Mat<T> out;
        for (std::size_t k = 0; k < K; ++k) {
            if (k > 0) perm.forward(out, tape.input[k]);
            layer[k].forward(k == 0 ? x : tape.input[k], out, logdet, tape.layer[k]);
        }
        z = out;
    }
    void forward(const Mat<T>& x, Mat<T>& z, std::vector<T>& logdet) const {
        Tape tape;
        forward(x, z, logdet, tape);
    }

    // z -> x: synthesis.
    Mat<T> inverse(const Mat<T>& z) const {
        Mat<T> cur = z, tmp;
        for (std::size_t k = layer.size(); k-- > 0;) {
            layer[k].inverse(cur, tmp);
            if (k > 0)
                perm.inverse(tmp, cur);
            else
                cur = tmp;
        }
        return cur;
    }

    std::vector<double> log_prob(const Mat<T>& x) const {
        Mat<T> z;
        std::vector<T> logdet;
        forward(x, z, logdet);
        std::vector<double> lp(x.shape(0));
        for (std::size_t i = 0; i < lp.size(); ++i) lp[i] = log_standard_normal(&z(i, 0), dim()) + double(logdet[i]);
        return lp;
    }

    // The mean negative log-likelihood of x, leaving in tape what backward() needs.
    double loss(const Mat<T>& x, Tape& tape) const {
        forward(x, tape.z, tape.logdet, tape);
        double s = 0;
        for (std::size_t i = 0; i < x.shape(0); ++i)
            s -= log_standard_normal(&tape.z(i, 0), dim()) + double(tape.logdet[i]);
        return s / double(x.shape(0));
    }
    double loss(const Mat<T>& x) const {
        Tape tape;
        return loss(x, tape);
    }

    // Gradients of the loss() that filled tape; dL/dx into dx when given.
    void backward(const Tape& tape, Mat<T>* dx = nullptr) {
        const std::size_t B = tape.z.shape(0), D = dim();
        nn::ensure_shape(up_, B, D);
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t c = 0; c < D; ++c) up_(i, c) = tape.z(i, c) / T(B);
        dlogdet_.assign(B, T(-1) / T(B));
        for (std::size_t k = layer.size(); k-- > 0;) {
            layer[k].backward(up_, dlogdet_, tape.layer[k], down_);
            if (k > 0)
                perm.backward_of_forward(down_, up_);
            else
                up_ = down_;
        }
        if (dx) *dx = up_;
    }

    void params(nn::Params<T>& ps) {
        for (std::size_t k = 0; k < layer.size(); ++k) layer[k].params(ps, "layer" + std::to_string(k));
    }

    std::size_t parameter_count() {
        nn::Params<T> ps;
        params(ps);
        std::size_t n = 0;
        for (const auto& p : ps) n += p.size();
        return n;
    }

private:
    Mat<T> up_, down_;
    std::vector<T> dlogdet_;
};

// The same flow in another precision (for checks in double of a model trained in float).
template <class U, class T>
TriangularFlow<U> cast(TriangularFlow<T>& f) {
    TriangularFlow<U> g;
    g.perm = f.perm;
    Rng unused(0, "cast");
    for (const auto& l : f.layer)
        g.layer.emplace_back(l.dim(), l.inner.s_net.linear.front().out(), l.inner.s_net.depth(), l.with_a, unused);
    nn::Params<T> from;
    nn::Params<U> to;
    f.params(from);
    g.params(to);
    for (std::size_t p = 0; p < from.size(); ++p)
        for (std::size_t i = 0; i < from[p].size(); ++i) to[p].value[i] = U(from[p].value[i]);
    return g;
}

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct TriangularCoupling<float>;
extern template struct TriangularFlow<float>;

}  // namespace flow::nf
