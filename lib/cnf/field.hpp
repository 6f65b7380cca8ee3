#pragma once
// The vector field of a continuous normalizing flow (Chen et al. 2018): f(z, t), a
// network of tanh layers on the point and the time, with the exact trace of its
// Jacobian with respect to z, and the backward pass of a loss that reads both.
//
//   h_0 = (z, t),  a_k = W_k h_{k-1} + b_k,  h_k = tanh(a_k) (k < L),  f = a_L.
//
// The trace. For each coordinate j of z, the tangent of the network along e_j,
//   ḣ_0 = (e_j, 0),  ȧ_k = W_k ḣ_{k-1},  ḣ_k = s_k ⊙ ȧ_k,  s_k = 1 - h_k²,
// gives the column ∂f/∂z_j = ȧ_L, and tr(∂f/∂z) = Σ_j (ȧ_L^{(j)})_j: exact, at the cost
// of D extra passes (D = 2 here). Hutchinson's estimator (eval_batch_probe) starts one
// tangent at a random probe ε instead and reads εᵀ ȧ_L: one pass whatever D.
//
// The backward pass of a loss Σ_i (g_f,i · f_i + g_tr,i tr_i) runs both computations
// in reverse. With adjoints ā, h̄ of the primal and ǡ^{(j)}, ḣ̄^{(j)} of the tangents:
//   from ȧ_k = W_k ḣ_{k-1}:        dW_k += Σ_j ǡ_k^{(j)} ḣ_{k-1}^{(j)ᵀ},  ḣ̄_{k-1}^{(j)} = W_kᵀ ǡ_k^{(j)}
//   from a_k = W_k h_{k-1} + b_k:  dW_k += ā_k h_{k-1}ᵀ,  db_k += ā_k,  h̄_{k-1} = W_kᵀ ā_k
//   from ḣ = s ⊙ ȧ:                ǡ^{(j)} = s ⊙ ḣ̄^{(j)},  s̄ = Σ_j ḣ̄^{(j)} ⊙ ȧ^{(j)}
//   from s = 1 - h², h = tanh(a):  h̄ += -2 h ⊙ s̄,  ā = s ⊙ h̄
// starting from ā_L = g_f and ǡ_L^{(j)} = g_tr e_j; z̄ is the z part of h̄_0. The
// second derivative of tanh enters through s̄: this is σ'' = -2 tanh σ'.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "nn/blas.hpp"
#include "nn/fast_tanh.hpp"
#include "nn/param.hpp"

namespace flow::cnf {

template <class T>
struct Field {
    std::size_t dim = 2, hidden = 32, depth = 3;  // depth: linear layers
    // Layer k maps width[k] to width[k + 1]; W_k row-major (out, in).
    std::vector<std::vector<T>> W, b, dW, db;

    Field() = default;
    // PyTorch's default start: uniform on ±1/sqrt(fan-in) for weights and biases.
    Field(std::size_t d, std::size_t h, std::size_t L, Rng& rng) : dim(d), hidden(h), depth(L) {
        for (std::size_t k = 0; k < L; ++k) {
            const std::size_t in = width(k), out = width(k + 1);
            const double r = 1.0 / std::sqrt(double(in));
            W.emplace_back(in * out);
            b.emplace_back(out);
            for (auto& v : W.back()) v = T(rng.uniform(-r, r));
            for (auto& v : b.back()) v = T(rng.uniform(-r, r));
            dW.emplace_back(in * out, T(0));
            db.emplace_back(out, T(0));
        }
    }
    std::size_t width(std::size_t k) const { return k == 0 ? dim + 1 : k == depth ? dim : hidden; }

    void params(nn::Params<T>& ps) {
        for (std::size_t k = 0; k < depth; ++k) {
            ps.push_back({"layer" + std::to_string(k) + ".W", W[k].data(), dW[k].data(), {width(k + 1), width(k)}});
            ps.push_back({"layer" + std::to_string(k) + ".b", b[k].data(), db[k].data(), {width(k + 1)}});
        }
    }

