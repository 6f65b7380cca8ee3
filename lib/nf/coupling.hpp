#pragma once
// The affine coupling layer and the permutation layer, for points
// in D dimensions. A batch is (B, D). A binary mask splits the coordinates: the kept
// ones z_l pass through and condition the networks, the moved ones z_r are scaled and
// shifted. In two dimensions the layer is the mask (1, 0): z_l is column 0, z_r
// column 1.
//
// Forward (z -> y, sampling):  y_l = z_l,  y_r = exp(log s) * z_r + b
// Inverse (y -> z, training):  z_l = y_l,  z_r = (y_r - b) * exp(-log s)
// log |det d h^{-1}(y) / dy| = -sum log s
// where (log s, b) = f(z_l) = f(y_l): two MLPs, one for each, from the kept coordinates
// to one value per moved coordinate. The log-scale is the network's output u bounded
// smoothly, log s = c tanh(u / c): exp(log s) of a wide network otherwise overflows
// within a few epochs. With identity_start the last layer of both networks starts at
// zero, so the coupling starts as the identity.
#include <cmath>
#include <stdexcept>
#include <vector>

#include "nn/layers.hpp"

namespace flow::nf {

using nn::Mat;

// The first D/2 coordinates kept, the rest moved: (1, 0) in two dimensions.
inline std::vector<bool> half_mask(std::size_t dim) {
    std::vector<bool> m(dim, false);
    for (std::size_t j = 0; j < dim / 2; ++j) m[j] = true;
    return m;
}

template <class T>
struct AffineCoupling {
    // What inverse() leaves for backward_of_inverse(): the kept coordinates (the
    // networks' input), the networks' activations, the bounded log-scales, their
    // e^{-ls}, and the moved part of the output, z_r. forward() uses it as scratch.
    struct Tape {
        Mat<T> cond, ls, e, zr;
        typename nn::MLP<T>::Tape s, b;
    };

    std::vector<std::size_t> kept, moved;  // coordinate indices, from the mask
    nn::MLP<T> s_net, b_net;
    T bound = T(2);  // c: log s lies in (-c, c)

    AffineCoupling() = default;
    // mask[j] is true for a kept coordinate; at least one of each is needed.
    AffineCoupling(const std::vector<bool>& mask, std::size_t hidden, std::size_t depth, Rng& rng,
                   T log_scale_bound = T(2), bool identity_start = false)
        : kept(indices(mask, true)), moved(indices(mask, false)),
          s_net(kept.size(), hidden, moved.size(), depth, rng),
          b_net(kept.size(), hidden, moved.size(), depth, rng), bound(log_scale_bound) {
        if (identity_start)
            for (auto* net : {&s_net, &b_net}) {
                net->linear.back().W.fill(T(0));
                net->linear.back().b.fill(T(0));
            }
    }
    std::size_t dim() const { return kept.size() + moved.size(); }

    // (B, D) -> (B, D): y_r = exp(log s) * z_r + b.
    void forward(const Mat<T>& z, Mat<T>& y, Tape& tape) const {
        const std::size_t B = z.shape(0);
        gather(z, kept, tape.cond);
        const Mat<T>& u = s_net.forward(tape.cond, tape.s);
        const Mat<T>& b = b_net.forward(tape.cond, tape.b);
        nn::ensure_shape(y, B, dim());
        for (std::size_t i = 0; i < B; ++i) {
            for (std::size_t j : kept) y(i, j) = z(i, j);
            for (std::size_t m = 0; m < moved.size(); ++m) {
                const std::size_t j = moved[m];
                y(i, j) = std::exp(bound * std::tanh(u(i, m) / bound)) * z(i, j) + b(i, m);
            }
        }
    }

    // (B, D) -> (B, D): z_r = (y_r - b) * exp(-log s); adds this layer's log |det J^-1| = -sum log s to logdet
    // (B), and fills the tape for backward_of_inverse().
    void inverse(const Mat<T>& y, Mat<T>& z, std::vector<T>& logdet, Tape& tape) const {
        const std::size_t B = y.shape(0), M = moved.size();
        gather(y, kept, tape.cond);
        const Mat<T>& u = s_net.forward(tape.cond, tape.s);
        const Mat<T>& b = b_net.forward(tape.cond, tape.b);
        nn::ensure_shape(tape.ls, B, M);
        nn::ensure_shape(tape.e, B, M);
        nn::ensure_shape(tape.zr, B, M);
        nn::ensure_shape(z, B, dim());
        for (std::size_t i = 0; i < B; ++i) {
            for (std::size_t j : kept) z(i, j) = y(i, j);
            for (std::size_t m = 0; m < M; ++m) {
                const T ls = bound * std::tanh(u(i, m) / bound);
                const T e = std::exp(-ls);
                tape.ls(i, m) = ls;
                tape.e(i, m) = e;
                tape.zr(i, m) = (y(i, moved[m]) - b(i, m)) * e;
                z(i, moved[m]) = tape.zr(i, m);
                logdet[i] -= ls;
            }
        }
    }

