#pragma once
// A continuous normalizing flow in the normalizing direction: a data point x is
// carried from t = 0 to t = 1 by dz/dt = f(z, t), and the instantaneous change of
// variables gives
//     log p(x) = log N(z(1); 0, I) + ∫_0^1 tr(∂f/∂z)(z(t), t) dt.
// Both integrals are taken together by fixed-step fourth-order Runge--Kutta on the
// state (z, ℓ), ℓ' = tr. Training differentiates that discretised solve exactly
// (backpropagation through the RK4 stages, each stage's network pass recomputed from
// its stored input), so the gradient is the gradient of the computed loss. Sampling
// runs the same ODE from a prior draw at t = 1 back to t = 0.
#include <stdexcept>
#include <vector>

#include "cnf/field.hpp"
#include "core/normal.hpp"
#include "ode/ode.hpp"
#include "nn/layers.hpp"

namespace flow::cnf {

using nn::Mat;

template <class T>
struct Flow {
    Field<T> field;
    std::size_t steps = 0;  // RK4 steps on [0, 1]; 4 field evaluations each (set by the caller)

    void params(nn::Params<T>& ps) { field.params(ps); }

    // The batch solve: x (N, D) to z (D x N, feature-major) and ℓ (N); stages, when
    // given, receives every RK4 stage's input (D x N) in order (4 per step).
    void forward_batch(const Mat<T>& x, std::vector<double>& z, std::vector<double>& ell,
                       std::vector<std::vector<double>>* stages = nullptr) const {
        const std::size_t N = x.shape(0), D = field.dim;
        z.resize(N * D);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < D; ++c) z[c * N + i] = double(x(i, c));
        ell.assign(N, 0.0);
        rk4(z, N, false, &ell, stages);
    }

    std::vector<double> log_prob(const Mat<T>& x) const {
        const std::size_t N = x.shape(0), D = field.dim;
        std::vector<double> z, ell, zi(D);
        forward_batch(x, z, ell);
        for (std::size_t i = 0; i < N; ++i) {
            for (std::size_t c = 0; c < D; ++c) zi[c] = z[c * N + i];
            ell[i] += log_standard_normal(zi.data(), D);
        }
        return ell;
    }

    // The mean negative log-likelihood of x; with grads, its gradient is accumulated
    // into the field's dW and db (and into dx, when given).
    double loss(const Mat<T>& x, bool grads = false, Mat<T>* dx = nullptr) {
        const std::size_t N = x.shape(0), D = field.dim, M = N * D;
        const double h = 1.0 / double(steps);
        std::vector<double> z, ell, zi(D);
        thread_local std::vector<std::vector<double>> stages;  // their storage kept from call to call
        forward_batch(x, z, ell, grads ? &stages : nullptr);
        double total = 0;
        for (std::size_t i = 0; i < N; ++i) {
            for (std::size_t c = 0; c < D; ++c) zi[c] = z[c * N + i];
            total -= log_standard_normal(zi.data(), D) + ell[i];
        }
        if (!grads) return total / double(N);
        // Reverse through the steps: ȳ at the end is z / N; every ℓ increment has
        // adjoint -1/N.
        std::vector<double> ybar(M), gz(M), kbar[4], gtr(N);
        for (std::size_t q = 0; q < M; ++q) ybar[q] = z[q] / double(N);
        const double lbar = -1.0 / double(N);
        const double wts[4] = {h / 6, h / 3, h / 3, h / 6};
        // The field's work space, kept from call to call: every step would otherwise
        // allocate and zero it afresh (a tenth of a training step).
        thread_local typename Field<T>::Batch p;
        for (std::size_t n = steps; n-- > 0;) {
            for (int s = 0; s < 4; ++s) {
                kbar[s].resize(M);
                for (std::size_t q = 0; q < M; ++q) kbar[s][q] = wts[s] * ybar[q];
            }
            for (int s = 3; s >= 0; --s) {
                const double t = double(n) * h + (s == 0 ? 0.0 : s == 3 ? h : h / 2);
                field.eval_batch(stages[n * 4 + std::size_t(s)].data(), N, t, p);
                std::fill(gz.begin(), gz.end(), 0.0);
                std::fill(gtr.begin(), gtr.end(), wts[s] * lbar);
                field.backward_batch(p, kbar[s].data(), gtr.data(), gz.data());
                // y_s = y + c_s h k_{s-1}: its adjoint goes to y and to k_{s-1}.
                for (std::size_t q = 0; q < M; ++q) {
                    ybar[q] += gz[q];
                    if (s > 0) kbar[s - 1][q] += (s == 3 ? h : h / 2) * gz[q];
                }
            }
        }
        if (dx) {
            nn::ensure_shape(*dx, N, D);
            for (std::size_t i = 0; i < N; ++i)
                for (std::size_t c = 0; c < D; ++c) (*dx)(i, c) = T(ybar[c * N + i]);
        }
        return total / double(N);
    }

