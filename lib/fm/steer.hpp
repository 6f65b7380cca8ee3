#pragma once
// Making a trained field output a chosen point a, from an ordinary prior draw.
//
// Steering. u_t(y | a) = (a - y) / (1 - t) gives the velocity of the conditional path toward a point a: from
// y at time t, the straight path that reaches a at t = 1 moves at (a - y) / (1 - t).
// A steered sampler blends it with the learned field,
//     u(y, t) = (1 - w(t)) v(y, t) + w(t) (a - y) / (1 - t),
// which is v plus w(t) times the pull (a - yhat) / (1 - t) toward a of the field's own
// predicted end point yhat = y + (1 - t) v. A weight that jumps from 0 to 1 at tau
// switches to the conditional field from tau on; w(t) = t^k is a pull that grows with
// t. Integrated with Euler steps y <- y + u dt, which never evaluate t = 1, where the
// conditional field is singular; when w = 1 at the last step it lands on a exactly.
#include <array>
#include <functional>
#include <vector>

#include "fm/field.hpp"
#include "fm/train.hpp"

namespace flow::fm {

struct Steering {
    std::array<double, 2> target{0.0, 0.0};
    std::function<double(double)> weight;  // w(t) in [0, 1]
};

// What a steered run did, per point: where it ended, the energy spent overriding the
// field, integral of |u - v|^2 dt (0 for the field alone), and the largest speed |u|.
struct SteeredRun {
    Mat<float> end;
    std::vector<double> override_energy, peak_speed;
};

// y0 (n, 2) from t = 0 to 1 in round(1/dt) Euler steps of the steered velocity;
// observe(k, t, y) sees every state, as forward_flow's observer does.
SteeredRun steered_flow(VectorField<float>& field, const Mat<float>& y0, double dt, const Steering& how,
                        const Labels* labels = nullptr, const Observer& observe = {});

}  // namespace flow::fm
