#include "fm/steer.hpp"

#include <cmath>

namespace flow::fm {

SteeredRun steered_flow(VectorField<float>& field, const Mat<float>& y0, double dt, const Steering& how,
                        const Labels* labels, const Observer& observe) {
    const std::size_t n = step_count(0, 1, dt), B = y0.shape(0);
    const double h = 1.0 / double(n);
    SteeredRun r;
    r.override_energy.assign(B, 0.0);
    r.peak_speed.assign(B, 0.0);
    std::vector<float> t(B);
    // The steered velocity u = (1 - w) v(y, t) + w (a - y) / (1 - t), with what it costs
    // recorded as it goes. Euler steps evaluate t < 1 only, where the pull is finite.
    const auto f = [&](double tk, const Mat<float>& y, Mat<float>& u) {
        std::fill(t.begin(), t.end(), float(tk));
        const Mat<float>& v = field.velocity(y, t, labels);
        const double w = how.weight(tk);
        nn::ensure_shape(u, B, 2);
        for (std::size_t i = 0; i < B; ++i) {
            double ui[2], du2 = 0;
            for (std::size_t c = 0; c < 2; ++c) {
                const double pull = (how.target[c] - double(y(i, c))) / (1.0 - tk);
                ui[c] = (1.0 - w) * double(v(i, c)) + w * pull;
                du2 += (ui[c] - double(v(i, c))) * (ui[c] - double(v(i, c)));
                u(i, c) = float(ui[c]);
            }
            r.override_energy[i] += du2 * h;
            r.peak_speed[i] = std::max(r.peak_speed[i], std::hypot(ui[0], ui[1]));
        }
    };
    r.end = ode::integrate_steps(f, y0, 0.0, 1.0, n, ode::Solver::Euler,
                                 [&](std::size_t k, double tk, const Mat<float>& y) {
                                     if (observe) observe(k, tk, y);
                                 });
    return r;
}

}  // namespace flow::fm