    // z (N, D) at t = 1 carried back to t = 0 by the same RK4 steps, reversed in time.
    Mat<T> inverse(const Mat<T>& z) const {
        const std::size_t N = z.shape(0), D = field.dim;
        std::vector<double> y(N * D);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < D; ++c) y[c * N + i] = double(z(i, c));
        rk4(y, N, true, nullptr, nullptr);
        return from_feature_major(y, N);
    }

    // x (N, D) carried to t = 1: its latent point z (N, D).
    Mat<T> latent(const Mat<T>& x) const {
        std::vector<double> z, ell;
        forward_batch(x, z, ell);
        return from_feature_major(z, x.shape(0));
    }

    // The sampling solve from z (t = 1) back to t = 0, seen at steps * per_step + 1 evenly
    // spaced times, t = 1 first. The ends of the RK4 steps are the solver's own states (the
    // last frame is exactly inverse(z)); between them a frame is the cubic Hermite
    // interpolant of the step's two end states and the field there, which is as accurate
    // as the step (one more field evaluation per step).
    std::vector<Mat<T>> inverse_path(const Mat<T>& z, std::size_t per_step) const {
        const std::size_t N = z.shape(0), D = field.dim, M = N * D;
        if (per_step < 1) throw std::invalid_argument("cnf inverse_path: per_step must be at least 1");
        std::vector<double> y(M);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < D; ++c) y[c * N + i] = double(z(i, c));
        std::vector<std::vector<double>> stages, knots;
        rk4(y, N, true, nullptr, &stages);
        for (std::size_t n = 0; n < steps; ++n) knots.push_back(std::move(stages[4 * n]));
        knots.push_back(y);
        const double h = 1.0 / double(steps);
        std::vector<std::vector<double>> slope(steps + 1);
        typename Field<T>::Batch p;
        for (std::size_t n = 0; n <= steps; ++n) {
            field.eval_batch(knots[n].data(), N, 1.0 - double(n) * h, p);
            slope[n] = p.out;
        }
        std::vector<Mat<T>> frames;
        std::vector<double> f(M);
        for (std::size_t n = 0; n < steps; ++n)
            for (std::size_t j = 0; j < per_step; ++j) {
                const double s = double(j) / double(per_step), s2 = s * s, s3 = s2 * s;
                const double h00 = 2 * s3 - 3 * s2 + 1, h10 = s3 - 2 * s2 + s, h01 = -2 * s3 + 3 * s2,
                             h11 = s3 - s2;
                for (std::size_t q = 0; q < M; ++q)  // dt/ds = -h: time runs backwards
                    f[q] = h00 * knots[n][q] + h01 * knots[n + 1][q] -
                           h * (h10 * slope[n][q] + h11 * slope[n + 1][q]);
                frames.push_back(from_feature_major(f, N));
            }
        frames.push_back(from_feature_major(y, N));
        return frames;
    }

private:
    Mat<T> from_feature_major(const std::vector<double>& y, std::size_t N) const {
        const std::size_t D = field.dim;
        Mat<T> x = Mat<T>::from_shape({N, D});
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < D; ++c) x(i, c) = T(y[c * N + i]);
        return x;
    }

    // `steps` RK4 steps of the batch y (D x N, feature-major) by the one integrator: from
    // t = 0 to 1, or back from 1 to 0. ell, when given, accumulates the integral of the
    // trace along the way (one more row of the state, whose derivative is the trace);
    // stages receives each stage's input (the field's, without that row), 4 a step.
    void rk4(std::vector<double>& y, std::size_t N, bool backward, std::vector<double>* ell,
             std::vector<std::vector<double>>* stages) const {
        const std::size_t M = y.size();
        thread_local typename Field<T>::Batch p;
        std::vector<double> state = y;
        if (ell) state.insert(state.end(), ell->begin(), ell->end());
        // The stages overwrite the vectors stages already holds (keeping their storage),
        // then stages is cut to the count written.
        std::size_t written = 0;
        const auto f = [&](double t, const std::vector<double>& u, std::vector<double>& du) {
            if (stages) {
                if (written == stages->size()) stages->emplace_back();
                (*stages)[written++].assign(u.begin(), u.begin() + long(M));
            }
            field.eval_batch(u.data(), N, t, p);
            std::copy(p.out.begin(), p.out.end(), du.begin());
            if (ell) std::copy(p.trace.begin(), p.trace.end(), du.begin() + long(M));
        };
        state = ode::integrate_steps(f, std::move(state), backward ? 1.0 : 0.0, backward ? 0.0 : 1.0, steps,
                                     ode::Solver::RK4);
        if (stages) stages->resize(written);
        std::copy(state.begin(), state.begin() + long(M), y.begin());
        if (ell) std::copy(state.begin() + long(M), state.end(), ell->begin());
    }
};

// The float instances (what training and sampling run) are compiled once, in
// lib/core/instances.cpp with the numeric code's optimisation; other files call them.
extern template struct Flow<float>;

}  // namespace flow::cnf
