#pragma once
// The affine coupling layer (Eq. 3-6) and the permutation layer (sec. 3.1.5), for 2D
// points. A batch is (B, 2); the left half z_l is column 0, the right half z_r column 1.
//
// Forward (z -> y, sampling):  y_l = z_l,  y_r = exp(log s) * z_r + b        (Eq. 3)
// Inverse (y -> z, training):  z_l = y_l,  z_r = (y_r - b) * exp(-log s)      (Eq. 4)
// log |det d h^{-1}(y) / dy| = -log s                                         (Eq. 6)
// where (log s, b) = f(z_l) = f(y_l): two MLPs, one for each. The log-scale is the
// network's output u bounded smoothly, log s = c tanh(u / c): exp(log s) of a wide
// network otherwise overflows within a few epochs. With identity_start the last layer
// of both networks starts at zero, so the coupling starts as the identity.
#include <cmath>

#include "nn/layers.hpp"

namespace flow::nf {

using nn::Mat;

template <class T>
struct AffineCoupling {
    nn::MLP<T> s_net, b_net;
    T bound = T(2);  // c: log s lies in (-c, c)

    // Kept by inverse() for backward(): the conditioning column, the bounded log-scale
    // and the output's right half.
    Mat<T> cond, ls, zr;

    AffineCoupling() = default;
    AffineCoupling(std::size_t hidden, std::size_t depth, Rng& rng, T log_scale_bound = T(2),
                   bool identity_start = false)
        : s_net(1, hidden, 1, depth, rng), b_net(1, hidden, 1, depth, rng), bound(log_scale_bound) {
        if (identity_start)
            for (auto* net : {&s_net, &b_net}) {
                net->linear.back().W.fill(T(0));
                net->linear.back().b.fill(T(0));
            }
    }

    // (B, 2) -> (B, 2), Eq. 3. No state is kept.
    void forward(const Mat<T>& z, Mat<T>& y) {
        const std::size_t B = z.shape(0);
        column(z, 0, cond);
        const Mat<T>& u = s_net.forward(cond);
        const Mat<T>& b = b_net.forward(cond);
        nn::ensure_shape(y, B, 2);
        for (std::size_t i = 0; i < B; ++i) {
            y(i, 0) = z(i, 0);
            y(i, 1) = std::exp(bound * std::tanh(u(i, 0) / bound)) * z(i, 1) + b(i, 0);
        }
    }

    // (B, 2) -> (B, 2), Eq. 4; adds this layer's log |det J^-1| = -log s to logdet (B).
    void inverse(const Mat<T>& y, Mat<T>& z, std::vector<T>& logdet) {
        const std::size_t B = y.shape(0);
        column(y, 0, cond);
        const Mat<T>& u = s_net.forward(cond);
        const Mat<T>& b = b_net.forward(cond);
        nn::ensure_shape(ls, B, 1);
        nn::ensure_shape(zr, B, 1);
        nn::ensure_shape(z, B, 2);
        for (std::size_t i = 0; i < B; ++i) {
            ls(i, 0) = bound * std::tanh(u(i, 0) / bound);
            zr(i, 0) = (y(i, 1) - b(i, 0)) * std::exp(-ls(i, 0));
            z(i, 0) = y(i, 0);
            z(i, 1) = zr(i, 0);
            logdet[i] -= ls(i, 0);
        }
    }

    // Backward of the last inverse(). dz (B, 2) is dL/dz; dlogdet (B) is dL/d(logdet_i).
    // Returns dL/dy in dy (B, 2); network gradients accumulate.
    void backward(const Mat<T>& dz, const std::vector<T>& dlogdet, Mat<T>& dy) {
        const std::size_t B = dz.shape(0);
        nn::ensure_shape(du_, B, 1);
        nn::ensure_shape(db_, B, 1);
        nn::ensure_shape(dy, B, 2);
        for (std::size_t i = 0; i < B; ++i) {
            const T e = std::exp(-ls(i, 0));
            // In the inverse pass z_r = (y_r - b) e^{-ls}, so dz_r/dy_r = e^{-ls},
            // dz_r/db = -e^{-ls} and dz_r/dls = -z_r; logdet_i -= ls adds -dL/dlogdet_i.
            const T dls = -dz(i, 1) * zr(i, 0) - dlogdet[i];
            // ls = c tanh(u / c), so dls/du = 1 - tanh^2 = 1 - (ls / c)^2.
            const T r = ls(i, 0) / bound;
            du_(i, 0) = dls * (T(1) - r * r);
            db_(i, 0) = -dz(i, 1) * e;
            dy(i, 1) = dz(i, 1) * e;
        }
        // z_l = y_l, and y_l also feeds both networks.
        const Mat<T>& gs = s_net.backward(du_);
        for (std::size_t i = 0; i < B; ++i) dy(i, 0) = dz(i, 0) + gs(i, 0);
        // s_net's backward buffers are reused by b_net's forward of the next call only.
        const Mat<T>& gb = b_net.backward(db_);
        for (std::size_t i = 0; i < B; ++i) dy(i, 0) += gb(i, 0);
    }

    void params(nn::Params<T>& ps, const std::string& prefix) {
        s_net.params(ps, prefix + ".s");
        b_net.params(ps, prefix + ".b");
    }

private:
    Mat<T> du_, db_;

    static void column(const Mat<T>& x, std::size_t c, Mat<T>& out) {
        nn::ensure_shape(out, x.shape(0), 1);
        for (std::size_t i = 0; i < x.shape(0); ++i) out(i, 0) = x(i, c);
    }
};

// The permutation layer: out[:, j] = in[:, perm[j]]. Its inverse applies the inverse
// permutation; |det| = 1, so it adds nothing to the log-determinant. For 2D points
// the only non-trivial permutation swaps the halves.
struct Permutation {
    std::size_t perm[2] = {1, 0};
    std::size_t inv[2] = {1, 0};

    template <class T>
    void forward(const Mat<T>& in, Mat<T>& out) const { apply(in, out, perm); }
    template <class T>
    void inverse(const Mat<T>& in, Mat<T>& out) const { apply(in, out, inv); }
    // The gradient of a permutation is the inverse permutation of the gradient.
    template <class T>
    void backward_of_inverse(const Mat<T>& dout, Mat<T>& din) const { apply(dout, din, perm); }

private:
    template <class T>
    static void apply(const Mat<T>& in, Mat<T>& out, const std::size_t* p) {
        nn::ensure_shape(out, in.shape(0), 2);
        for (std::size_t i = 0; i < in.shape(0); ++i) {
            const T a = in(i, p[0]), b = in(i, p[1]);
            out(i, 0) = a;
            out(i, 1) = b;
        }
    }
};

}  // namespace flow::nf