    // One point's activations: h[k] (k = 0..depth-1, inputs of layer k) and, per
    // direction j, the tangents hd[j][k]; out and the trace.
    struct Point {
        std::vector<std::vector<double>> h;
        std::vector<std::vector<std::vector<double>>> hd, ad;  // ad[j][k]: ȧ whose tanh tangent is hd[j][k]
        std::vector<double> out;
        double trace = 0;
    };

    // f(z, t) and tr(∂f/∂z) at one point (z has dim entries).
    void eval(const double* z, double t, Point& p) const {
        p.h.assign(depth, {});
        p.hd.assign(dim, std::vector<std::vector<double>>(depth));
        p.ad.assign(dim, std::vector<std::vector<double>>(depth));
        p.h[0].assign(z, z + dim);
        p.h[0].push_back(t);
        for (std::size_t j = 0; j < dim; ++j) {
            p.hd[j][0].assign(dim + 1, 0.0);
            p.hd[j][0][j] = 1.0;
        }
        std::vector<double> a, ad;
        for (std::size_t k = 0; k < depth; ++k) {
            const std::size_t in = width(k), out = width(k + 1);
            a.assign(out, 0.0);
            for (std::size_t o = 0; o < out; ++o) {
                double s = double(b[k][o]);
                for (std::size_t i = 0; i < in; ++i) s += double(W[k][o * in + i]) * p.h[k][i];
                a[o] = s;
            }
            const bool last = k + 1 == depth;
            std::vector<double> hn(out), sn(out);
            for (std::size_t o = 0; o < out; ++o) {
                hn[o] = last ? a[o] : std::tanh(a[o]);
                sn[o] = last ? 1.0 : 1.0 - hn[o] * hn[o];
            }
            for (std::size_t j = 0; j < dim; ++j) {
                ad.assign(out, 0.0);
                for (std::size_t o = 0; o < out; ++o) {
                    double s = 0;
                    for (std::size_t i = 0; i < in; ++i) s += double(W[k][o * in + i]) * p.hd[j][k][i];
                    ad[o] = s;
                }
                if (last) {
                    if (j == 0) p.trace = 0;
                    p.trace += ad[j];
                } else {
                    p.ad[j][k + 1] = ad;
                    for (std::size_t o = 0; o < out; ++o) ad[o] *= sn[o];
                    p.hd[j][k + 1] = ad;
                }
            }
            if (last) p.out = hn;
            else p.h[k + 1] = hn;
        }
    }

    // Accumulates the gradients of g_f · f + g_tr · trace at the point into dW, db, and
    // returns (adds) its gradient with respect to z into gz.
    void backward(const Point& p, const double* g_f, double g_tr, double* gz) {
        std::vector<double> abar(g_f, g_f + dim);
        std::vector<std::vector<double>> adbar(dim, std::vector<double>(dim, 0.0));
        for (std::size_t j = 0; j < dim; ++j) adbar[j][j] = g_tr;
        for (std::size_t k = depth; k-- > 0;) {
            const std::size_t in = width(k), out = width(k + 1);
            std::vector<double> hbar(in, 0.0);
            std::vector<std::vector<double>> hdbar(dim, std::vector<double>(in, 0.0));
            for (std::size_t o = 0; o < out; ++o) {
                db[k][o] += T(abar[o]);
                for (std::size_t i = 0; i < in; ++i) {
                    double g = abar[o] * p.h[k][i];
                    for (std::size_t j = 0; j < dim; ++j) g += adbar[j][o] * p.hd[j][k][i];
                    dW[k][o * in + i] += T(g);
                    const double w = double(W[k][o * in + i]);
                    hbar[i] += w * abar[o];
                    for (std::size_t j = 0; j < dim; ++j) hdbar[j][i] += w * adbar[j][o];
                }
            }
            if (k == 0) {
                for (std::size_t i = 0; i < dim; ++i) gz[i] += hbar[i];
                return;
            }
            // Through layer k-1's tanh: h = p.h[k], tangents ḣ = s ⊙ ȧ.
            const auto& h = p.h[k];
            abar.assign(in, 0.0);
            for (auto& v : adbar) v.assign(in, 0.0);
            for (std::size_t i = 0; i < in; ++i) {
                const double s = 1.0 - h[i] * h[i];
                double sbar = 0;
                for (std::size_t j = 0; j < dim; ++j) {
                    adbar[j][i] = s * hdbar[j][i];
                    sbar += hdbar[j][i] * p.ad[j][k][i];
                }
                abar[i] = s * (hbar[i] - 2.0 * h[i] * sbar);
            }
        }
    }

