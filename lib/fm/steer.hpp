#pragma once
// Making a trained field output a chosen point a, from an ordinary prior draw.
//
// Steering. Eq. 15 gives the velocity of the conditional path toward a point a: from
// y at time t, the straight path that reaches a at t = 1 moves at (a - y) / (1 - t).
// A steered sampler blends it with the learned field,
//     u(y, t) = (1 - w(t)) v(y, t) + w(t) (a - y) / (1 - t),
// which is v plus w(t) times the pull (a - yhat) / (1 - t) toward a of the field's own
// predicted end point yhat = y + (1 - t) v. A weight that jumps from 0 to 1 at tau
// switches to the conditional field from tau on; w(t) = t^k is a pull that grows with
// t. Integrated with Euler steps (Eq. 17), which never evaluate t = 1, where the
// conditional field is singular; when w = 1 at the last step it lands on a exactly.
//
// A new class. A conditional field takes a class through its embedding; a sixth class
// whose data is the single point a is fitted by Eq. 16 either through its embedding
// alone (the network frozen) or by fine-tuning the whole field on batches that mix the
// old classes' data with the new class.
#include <array>
#include <functional>
#include <vector>

#include "data/olympic.hpp"
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

// A copy of a conditional field with one more class, whose embedding row is the mean of
// the others' (a neutral start); every old class gives the same velocities as before.
VectorField<float> with_new_class(const VectorField<float>& field);

struct NewClassFit {
    std::size_t steps = 2000;
    std::size_t batch = 256;          // points of the new class per step
    std::size_t old_batch = 256;      // points of the old classes per step, when fine-tuning
    double lr = 1e-2;                 // Adam, cosine-annealed over the steps
    bool embedding_only = true;       // false: every parameter of the field
    TimeSampling time_sampling = TimeSampling::Log;
    double time_floor = 3e-3;
};

// Fits the field's last class to the point a by Eq. 16 (x = a for every point of that
// class). When not embedding_only, each batch also holds as many points of old_data
// (old_batch of them, with their labels), so that the old classes keep their training.
// Returns the loss of every step on the new class's points.
std::vector<double> fit_new_class(VectorField<float>& field, const std::array<double, 2>& a,
                                  const data::PointSet* old_data, const NewClassFit& how, Rng& rng);

}  // namespace flow::fm
