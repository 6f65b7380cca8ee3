#pragma once
// The layers, each a forward/backward pair. Shapes: batches are row-major (B, features).
//
// A layer keeps its parameters and their gradients, nothing of a particular call. The
// forward pass writes what its backward pass will need into a caller-owned tape, and
// the backward pass is handed that input and that tape explicitly (as llm.c's
// matmul_backward(dinp, dweight, dbias, dout, inp, weight, ...)): a stray forward
// between a loss and its backward cannot change what is differentiated.
//
// Backward passes accumulate (+=) parameter gradients, so that a layer applied to
// several inputs before one optimiser step is correct without special cases, and
// write the gradient with respect to the layer's input into a caller-provided buffer.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "core/rng.hpp"
#include "nn/blas.hpp"
#include "nn/rows_gemm.hpp"
#include "nn/wide.hpp"
#include "nn/narrow.hpp"
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

    void forward(const Mat<T>& x, Mat<T>& y) const {
        const std::size_t B = x.shape(0), n_out = out();
        ensure_shape(y, B, n_out);
        T* __restrict ys = y.data();
        const T* __restrict bs = b.data();
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t j = 0; j < n_out; ++j) ys[i * n_out + j] = bs[j];
        if constexpr (std::is_same_v<T, float>) {
            if (rows_gemm::covers(n_out)) {
                rows_gemm::multiply_add(B, n_out, in(), x.data(), in(), 1, W.data(), n_out, ys, n_out);
                return;
            }
            if (rows_gemm::covers(in())) {
                // A few outputs (a field's last layer): a dot product each, with W's columns.
                thread_local std::vector<float> wt;
                transpose(W.data(), in(), n_out, wt);
                rows_gemm::dots_add(B, n_out, in(), x.data(), in(), wt.data(), in(), ys, n_out);
                return;
            }
        }
        gemm(false, false, int(B), int(n_out), int(in()), T(1), x.data(), int(in()), W.data(),
             int(n_out), T(1), ys, int(n_out));
    }

    // In the forward pass y = x W + b, so dW += x^T dy, db += sum over rows of dy,
    // dx = dy W^T. x is the input of that forward pass.
    void backward(const Mat<T>& dy, const Mat<T>& x, Mat<T>& dx) {
        const std::size_t B = dy.shape(0), n_out = out();
        if constexpr (std::is_same_v<T, float>) {
            if (rows_gemm::covers(n_out)) {
                rows_gemm::multiply_add(in(), n_out, B, x.data(), 1, in(), dy.data(), n_out, dW.data(), n_out);
            } else if (rows_gemm::covers(in())) {
                // A few outputs: dW^T (n_out x in) = dy^T x, summed apart and added to dW.
                thread_local std::vector<float> dwt;
                dwt.assign(n_out * in(), 0.0f);
                rows_gemm::multiply_add(n_out, in(), B, dy.data(), 1, n_out, x.data(), in(), dwt.data(), in());
                float* __restrict g = dW.data();
                for (std::size_t k = 0; k < in(); ++k)
                    for (std::size_t j = 0; j < n_out; ++j) g[k * n_out + j] += dwt[j * in() + k];
            } else {
                gemm(true, false, int(in()), int(n_out), int(B), T(1), x.data(), int(in()), dy.data(),
                     int(n_out), T(1), dW.data(), int(n_out));
            }
        } else {
            gemm(true, false, int(in()), int(n_out), int(B), T(1), x.data(), int(in()), dy.data(),
                 int(n_out), T(1), dW.data(), int(n_out));
        }
        accumulate_column_sums(dy.data(), B, n_out, db.data());
        input_gradient(dy, dx);
    }

    // dx = dy W^T alone, for derivatives with respect to the input (a divergence, a
    // steering gradient): the parameter gradients are left untouched.
    void input_gradient(const Mat<T>& dy, Mat<T>& dx) const {
        const std::size_t B = dy.shape(0), n_out = out();
        ensure_shape(dx, B, in());
        if constexpr (std::is_same_v<T, float>) {
            if (rows_gemm::covers(in())) {
                // dx = dy W^T as dy times W's transpose (n_out x in), made here once a call.
                thread_local std::vector<float> wt;
                transpose(W.data(), in(), n_out, wt);
                std::fill(dx.begin(), dx.end(), 0.0f);
                rows_gemm::multiply_add(B, in(), n_out, dy.data(), n_out, 1, wt.data(), in(), dx.data(), in());
                return;
            }
        }
        gemm(false, true, int(B), int(in()), int(n_out), T(1), dy.data(), int(n_out), W.data(),
             int(n_out), T(0), dx.data(), int(in()));
    }

    // out (cols x rows) = the transpose of m (rows x cols), both row-major.
    static void transpose(const T* __restrict m, std::size_t rows, std::size_t cols, std::vector<T>& out) {
        out.resize(rows * cols);
        T* __restrict o = out.data();
        for (std::size_t k = 0; k < rows; ++k)
            for (std::size_t j = 0; j < cols; ++j) o[j * rows + k] = m[k * cols + j];
    }

    // db[j] += g(0, j) + g(1, j) + ... in row order. Eight columns at a time are summed in
    // a local block, which stays in a vector register: summed in place, every row's
    // additions waited for the previous row's store to db (a seventh of a narrow
    // normalizing-flow epoch). The order of the additions, and so the result, is unchanged.
    static void accumulate_column_sums(const T* __restrict g, std::size_t rows, std::size_t cols,
                                       T* __restrict db) {
        constexpr std::size_t W = 32 / sizeof(T);
        std::size_t j0 = 0;
        for (; j0 + W <= cols; j0 += W) {
            T acc[W];
#pragma GCC unroll 8
            for (std::size_t j = 0; j < W; ++j) acc[j] = db[j0 + j];
            for (std::size_t i = 0; i < rows; ++i)
#pragma GCC unroll 8
                for (std::size_t j = 0; j < W; ++j) acc[j] += g[i * cols + j0 + j];
#pragma GCC unroll 8
            for (std::size_t j = 0; j < W; ++j) db[j0 + j] = acc[j];
        }
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = j0; j < cols; ++j) db[j] += g[i * cols + j];
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

    // For 0 < slope < 1, max(v, slope v) is v for v > 0 and slope v otherwise; the
    // branch-free forms let the compiler vectorise both loops.
    void forward(const Mat<T>& x, Mat<T>& y) const {
        ensure_shape(y, x.shape(0), x.shape(1));
        const T* __restrict xs = x.data();
        T* __restrict ys = y.data();
        const std::size_t n = x.size();
        const T k = slope;
        for (std::size_t i = 0; i < n; ++i) ys[i] = std::max(xs[i], k * xs[i]);
    }

    // dy/dx is 1 where x > 0 and slope elsewhere; x is the forward pass's input. dx is g
    // where x > 0 and k g elsewhere (g * 1 is g exactly), chosen by a bit mask: written
    // as a conditional, GCC (which assumes floating-point operations may trap) compiles
    // a branch per element and does not vectorise the loop, the hottest of the training.
    void backward(const Mat<T>& dy, const Mat<T>& x, Mat<T>& dx) const {
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        static_assert(sizeof(Bits) == sizeof(T));
        ensure_shape(dx, dy.shape(0), dy.shape(1));
        const T* __restrict xs = x.data();
        const T* __restrict g = dy.data();
        T* __restrict out = dx.data();
        const std::size_t n = dy.size();
        const T k = slope;
        for (std::size_t i = 0; i < n; ++i) {
            const T a = g[i], b = k * a;
            Bits ua, ub;
            std::memcpy(&ua, &a, sizeof(T));
            std::memcpy(&ub, &b, sizeof(T));
            const Bits keep = Bits(0) - Bits(xs[i] > T(0));  // all ones where x > 0
            const Bits r = (ua & keep) | (ub & ~keep);
            std::memcpy(out + i, &r, sizeof(T));
        }
    }
};