    // The same for a batch of B points at one time t: every activation is stored
    // feature-major (feature i of point n at [i * B + n]), so that the innermost loops
    // run over the batch and vectorise. z: D x B, feature-major.
    struct Batch {
        std::size_t n = 0;
        bool probe = false;                                 // filled by eval_batch_probe
        std::vector<std::vector<double>> h;                 // h[k]: width(k) x B
        std::vector<std::vector<std::vector<double>>> hd, ad;
        std::vector<double> out, trace;                     // D x B, B
        std::vector<double> last_tangent;                   // scratch of eval_batch
        std::vector<double> hbar, abar, next, gw;           // scratch of backward_batch
        std::vector<std::vector<double>> wd;                // the weights in double, per layer
        std::vector<std::vector<double>> hdbar, adbar, nextd;
    };

    void eval_batch(const double* z, std::size_t B, double t, Batch& p) const { run_batch(z, B, t, nullptr, p); }

    // The same with Hutchinson's estimate in place of the exact trace: one tangent, along
    // the probe eps (D x B, feature-major: Rademacher or Gaussian draws, one per point),
    // and p.trace[n] = eps_n^T (df/dz) eps_n, whose mean over probes is the trace. One
    // extra pass instead of D; its variance for Rademacher probes is the sum over i < j of
    // (J_ij + J_ji)^2. backward_batch does not take such a batch.
    void eval_batch_probe(const double* z, std::size_t B, double t, const double* eps, Batch& p) const {
        run_batch(z, B, t, eps, p);
    }

private:
    // The tangents start at e_j for each coordinate j (exact), or at the probe (eps given).
    void run_batch(const double* z, std::size_t B, double t, const double* eps, Batch& p) const {
        const std::size_t S = eps ? 1 : dim;  // tangents
        p.n = B;
        p.probe = eps != nullptr;
        p.h.resize(depth);
        p.hd.resize(S);
        p.ad.resize(S);
        p.wd.resize(depth);
        for (std::size_t k = 0; k < depth; ++k) p.wd[k].assign(W[k].begin(), W[k].end());
        p.h[0].assign(z, z + dim * B);
        p.h[0].resize((dim + 1) * B, t);
        for (std::size_t j = 0; j < S; ++j) {
            p.hd[j].resize(depth);
            p.ad[j].resize(depth);
            p.hd[j][0].assign((dim + 1) * B, 0.0);
            if (eps)
                std::copy(eps, eps + dim * B, p.hd[j][0].begin());
            else
                std::fill(p.hd[j][0].begin() + long(j * B), p.hd[j][0].begin() + long((j + 1) * B), 1.0);
        }
        p.trace.assign(B, 0.0);
        const int nb = int(B);
        for (std::size_t k = 0; k < depth; ++k) {
            const std::size_t in = width(k), out = width(k + 1);
            const bool last = k + 1 == depth;
            std::vector<double>& a = last ? p.out : p.h[k + 1];
            a.resize(out * B);
            for (std::size_t o = 0; o < out; ++o)
                std::fill(a.begin() + long(o * B), a.begin() + long((o + 1) * B), double(b[k][o]));
            // a (out x B) += W (out x in) h (in x B); each tangent likewise, without the bias.
            nn::gemm(false, false, int(out), nb, int(in), 1.0, p.wd[k].data(), int(in), p.h[k].data(), nb, 1.0,
                     a.data(), nb);
            for (std::size_t j = 0; j < S; ++j) {
                std::vector<double>& ad = last ? p.last_tangent : p.ad[j][k + 1];
                ad.resize(out * B);
                nn::gemm(false, false, int(out), nb, int(in), 1.0, p.wd[k].data(), int(in), p.hd[j][k].data(), nb,
                         0.0, ad.data(), nb);
                if (last && eps) {
                    for (std::size_t i = 0; i < dim; ++i)
                        for (std::size_t n = 0; n < B; ++n) p.trace[n] += eps[i * B + n] * ad[i * B + n];
                } else if (last) {
                    for (std::size_t n = 0; n < B; ++n) p.trace[n] += ad[j * B + n];
                } else {
                    p.hd[j][k + 1].resize(out * B);
                }
            }
            if (!last) {
                nn::tanh_inplace(a.data(), a.size());
                for (std::size_t j = 0; j < S; ++j)
                    for (std::size_t q = 0; q < out * B; ++q)
                        p.hd[j][k + 1][q] = p.ad[j][k + 1][q] * (1.0 - a[q] * a[q]);
            }
        }
    }

public:
    // The batch form of backward(): g_f is D x B (feature-major), g_tr has B entries;
    // gz (D x B) receives (adds) the gradients with respect to z. The weights are those
    // of the eval_batch that filled p.
    void backward_batch(Batch& p, const double* g_f, const double* g_tr, double* gz) {
        if (p.probe) throw std::logic_error("cnf::Field::backward_batch: the batch holds a probe's trace estimate");
        const std::size_t B = p.n;
        const int nb = int(B);
        p.abar.assign(g_f, g_f + dim * B);
        p.adbar.resize(dim);
        p.hdbar.resize(dim);
        p.nextd.resize(dim);
        for (std::size_t j = 0; j < dim; ++j) {
            p.adbar[j].assign(dim * B, 0.0);
            std::copy(g_tr, g_tr + B, p.adbar[j].begin() + long(j * B));
        }
        for (std::size_t k = depth; k-- > 0;) {
            const std::size_t in = width(k), out = width(k + 1);
            for (std::size_t o = 0; o < out; ++o) {
                const double* ab = p.abar.data() + o * B;
                double sb = 0;
                for (std::size_t n = 0; n < B; ++n) sb += ab[n];
                db[k][o] += T(sb);
            }
            // dW (out x in) = ā hᵀ + Σ_j ǡ_j ḣ_jᵀ;  h̄ = Wᵀ ā;  ḣ̄_j = Wᵀ ǡ_j.
            p.gw.resize(out * in);
            nn::gemm(false, true, int(out), int(in), nb, 1.0, p.abar.data(), nb, p.h[k].data(), nb, 0.0, p.gw.data(),
                     int(in));
            p.hbar.resize(in * B);
            nn::gemm(true, false, int(in), nb, int(out), 1.0, p.wd[k].data(), int(in), p.abar.data(), nb, 0.0,
                     p.hbar.data(), nb);
            for (std::size_t j = 0; j < dim; ++j) {
                nn::gemm(false, true, int(out), int(in), nb, 1.0, p.adbar[j].data(), nb, p.hd[j][k].data(), nb, 1.0,
                         p.gw.data(), int(in));
                p.hdbar[j].resize(in * B);
                nn::gemm(true, false, int(in), nb, int(out), 1.0, p.wd[k].data(), int(in), p.adbar[j].data(), nb,
                         0.0, p.hdbar[j].data(), nb);
            }
            for (std::size_t q = 0; q < out * in; ++q) dW[k][q] += T(p.gw[q]);
            if (k == 0) {
                for (std::size_t q = 0; q < dim * B; ++q) gz[q] += p.hbar[q];
                return;
            }
            const auto& h = p.h[k];
            p.abar.resize(in * B);
            for (std::size_t j = 0; j < dim; ++j) p.nextd[j].resize(in * B);
            for (std::size_t q = 0; q < in * B; ++q) {
                const double s = 1.0 - h[q] * h[q];
                double sbar = 0;
                for (std::size_t j = 0; j < dim; ++j) {
                    p.nextd[j][q] = s * p.hdbar[j][q];
                    sbar += p.hdbar[j][q] * p.ad[j][k][q];
                }
                p.abar[q] = s * (p.hbar[q] - 2.0 * h[q] * sbar);
            }
            std::swap(p.adbar, p.nextd);
        }
    }
};

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct Field<float>;

}  // namespace flow::cnf
