#pragma once
// The vector field of flow matching (sec. 4.1): v(y, t), or v(y, t, c) with a class.
//
// The network's input row is [y_0, y_1, t] and, for a conditional field, the class's
// embedding e_c: the first linear layer of the MLP mixes the point, the time and the
// class vector, the rest is the same MLP body as the unconditional field. Output: the
// velocity (B, 2).
#include <vector>

#include <xtensor/xtensor.hpp>

#include "nn/layers.hpp"

namespace flow::fm {

using nn::Mat;
using Labels = xt::xtensor<int, 1>;

struct FieldShape {
    std::size_t depth = 5;     // linear layers
    std::size_t hidden = 64;   // units per hidden layer
    std::size_t classes = 0;   // 0: unconditional
    std::size_t embed_dim = 8; // length of a class's embedding (conditional only)
};

template <class T>
struct VectorField {
    FieldShape shape;
    nn::MLP<T> mlp;
    nn::Embedding<T> embed;  // used when shape.classes > 0

    VectorField() = default;
    VectorField(const FieldShape& s, Rng& rng) : shape(s) {
        if (s.classes > 0) embed = nn::Embedding<T>(s.classes, s.embed_dim, rng);
        mlp = nn::MLP<T>(inputs(), s.hidden, 2, s.depth, rng);
    }
    bool conditional() const { return shape.classes > 0; }
    std::size_t inputs() const { return 3 + (conditional() ? shape.embed_dim : 0); }

    // y (B, 2), t (B), labels (B) when conditional -> v (B, 2), valid until the next
    // forward. Keeps what backward() needs.
    const Mat<T>& forward(const Mat<T>& y, const std::vector<T>& t, const Labels* labels = nullptr) {
        const std::size_t B = y.shape(0), D = inputs();
        nn::ensure_shape(in_, B, D);
        T* row = in_.data();
        if (conditional()) {
            if (!labels || labels->size() != B)
                throw std::logic_error("a conditional vector field needs one label per point");
            embed.forward(*labels, emb_);
        }
        for (std::size_t i = 0; i < B; ++i, row += D) {
            row[0] = y(i, 0);
            row[1] = y(i, 1);
            row[2] = t[i];
            for (std::size_t j = 3; j < D; ++j) row[j] = emb_(i, j - 3);
        }
        return mlp.forward(in_);
    }

    // dv (B, 2) = dL/dv of the last forward(): parameter gradients accumulate, and
    // input_gradient() is then dL/dy (B, 2).
    void backward(const Mat<T>& dv) {
        const Mat<T>& g = mlp.backward(dv);
        const std::size_t B = g.shape(0), D = inputs();
        nn::ensure_shape(dy_, B, 2);
        for (std::size_t i = 0; i < B; ++i) {
            dy_(i, 0) = g(i, 0);
            dy_(i, 1) = g(i, 1);
        }
        if (conditional()) {
            nn::ensure_shape(demb_, B, shape.embed_dim);
            for (std::size_t i = 0; i < B; ++i)
                for (std::size_t j = 3; j < D; ++j) demb_(i, j - 3) = g(i, j);
            embed.backward(demb_);
        }
    }
    const Mat<T>& input_gradient() const { return dy_; }

    // The divergence dv_0/dy_0 + dv_1/dy_1 at the points of the last forward(), from two
    // backward passes (one per output; in 2D that is the exact trace of the Jacobian).
    // Adds to the parameter gradients as a side effect.
    std::vector<T> divergence() {
        const std::size_t B = in_.shape(0);
        std::vector<T> div(B, T(0));
        nn::ensure_shape(seed_, B, 2);  // reused: this runs at every step of an integration
        for (std::size_t c = 0; c < 2; ++c) {
            for (std::size_t i = 0; i < B; ++i) {
                seed_(i, c) = T(1);
                seed_(i, 1 - c) = T(0);
            }
            const Mat<T>& g = mlp.backward(seed_);
            for (std::size_t i = 0; i < B; ++i) div[i] += g(i, c);
        }
        return div;
    }

    void params(nn::Params<T>& ps) {
        mlp.params(ps, "field");
        if (conditional()) embed.params(ps, "embed");
    }

private:
    Mat<T> in_, emb_, dy_, demb_, seed_;
};

}  // namespace flow::fm
