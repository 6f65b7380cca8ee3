#pragma once
// Fixed-step integration of dY/dt = f(t, Y) for a batch of states Y (B, D), forward
// (t1 > t0) or backward in time (t1 < t0).
//
// Sampling a flow-matching field is the Euler step y <- y + v(y, t) dt for t = 0, dt, ...,
// 1 - dt; reversing the flow is the same step with the sign switched, y <- y - v(y, t) dt,
// which is this integrator with t0 = 1, t1 = 0. The interval is cut into
// n = round(|t1 - t0| / dt) equal steps (at least one), so a dt that divides the
// interval is used exactly. Midpoint (second order) and classical Runge-Kutta (fourth
// order) are the alternatives.
#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/layers.hpp"

namespace flow::fm {

enum class Solver { Euler, Midpoint, RK4 };

inline Solver solver_from(const std::string& name) {
    if (name == "euler") return Solver::Euler;
    if (name == "midpoint") return Solver::Midpoint;
    if (name == "rk4") return Solver::RK4;
    throw std::invalid_argument("unknown solver '" + name + "' (euler, midpoint or rk4)");
}

inline const char* solver_name(Solver s) {
    return s == Solver::Euler ? "euler" : s == Solver::Midpoint ? "midpoint" : "rk4";
}

// Field evaluations per step.
inline int stages(Solver s) { return s == Solver::Euler ? 1 : s == Solver::Midpoint ? 2 : 4; }

inline std::size_t step_count(double t0, double t1, double dt) {
    if (!(dt > 0.0) || !std::isfinite(dt)) throw std::invalid_argument("the step dt must be positive");
    return std::max<std::size_t>(1, std::size_t(std::llround(std::fabs(t1 - t0) / dt)));
}

// f(t, Y, dY) writes dY/dt (B, D) for the states Y at time t. on_step(k, t_k, Y) is
// called for k = 0 (the start) and after every step k = 1..n. Returns Y(t1).
template <class T, class F, class OnStep>
nn::Mat<T> integrate(F&& f, nn::Mat<T> y, double t0, double t1, double dt, Solver solver,
                     OnStep&& on_step) {
    const std::size_t n = step_count(t0, t1, dt);
    const double h = (t1 - t0) / double(n);
    const std::size_t N = y.size();
    nn::Mat<T> k1 = y, k2 = y, k3 = y, k4 = y, tmp = y;
    auto axpy = [N](nn::Mat<T>& out, const nn::Mat<T>& a, double s, const nn::Mat<T>& b) {
        T* o = out.data();
        const T* pa = a.data();
        const T* pb = b.data();
        const T ss = T(s);
        for (std::size_t i = 0; i < N; ++i) o[i] = pa[i] + ss * pb[i];
    };
    on_step(std::size_t(0), t0, static_cast<const nn::Mat<T>&>(y));
    for (std::size_t k = 0; k < n; ++k) {
        const double t = t0 + double(k) * h;
        T* py = y.data();
        switch (solver) {
            case Solver::Euler:
                f(t, y, k1);
                axpy(y, y, h, k1);
                break;
            case Solver::Midpoint:
                f(t, y, k1);
                axpy(tmp, y, 0.5 * h, k1);
                f(t + 0.5 * h, tmp, k2);
                axpy(y, y, h, k2);
                break;
            case Solver::RK4: {
                f(t, y, k1);
                axpy(tmp, y, 0.5 * h, k1);
                f(t + 0.5 * h, tmp, k2);
                axpy(tmp, y, 0.5 * h, k2);
                f(t + 0.5 * h, tmp, k3);
                axpy(tmp, y, h, k3);
                f(t + h, tmp, k4);
                const T* a = k1.data();
                const T* b = k2.data();
                const T* c = k3.data();
                const T* d = k4.data();
                const T w = T(h / 6.0);
                for (std::size_t i = 0; i < N; ++i) py[i] += w * (a[i] + T(2) * b[i] + T(2) * c[i] + d[i]);
                break;
            }
        }
        // The last step lands on t1 exactly, whatever rounding t0 + n h has.
        on_step(k + 1, k + 1 == n ? t1 : t0 + double(k + 1) * h, static_cast<const nn::Mat<T>&>(y));
    }
    return y;
}

template <class T, class F>
nn::Mat<T> integrate(F&& f, nn::Mat<T> y, double t0, double t1, double dt, Solver solver) {
    return integrate<T>(std::forward<F>(f), std::move(y), t0, t1, dt, solver,
                        [](std::size_t, double, const nn::Mat<T>&) {});
}

}  // namespace flow::fm
