#pragma once
// The log-likelihood of a continuous flow by the instantaneous change of variables:
//
//   d/dt log p_t(y_t) = -div v(y_t, t),  so  log p_1(x) = log p_0(y_0) - int_0^1 div v dt,
//
// where y_t is the path through x (y_1 = x) and p_0 = N(0, I). The path and the
// integral are integrated together, backward from t = 1 to t = 0, as one state
// (y_0, y_1, l) with dl/dt = div v: then l(0) = -int_0^1 div v dt.
#include <cmath>
#include <vector>

#include "core/normal.hpp"
#include "fm/ode.hpp"

namespace flow::fm {

// field(t, Y (B, 2), V (B, 2), div (B)) evaluates the velocity and its divergence.
template <class Field>
std::vector<double> log_likelihood_of(Field&& field, const nn::Mat<double>& x, double dt,
                                      Solver solver, nn::Mat<double>* y0 = nullptr) {
    const std::size_t B = x.shape(0);
    nn::Mat<double> state = nn::Mat<double>::from_shape({B, std::size_t(3)});
    for (std::size_t i = 0; i < B; ++i) {
        state(i, 0) = x(i, 0);
        state(i, 1) = x(i, 1);
        state(i, 2) = 0.0;
    }
    nn::Mat<double> y, v;
    std::vector<double> div;
    auto f = [&](double t, const nn::Mat<double>& s, nn::Mat<double>& ds) {
        nn::ensure_shape(y, B, 2);
        for (std::size_t i = 0; i < B; ++i) {
            y(i, 0) = s(i, 0);
            y(i, 1) = s(i, 1);
        }
        field(t, y, v, div);
        nn::ensure_shape(ds, B, 3);
        for (std::size_t i = 0; i < B; ++i) {
            ds(i, 0) = v(i, 0);
            ds(i, 1) = v(i, 1);
            ds(i, 2) = div[i];
        }
    };
    const nn::Mat<double> end = integrate<double>(f, state, 1.0, 0.0, dt, solver);
    std::vector<double> lp(B);
    if (y0) nn::ensure_shape(*y0, B, 2);
    for (std::size_t i = 0; i < B; ++i) {
        const double a = end(i, 0), b = end(i, 1);
        lp[i] = log_standard_normal(a, b) + end(i, 2);
        if (y0) {
            (*y0)(i, 0) = a;
            (*y0)(i, 1) = b;
        }
    }
    return lp;
}

}  // namespace flow::fm
