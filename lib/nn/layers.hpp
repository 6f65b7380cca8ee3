#pragma once
// The layers, each a forward/backward pair. Shapes: batches are row-major (B, features).
// Backward passes accumulate (+=) parameter gradients, so that a layer applied to
// several inputs before one optimiser step is correct without special cases, and
// return the gradient with respect to the layer's input.
#include <algorithm>
#include <cmath>
#include <string>

#include <xtensor/xtensor.hpp>

#include "core/rng.hpp"
#include "nn/blas.hpp"
#include "nn/param.hpp"

namespace flow::nn {

template <class T>
using Mat = xt::xtensor<T, 2>;
template <class T>
using Vec = xt::xtensor<T, 1>;

// Resizes m to (rows, cols) unless it already has that shape (no reallocation then).
template <class T>
void ensure_shape(Mat<T>& m, std::size_t rows, std::size_t cols) {
    if (m.shape(0) != rows || m.shape(1) != cols) m.resize({rows, cols});
}

// ---------------------------------------------------------------------------------
// Linear: y = x W + b. x is (B, in), W is (in, out), b is (out), y is (B, out).
// Initialised as PyTorch's nn.Linear: W and b uniform in +-1/sqrt(in).
template <class T>
struct Linear {
    Mat<T> W, dW;
    Vec<T> b, db;
    // The input of the last forward(), kept for dW: the caller keeps it alive and
    // unchanged until backward() (the MLP's own buffers do).
    const Mat<T>* x = nullptr;

    Linear() = default;
    Linear(std::size_t in, std::size_t out, Rng& rng)
        : W(Mat<T>::from_shape({in, out})), dW(xt::zeros<T>({in, out})),
          b(Vec<T>::from_shape({out})), db(xt::zeros<T>({out})) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(in));
        for (auto& w : W) w = static_cast<T>(rng.uniform(-bound, bound));
        for (auto& v : b) v = static_cast<T>(rng.uniform(-bound, bound));
    }
    std::size_t in() const { return W.shape(0); }
    std::size_t out() const { return W.shape(1); }

    void forward(const Mat<T>& input, Mat<T>& y) {
        const std::size_t B = input.shape(0), n_out = out();
        x = &input;
        ensure_shape(y, B, n_out);
        T* __restrict ys = y.data();
        const T* __restrict bs = b.data();
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t j = 0; j < n_out; ++j) ys[i * n_out + j] = bs[j];
        gemm(false, false, int(B), int(n_out), int(in()), T(1), input.data(), int(in()), W.data(),
             int(n_out), T(1), ys, int(n_out));
    }

    // In the forward pass y = x W + b, so dW += x^T dy, db += sum over rows of dy,
    // dx = dy W^T.
    void backward(const Mat<T>& dy, Mat<T>& dx) {
        const std::size_t B = dy.shape(0), n_out = out();
        gemm(true, false, int(in()), int(n_out), int(B), T(1), x->data(), int(in()), dy.data(),
             int(n_out), T(1), dW.data(), int(n_out));
        const T* __restrict g = dy.data();
        T* __restrict dbs = db.data();
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t j = 0; j < n_out; ++j) dbs[j] += g[i * n_out + j];
        ensure_shape(dx, B, in());
        gemm(false, true, int(B), int(in()), int(n_out), T(1), g, int(n_out), W.data(),
             int(n_out), T(0), dx.data(), int(in()));
    }

    void params(Params<T>& ps, const std::string& prefix) {
        ps.push_back({prefix + ".W", W.data(), dW.data(), {in(), out()}});
        ps.push_back({prefix + ".b", b.data(), db.data(), {out()}});
    }
};

// ---------------------------------------------------------------------------------
// LeakyReLU: y = x for x > 0, slope * x otherwise (PyTorch's default slope 0.01).
template <class T>
struct LeakyReLU {
    T slope = T(0.01);
    const Mat<T>* x = nullptr;  // the input, kept for the derivative's branch (as Linear's)

    // For 0 < slope < 1, max(v, slope v) is v for v > 0 and slope v otherwise; the
    // branch-free forms let the compiler vectorise both loops.
    void forward(const Mat<T>& input, Mat<T>& y) {
        x = &input;
        ensure_shape(y, input.shape(0), input.shape(1));
        const T* __restrict xs = input.data();
        T* __restrict ys = y.data();
        const std::size_t n = input.size();
        const T k = slope;
        for (std::size_t i = 0; i < n; ++i) ys[i] = std::max(xs[i], k * xs[i]);
    }