// ---------------------------------------------------------------------------------
// MLP: `depth` Linear layers, in -> hidden -> ... -> hidden -> out, with a LeakyReLU
// between consecutive layers and none after the last.
template <class T>
struct MLP {
    // The activations of one forward pass: h[i] is the output of linear[i], a[i] that
    // of the activation after it. The output is h.back(). A wide 1 -> H -> 1 network
    // (nn/wide.hpp) keeps its input in a[0] instead and leaves h[0] unused.
    struct Tape {
        std::vector<Mat<T>> h, a;
        const Mat<T>& output() const { return h.back(); }
    };

    std::vector<Linear<T>> linear;
    LeakyReLU<T> act;  // between consecutive layers

    MLP() = default;
    MLP(std::size_t in, std::size_t hidden, std::size_t out, std::size_t depth, Rng& rng) {
        for (std::size_t i = 0; i < depth; ++i) {
            const std::size_t a_in = i == 0 ? in : hidden;
            const std::size_t a_out = i + 1 == depth ? out : hidden;
            linear.emplace_back(a_in, a_out, rng);
        }
    }
    std::size_t depth() const { return linear.size(); }

    // x (B, in) -> (B, out), returned as tape.output(). The narrow layers of a coupling
    // network run as fused kernels (nn/narrow.hpp); the others as a product and a pass.
    const Mat<T>& forward(const Mat<T>& x, Tape& tape) const {
        const std::size_t L = depth(), B = x.shape(0);
        tape.h.resize(L);
        tape.a.resize(L - 1);
        if (wide_one_hidden()) {
            // The tape keeps the input (in a[0]) and the output; the backward pass
            // recomputes the hidden units from the input.
            tape.a[0] = x;
            ensure_shape(tape.h[1], B, 1);
            wide::forward(B, linear[0].out(), x.data(), linear[0].W.data(), linear[0].b.data(), linear[1].W.data(),
                          linear[1].b(0), tape.h[1].data(), act.slope);
            return tape.output();
        }
        for (std::size_t i = 0; i < L; ++i) {
            const Linear<T>& lin = linear[i];
            const Mat<T>& in = i == 0 ? x : tape.a[i - 1];
            const bool activated = i + 1 < L;
            if (const auto k = narrow::find<T>(lin.in(), lin.out())) {
                ensure_shape(tape.h[i], B, lin.out());
                if (activated) ensure_shape(tape.a[i], B, lin.out());
                k.forward(B, in.data(), lin.W.data(), lin.b.data(), tape.h[i].data(),
                          activated ? tape.a[i].data() : nullptr, act.slope);
                continue;
            }
            lin.forward(in, tape.h[i]);
            if (activated) act.forward(tape.h[i], tape.a[i]);
        }
        return tape.output();
    }

