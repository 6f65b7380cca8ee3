#include "fm/steer.hpp"

#include <cmath>

namespace flow::fm {

SteeredRun steered_flow(VectorField<float>& field, const Mat<float>& y0, double dt, const Steering& how,
                        const Labels* labels, const Observer& observe) {
    const std::size_t n = step_count(0, 1, dt), B = y0.shape(0);
    const double h = 1.0 / double(n);
    SteeredRun r;
    r.end = y0;
    r.override_energy.assign(B, 0.0);
    r.peak_speed.assign(B, 0.0);
    std::vector<float> t(B);
    if (observe) observe(0, 0.0, r.end);
    for (std::size_t k = 0; k < n; ++k) {
        const double tk = double(k) * h;  // < 1: the conditional field is finite here
        std::fill(t.begin(), t.end(), float(tk));
        const Mat<float>& v = field.velocity(r.end, t, labels);
        const double w = how.weight(tk);
        for (std::size_t i = 0; i < B; ++i) {
            double u[2], du2 = 0;
            for (std::size_t c = 0; c < 2; ++c) {
                const double pull = (how.target[c] - double(r.end(i, c))) / (1.0 - tk);
                u[c] = (1.0 - w) * double(v(i, c)) + w * pull;
                du2 += (u[c] - double(v(i, c))) * (u[c] - double(v(i, c)));
            }
            r.override_energy[i] += du2 * h;
            r.peak_speed[i] = std::max(r.peak_speed[i], std::hypot(u[0], u[1]));
            // y <- y + h u with the steered velocity.
            for (std::size_t c = 0; c < 2; ++c) r.end(i, c) = float(double(r.end(i, c)) + h * u[c]);
        }
        if (observe) observe(k + 1, k + 1 == n ? 1.0 : double(k + 1) * h, r.end);
    }
    return r;
}

}  // namespace flow::fm
