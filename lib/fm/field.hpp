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
    std::size_t depth = 0;     // linear layers (set by the caller; the kind's flags hold the defaults)
    std::size_t hidden = 0;    // units per hidden layer
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

    // What forward() leaves for backward() and divergence(): the network's input rows
    // and activations.
    struct Tape {
        Mat<T> in, emb;
        typename nn::MLP<T>::Tape mlp;
    };

    // y (B, 2), t (B), labels (B) when conditional -> v (B, 2), returned as
    // tape.mlp.output().
    const Mat<T>& forward(const Mat<T>& y, const std::vector<T>& t, const Labels* labels,
                          Tape& tape) const {
        const std::size_t B = y.shape(0), D = inputs();
        nn::ensure_shape(tape.in, B, D);
        T* row = tape.in.data();
        if (conditional()) {
            if (!labels || labels->size() != B)
                throw std::logic_error("a conditional vector field needs one label per point");
            embed.forward(*labels, tape.emb);
        }
        for (std::size_t i = 0; i < B; ++i, row += D) {
            row[0] = y(i, 0);
            row[1] = y(i, 1);
            row[2] = t[i];
            for (std::size_t j = 3; j < D; ++j) row[j] = tape.emb(i, j - 3);
        }
        return mlp.forward(tape.in, tape.mlp);
    }
    // The velocity alone, when no backward pass follows; valid until the next call.
    const Mat<T>& velocity(const Mat<T>& y, const std::vector<T>& t, const Labels* labels = nullptr) {
        return forward(y, t, labels, scratch_);
    }

    // The backward pass of the forward() that read labels and filled tape: dv (B, 2) =
    // dL/dv; parameter gradients accumulate, and dL/dy (B, 2) goes into dy when given.
    void backward(const Mat<T>& dv, const Labels* labels, const Tape& tape, Mat<T>* dy = nullptr) {
        mlp.backward(dv, tape.in, tape.mlp, din_);
        const std::size_t B = din_.shape(0), D = inputs();
        if (dy) {
            nn::ensure_shape(*dy, B, 2);
            for (std::size_t i = 0; i < B; ++i) {
                (*dy)(i, 0) = din_(i, 0);
                (*dy)(i, 1) = din_(i, 1);
            }
        }
        if (conditional()) {
            nn::ensure_shape(demb_, B, shape.embed_dim);
            for (std::size_t i = 0; i < B; ++i)
                for (std::size_t j = 3; j < D; ++j) demb_(i, j - 3) = din_(i, j);
            embed.backward(demb_, *labels);
        }
    }

    // The divergence dv_0/dy_0 + dv_1/dy_1 at the points of the forward() that filled
    // tape, from two input-gradient passes (one per output; in 2D that is the exact trace
    // of the Jacobian). The parameter gradients are left untouched.
    std::vector<T> divergence(const Tape& tape) {
        const std::size_t B = tape.in.shape(0);
        std::vector<T> div(B, T(0));
        nn::ensure_shape(seed_, B, 2);  // reused: this runs at every step of an integration
        for (std::size_t c = 0; c < 2; ++c) {
            for (std::size_t i = 0; i < B; ++i) {
                seed_(i, c) = T(1);
                seed_(i, 1 - c) = T(0);
            }
            mlp.input_gradient(seed_, tape.mlp, din_);
            for (std::size_t i = 0; i < B; ++i) div[i] += din_(i, c);
        }
        return div;
    }

    void params(nn::Params<T>& ps) {
        mlp.params(ps, "field");
        if (conditional()) embed.params(ps, "embed");
    }

private:
    Tape scratch_;            // velocity()'s
    Mat<T> din_, demb_, seed_;  // backward scratch
};

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct VectorField<float>;

}  // namespace flow::fm