    // dy (B, out) -> dx (B, in) for the forward pass that read x and wrote tape;
    // parameter gradients accumulate.
    void backward(const Mat<T>& dy, const Mat<T>& x, const Tape& tape, Mat<T>& dx) {
        chain(dy, x, tape, dx, true);
    }
    // dx alone; the parameter gradients are left untouched.
    void input_gradient(const Mat<T>& dy, const Tape& tape, Mat<T>& dx) {
        chain(dy, dy, tape, dx, false);
    }

    // Forward mode: the directional derivative dy = J(x) dx of each row, dx (B, in), for
    // the forward pass that read x and wrote tape (each activation's slope is read from
    // the layer output it kept). One pass of products, the cost of a forward pass; a
    // divergence estimate (Hutchinson's) reads dx . dy. Not for the fused 1 -> H -> 1 form.
    void tangent(const Mat<T>& dx, const Tape& tape, Mat<T>& dy) const {
        const std::size_t L = depth(), B = dx.shape(0);
        if (wide_one_hidden()) throw std::logic_error("MLP::tangent: the fused 1 -> H -> 1 network has no tangent");
        const Mat<T>* cur = &dx;
        for (std::size_t i = 0; i < L; ++i) {
            const Linear<T>& lin = linear[i];
            Mat<T>& h = i + 1 == L ? dy : tangent_[2];
            ensure_shape(h, B, lin.out());
            gemm(false, false, int(B), int(lin.out()), int(lin.in()), T(1), cur->data(), int(lin.in()), lin.W.data(),
                 int(lin.out()), T(0), h.data(), int(lin.out()));
            if (i + 1 == L) break;
            act.backward(h, tape.h[i], tangent_[i % 2]);
            cur = &tangent_[i % 2];
        }
    }

    void params(Params<T>& ps, const std::string& prefix) {
        for (std::size_t i = 0; i < linear.size(); ++i)
            linear[i].params(ps, prefix + "." + std::to_string(i));
    }

private:
    std::vector<Mat<T>> g_;  // scratch: gradients at the inner boundaries
    mutable Mat<T> tangent_[3];  // scratch of tangent(): the inner boundaries' tangents, a product