    // dy/dx is 1 where x > 0 and slope elsewhere.
    void backward(const Mat<T>& dy, Mat<T>& dx) {
        ensure_shape(dx, dy.shape(0), dy.shape(1));
        const T* __restrict xs = x->data();
        const T* __restrict g = dy.data();
        T* __restrict out = dx.data();
        const std::size_t n = dy.size();
        const T k = slope;
        for (std::size_t i = 0; i < n; ++i) out[i] = g[i] * (xs[i] > T(0) ? T(1) : k);
    }
};

// ---------------------------------------------------------------------------------
// MLP: `depth` Linear layers, in -> hidden -> ... -> hidden -> out, with a LeakyReLU
// between consecutive layers and none after the last.
template <class T>
struct MLP {
    std::vector<Linear<T>> linear;
    std::vector<LeakyReLU<T>> act;  // act[i] follows linear[i]; depth - 1 of them
    std::vector<Mat<T>> h;          // h[i]: output of linear[i]; a[i]: output of act[i]
    std::vector<Mat<T>> a;
    std::vector<Mat<T>> g;          // gradient buffers, one per boundary
    Mat<T> y;

    MLP() = default;
    MLP(std::size_t in, std::size_t hidden, std::size_t out, std::size_t depth, Rng& rng) {
        for (std::size_t i = 0; i < depth; ++i) {
            const std::size_t a_in = i == 0 ? in : hidden;
            const std::size_t a_out = i + 1 == depth ? out : hidden;
            linear.emplace_back(a_in, a_out, rng);
        }
        act.resize(depth - 1);
        h.resize(depth);
        a.resize(depth - 1);
        g.resize(depth + 1);
    }

    // x (B, in) -> (B, out); the result lives until the next forward.
    const Mat<T>& forward(const Mat<T>& x) {
        const std::size_t L = linear.size();
        for (std::size_t i = 0; i < L; ++i) {
            const Mat<T>& in = i == 0 ? x : a[i - 1];
            linear[i].forward(in, h[i]);
            if (i + 1 < L) act[i].forward(h[i], a[i]);
        }
        return h[L - 1];
    }

    // dy (B, out) -> dx (B, in); parameter gradients accumulate.
    const Mat<T>& backward(const Mat<T>& dy) {
        const std::size_t L = linear.size();
        const Mat<T>* up = &dy;
        for (std::size_t i = L; i-- > 0;) {
            if (i + 1 < L) {
                act[i].backward(*up, g[i + 1]);
                up = &g[i + 1];
            }
            linear[i].backward(*up, g[i]);
            up = &g[i];
        }
        return g[0];
    }

    void params(Params<T>& ps, const std::string& prefix) {
        for (std::size_t i = 0; i < linear.size(); ++i)
            linear[i].params(ps, prefix + "." + std::to_string(i));
    }
};

// ---------------------------------------------------------------------------------
// Embedding: row `label` of a (classes, dim) table, initialised N(0, 1) as in PyTorch.
// Its input is a class index, which has no gradient; backward only accumulates the
// table's gradient.
template <class T>
struct Embedding {
    Mat<T> table, dtable;
    xt::xtensor<int, 1> labels;  // the input, kept to route gradients to their rows

    Embedding() = default;
    Embedding(std::size_t classes, std::size_t dim, Rng& rng)
        : table(Mat<T>::from_shape({classes, dim})), dtable(xt::zeros<T>({classes, dim})) {
        for (auto& w : table) w = static_cast<T>(rng.normal());
    }
    std::size_t dim() const { return table.shape(1); }

    void forward(const xt::xtensor<int, 1>& input, Mat<T>& y) {
        labels = input;
        ensure_shape(y, labels.size(), dim());
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (std::size_t j = 0; j < dim(); ++j) y(i, j) = table(std::size_t(labels(i)), j);
    }

    // In the forward pass y[i] = table[labels[i]], so dtable[labels[i]] += dy[i].
    void backward(const Mat<T>& dy) {
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (std::size_t j = 0; j < dim(); ++j) dtable(std::size_t(labels(i)), j) += dy(i, j);
    }

    void params(Params<T>& ps, const std::string& prefix) {
        ps.push_back({prefix + ".table", table.data(), dtable.data(), {table.shape(0), dim()}});
    }
};

}  // namespace flow::nn