    // The backward pass of the inverse() that filled tape. dz (B, D) is dL/dz; dlogdet
    // (B) is dL/d(logdet_i). Writes dL/dy into dy (B, D); network gradients accumulate.
    void backward_of_inverse(const Mat<T>& dz, const std::vector<T>& dlogdet, const Tape& tape,
                             Mat<T>& dy) {
        const std::size_t B = dz.shape(0), M = moved.size();
        nn::ensure_shape(du_, B, M);
        nn::ensure_shape(db_, B, M);
        nn::ensure_shape(dy, B, dim());
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t m = 0; m < M; ++m) {
                const std::size_t j = moved[m];
                const T e = tape.e(i, m);
                // In the inverse pass z_r = (y_r - b) e^{-ls}, so dz_r/dy_r = e^{-ls},
                // dz_r/db = -e^{-ls} and dz_r/dls = -z_r; logdet_i -= ls adds -dL/dlogdet_i.
                const T dls = -dz(i, j) * tape.zr(i, m) - dlogdet[i];
                // ls = c tanh(u / c), so dls/du = 1 - tanh^2 = 1 - (ls / c)^2.
                const T r = tape.ls(i, m) / bound;
                du_(i, m) = dls * (T(1) - r * r);
                db_(i, m) = -dz(i, j) * e;
                dy(i, j) = dz(i, j) * e;
            }
        // z_l = y_l, and y_l also feeds both networks.
        s_net.backward(du_, tape.cond, tape.s, dcond_);
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t k = 0; k < kept.size(); ++k) dy(i, kept[k]) = dz(i, kept[k]) + dcond_(i, k);
        b_net.backward(db_, tape.cond, tape.b, dcond_);
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t k = 0; k < kept.size(); ++k) dy(i, kept[k]) += dcond_(i, k);
    }

    void params(nn::Params<T>& ps, const std::string& prefix) {
        s_net.params(ps, prefix + ".s");
        b_net.params(ps, prefix + ".b");
    }

private:
    Mat<T> du_, db_, dcond_;  // scratch of backward_of_inverse()

    static std::vector<std::size_t> indices(const std::vector<bool>& mask, bool value) {
        std::vector<std::size_t> out;
        for (std::size_t j = 0; j < mask.size(); ++j)
            if (mask[j] == value) out.push_back(j);
        if (out.empty())
            throw std::invalid_argument("a coupling's mask must keep at least one coordinate and move one");
        return out;
    }
    static void gather(const Mat<T>& x, const std::vector<std::size_t>& cols, Mat<T>& out) {
        nn::ensure_shape(out, x.shape(0), cols.size());
        for (std::size_t i = 0; i < x.shape(0); ++i)
            for (std::size_t k = 0; k < cols.size(); ++k) out(i, k) = x(i, cols[k]);
    }
};

// The permutation layer: out[:, j] = in[:, perm[j]]. Its inverse applies the inverse
// permutation; |det| = 1, so it adds nothing to the log-determinant. The flows here
// reverse the coordinates, which in two dimensions swaps the halves.
struct Permutation {
    std::vector<std::size_t> perm, inv;

    Permutation() : Permutation(2) {}
    explicit Permutation(std::size_t dim) {
        for (std::size_t j = 0; j < dim; ++j) perm.push_back(dim - 1 - j);
        inv.assign(dim, 0);
        for (std::size_t j = 0; j < dim; ++j) inv[perm[j]] = j;
    }

    template <class T>
    void forward(const Mat<T>& in, Mat<T>& out) const { apply(in, out, perm); }
    template <class T>
    void inverse(const Mat<T>& in, Mat<T>& out) const { apply(in, out, inv); }
    // The gradient of a permutation is the inverse permutation of the gradient: the
    // backward of inverse() applies perm.
    template <class T>
    void backward_of_inverse(const Mat<T>& dout, Mat<T>& din) const { apply(dout, din, perm); }
    // And the backward of forward() applies inv.
    template <class T>
    void backward_of_forward(const Mat<T>& dout, Mat<T>& din) const { apply(dout, din, inv); }

private:
    template <class T>
    static void apply(const Mat<T>& in, Mat<T>& out, const std::vector<std::size_t>& p) {
        nn::ensure_shape(out, in.shape(0), p.size());
        for (std::size_t i = 0; i < in.shape(0); ++i)
            for (std::size_t j = 0; j < p.size(); ++j) out(i, j) = in(i, p[j]);
    }
};

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct AffineCoupling<float>;

}  // namespace flow::nf