    // up is dL/dh[i], from the top layer down. A fused kernel gives dL/dh[i-1] at once;
    // otherwise the layer's backward gives dL/da[i-1] and the activation's backward the rest.
    std::vector<T> wide_scratch_;

    // 1 -> H -> 1 with H wide: the fused kernel of nn/wide.hpp.
    bool wide_one_hidden() const {
        return depth() == 2 && wide::covers<T>(linear[0].in(), linear[0].out(), linear[1].out(), 2);
    }

    void chain(const Mat<T>& dy, const Mat<T>& x, const Tape& tape, Mat<T>& dx, bool with_params) {
        const std::size_t L = depth(), B = dy.shape(0);
        if (wide_one_hidden()) {
            ensure_shape(dx, B, 1);
            Linear<T>& l0 = linear[0];
            Linear<T>& l1 = linear[1];
            wide::backward(B, l0.out(), dy.data(), tape.a[0].data(), l0.W.data(), l0.b.data(), l1.W.data(),
                           l0.dW.data(), l0.db.data(), l1.dW.data(), l1.db.data(), dx.data(), with_params,
                           wide_scratch_, act.slope);
            return;
        }
        g_.resize(2 * L);
        const Mat<T>* up = &dy;
        for (std::size_t i = L; i-- > 0;) {
            Linear<T>& lin = linear[i];
            Mat<T>& down = i == 0 ? dx : g_[2 * i];
            const Mat<T>& in = i == 0 ? x : tape.a[i - 1];
            if (const auto k = narrow::find<T>(lin.in(), lin.out())) {
                ensure_shape(down, B, lin.in());
                k.backward(B, up->data(), with_params ? in.data() : nullptr, lin.W.data(),
                           with_params ? lin.dW.data() : nullptr, lin.db.data(), down.data(),
                           i > 0 ? tape.h[i - 1].data() : nullptr, act.slope);
                up = &down;
                continue;
            }
            if (with_params)
                lin.backward(*up, in, down);
            else
                lin.input_gradient(*up, down);
            up = &down;
            if (i > 0) {
                act.backward(down, tape.h[i - 1], g_[2 * i + 1]);
                up = &g_[2 * i + 1];
            }
        }
    }
};

// ---------------------------------------------------------------------------------
// Embedding: row `label` of a (classes, dim) table, initialised N(0, 1) as in PyTorch.
// Its input is a class index, which has no gradient; backward only accumulates the
// table's gradient.
template <class T>
struct Embedding {
    Mat<T> table, dtable;

    Embedding() = default;
    Embedding(std::size_t classes, std::size_t dim, Rng& rng)
        : table(Mat<T>::from_shape({classes, dim})), dtable(xt::zeros<T>({classes, dim})) {
        for (auto& w : table) w = static_cast<T>(rng.normal());
    }
    std::size_t dim() const { return table.shape(1); }

    void forward(const xt::xtensor<int, 1>& labels, Mat<T>& y) const {
        ensure_shape(y, labels.size(), dim());
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (std::size_t j = 0; j < dim(); ++j) y(i, j) = table(std::size_t(labels(i)), j);
    }

    // In the forward pass y[i] = table[labels[i]], so dtable[labels[i]] += dy[i].
    void backward(const Mat<T>& dy, const xt::xtensor<int, 1>& labels) {
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (std::size_t j = 0; j < dim(); ++j) dtable(std::size_t(labels(i)), j) += dy(i, j);
    }

    void params(Params<T>& ps, const std::string& prefix) {
        ps.push_back({prefix + ".table", table.data(), dtable.data(), {table.shape(0), dim()}});
    }
};

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct Linear<float>;
extern template struct LeakyReLU<float>;
extern template struct MLP<float>;
extern template struct Embedding<float>;

// n rows of d independent standard-normal draws from rng, row by row: the prior draws
// of every flow.
inline Mat<float> normal_draws(Rng& rng, std::size_t n, std::size_t d = 2) {
    Mat<float> z = Mat<float>::from_shape({n, d});
    for (auto& v : z) v = float(rng.normal());
    return z;
}

}  // namespace flow::nn
