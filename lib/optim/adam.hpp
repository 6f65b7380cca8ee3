#pragma once
// Adam (Kingma & Ba) exactly as PyTorch's torch.optim.Adam without weight decay:
//   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// and the cosine annealing of torch.optim.lr_scheduler.CosineAnnealingLR, evaluated
// per optimiser step over the whole run.
#include <cmath>
#include <cstddef>
#include <vector>

#include "nn/param.hpp"

namespace flow::optim {

struct AdamSettings {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    // Gradient clipping: when the gradients' global L2 norm exceeds clip_norm, they are
    // scaled to that norm before the update (0: never).
    double clip_norm = 0.0;
};

template <class T>
class Adam {
public:
    explicit Adam(nn::Params<T> params, AdamSettings s = {}) : params_(std::move(params)), s_(s) {
        for (const auto& p : params_) {
            m_.emplace_back(p.size(), 0.0);
            v_.emplace_back(p.size(), 0.0);
        }
    }

    // One step with learning rate lr from the gradients the parameters hold now.
    // Moments are kept in double: they cost nothing at these sizes and make the
    // update independent of the parameter precision.
    void step(double lr) {
        ++t_;
        const double bc1 = 1.0 - std::pow(s_.beta1, double(t_));
        const double bc2 = 1.0 - std::pow(s_.beta2, double(t_));
        const double step_size = lr / bc1;
        // sqrt(v) / sqrt(bc2) as a product: one division an element instead of two.
        const double inv_sqrt_bc2 = 1.0 / std::sqrt(bc2);
        const double b1 = s_.beta1, b2 = s_.beta2, eps = s_.eps;
        const double c = clip_factor();
        for (std::size_t k = 0; k < params_.size(); ++k) {
            const auto& p = params_[k];
            // Distinct arrays: restrict lets the compiler vectorise the update.
            double* __restrict m = m_[k].data();
            double* __restrict v = v_[k].data();
            T* __restrict value = p.value;
            const T* __restrict grad = p.grad;
            const std::size_t n = p.size();
            for (std::size_t i = 0; i < n; ++i) {
                const double g = c * double(grad[i]);
                m[i] = b1 * m[i] + (1.0 - b1) * g;
                v[i] = b2 * v[i] + (1.0 - b2) * g * g;
                const double denom = std::sqrt(v[i]) * inv_sqrt_bc2 + eps;
                value[i] = static_cast<T>(value[i] - step_size * m[i] / denom);
            }
        }
    }

    void zero_grad() { nn::zero_grad(params_); }
    // What the gradients are multiplied by this step: clip_norm / their global norm when
    // that is below 1, else 1. The squares are summed in kLanes interleaved partial sums
    // (element i into sum i mod kLanes), then the partial sums in order: a fixed order
    // the compiler can vectorise, where one running sum is a chain of dependent adds.
    double clip_factor() const {
        if (s_.clip_norm <= 0) return 1.0;
        constexpr std::size_t kLanes = 16;
        double part[kLanes] = {};
        for (const auto& p : params_) {
            const std::size_t n = p.size();
            const T* g = p.grad;
            std::size_t i = 0;
            for (; i + kLanes <= n; i += kLanes)
                for (std::size_t l = 0; l < kLanes; ++l) part[l] += double(g[i + l]) * double(g[i + l]);
            for (std::size_t l = 0; i < n; ++i, ++l) part[l] += double(g[i]) * double(g[i]);
        }
        double sq = 0;
        for (double x : part) sq += x;
        const double norm = std::sqrt(sq);
        return norm > s_.clip_norm ? s_.clip_norm / norm : 1.0;
    }
    std::size_t steps() const { return t_; }
    const nn::Params<T>& params() const { return params_; }

private:
    nn::Params<T> params_;
    AdamSettings s_;
    std::vector<std::vector<double>> m_, v_;
    std::size_t t_ = 0;
};

// lr(step) = lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2, for step in [0, total].
struct CosineSchedule {
    double lr0;
    std::size_t total;
    double lr_min = 0.0;
    double operator()(std::size_t step) const {
        const double frac = total == 0 ? 0.0 : double(step) / double(total);
        return lr_min + (lr0 - lr_min) * 0.5 * (1.0 + std::cos(M_PI * frac));
    }
};

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template class Adam<float>;

}  // namespace flow::optim
