#pragma once
// The one fixed-step integrator of dY/dt = f(t, Y), forward (t1 > t0) or backward in
// time (t1 < t0), by Euler, midpoint or classical fourth-order Runge-Kutta steps. Every
// model that follows an ODE uses it: a flow-matching field (samples, inversion,
// likelihood), a continuous normalizing flow (its solve and the trace integral beside
// it), and steering (a blend of the field and a pull toward a target).
//
// The state is any contiguous array of numbers (nn::Mat<T> or std::vector<double>: it
// has data() and size() and is copied for the stages). What a model needs beyond the
// state rides along in it (the log-density's integral of the divergence is one more
// column whose derivative is the divergence) or in f itself, which sees every stage's
// input in order (a solve that is differentiated records them there).
//
// With dt, the interval is cut into n = round(|t1 - t0| / dt) equal steps (at least
// one), so a dt that divides the interval is used exactly; or n is given. Step k starts
// at t0 + k h, h = (t1 - t0) / n, and the last one lands on t1 exactly.
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <stdexcept>
#include <string>

#include "nn/layers.hpp"

namespace flow::ode {

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

// f(t, Y, dY) writes dY/dt for the states Y at time t. on_step(k, t_k, Y) is called for
// k = 0 (the start) and after every step k = 1..n. Returns Y(t1) after n steps.
template <class State, class F, class OnStep>
State integrate_steps(F&& f, State y, double t0, double t1, std::size_t n, Solver solver, OnStep&& on_step) {
    using T = std::remove_cv_t<std::remove_reference_t<decltype(*y.data())>>;
    if (n < 1) throw std::invalid_argument("an integration needs at least one step");
    const double h = (t1 - t0) / double(n);
    const std::size_t N = y.size();
    State k1 = y, k2 = y, k3 = y, k4 = y, tmp = y;
    auto axpy = [N](State& out, const State& a, double s, const State& b) {
        T* o = out.data();
        const T* pa = a.data();
        const T* pb = b.data();
        const T ss = T(s);
        for (std::size_t i = 0; i < N; ++i) o[i] = pa[i] + ss * pb[i];
    };
    on_step(std::size_t(0), t0, static_cast<const State&>(y));
    for (std::size_t k = 0; k < n; ++k) {
        const double t = t0 + double(k) * h;
        T* py = y.data();
        switch (solver) {
            case Solver::Euler:
                f(t, static_cast<const State&>(y), k1);
                axpy(y, y, h, k1);
                break;
            case Solver::Midpoint:
                f(t, static_cast<const State&>(y), k1);
                axpy(tmp, y, 0.5 * h, k1);
                f(t + 0.5 * h, static_cast<const State&>(tmp), k2);
                axpy(y, y, h, k2);
                break;
            case Solver::RK4: {
                f(t, static_cast<const State&>(y), k1);
                axpy(tmp, y, 0.5 * h, k1);
                f(t + 0.5 * h, static_cast<const State&>(tmp), k2);
                axpy(tmp, y, 0.5 * h, k2);
                f(t + 0.5 * h, static_cast<const State&>(tmp), k3);
                axpy(tmp, y, h, k3);
                f(t + h, static_cast<const State&>(tmp), k4);
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
        on_step(k + 1, k + 1 == n ? t1 : t0 + double(k + 1) * h, static_cast<const State&>(y));
    }
    return y;
}

template <class State, class F>
State integrate_steps(F&& f, State y, double t0, double t1, std::size_t n, Solver solver) {
    return integrate_steps(std::forward<F>(f), std::move(y), t0, t1, n, solver,
                           [](std::size_t, double, const State&) {});
}

// The same with a step of about dt (step_count).
template <class T, class F, class OnStep>
nn::Mat<T> integrate(F&& f, nn::Mat<T> y, double t0, double t1, double dt, Solver solver, OnStep&& on_step) {
    return integrate_steps(std::forward<F>(f), std::move(y), t0, t1, step_count(t0, t1, dt), solver,
                           std::forward<OnStep>(on_step));
}

template <class T, class F>
nn::Mat<T> integrate(F&& f, nn::Mat<T> y, double t0, double t1, double dt, Solver solver) {
    return integrate_steps(std::forward<F>(f), std::move(y), t0, t1, step_count(t0, t1, dt), solver);
}

}  // namespace flow::ode
