#include "fm/steer.hpp"

#include <cmath>
#include <stdexcept>

#include "optim/adam.hpp"

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
            // Eq. 17 with the steered velocity.
            for (std::size_t c = 0; c < 2; ++c) r.end(i, c) = float(double(r.end(i, c)) + h * u[c]);
        }
        if (observe) observe(k + 1, k + 1 == n ? 1.0 : double(k + 1) * h, r.end);
    }
    return r;
}

VectorField<float> with_new_class(const VectorField<float>& field) {
    if (!field.conditional()) throw std::logic_error("with_new_class needs a conditional field");
    VectorField<float> f = field;
    const std::size_t K = field.shape.classes, d = field.shape.embed_dim;
    f.shape.classes = K + 1;
    f.embed.table = nn::Mat<float>::from_shape({K + 1, d});
    f.embed.dtable = xt::zeros<float>({K + 1, d});
    for (std::size_t j = 0; j < d; ++j) {
        double mean = 0;
        for (std::size_t k = 0; k < K; ++k) {
            f.embed.table(k, j) = field.embed.table(k, j);
            mean += double(field.embed.table(k, j)) / double(K);
        }
        f.embed.table(K, j) = float(mean);
    }
    return f;
}

std::vector<double> fit_new_class(VectorField<float>& field, const std::array<double, 2>& a,
                                  const data::PointSet* old_data, const NewClassFit& how, Rng& rng) {
    if (!field.conditional()) throw std::logic_error("fit_new_class needs a conditional field");
    if (!how.embedding_only && !old_data) throw std::logic_error("fine-tuning needs the old classes' data");
    const int K = int(field.shape.classes) - 1;  // the new class
    const std::size_t d = field.shape.embed_dim;
    nn::Params<float> ps;
    if (how.embedding_only)
        ps.push_back({"embed.new_row", field.embed.table.data() + std::size_t(K) * d,
                      field.embed.dtable.data() + std::size_t(K) * d, {d}});
    else
        field.params(ps);
    optim::Adam<float> adam(ps);
    nn::Params<float> all;  // every gradient buffer the backward pass touches, zeroed each step
    field.params(all);
    const optim::CosineSchedule schedule{how.lr, how.steps};
    const std::size_t nb = how.batch, N = how.embedding_only ? nb : nb + how.old_batch;
    Mat<float> y = Mat<float>::from_shape({N, std::size_t(2)}), u = y, dv = y;
    std::vector<float> t(N);
    Labels labels = Labels::from_shape({N});
    VectorField<float>::Tape tape;
    std::vector<double> losses;
    for (std::size_t step = 0; step < how.steps; ++step) {
        // Rows [0, nb): the new class, x = a. Rows [nb, N): old data, when fine-tuning.
        for (std::size_t i = 0; i < N; ++i) {
            const bool fresh = i < nb;
            std::size_t row = 0;
            if (!fresh) row = std::size_t(rng.uniform() * double(old_data->x.shape(0))) % old_data->x.shape(0);
            const double x0 = fresh ? a[0] : double(old_data->x(row, 0));
            const double x1 = fresh ? a[1] : double(old_data->x(row, 1));
            const double e0 = rng.normal(), e1 = rng.normal();
            t[i] = draw_time(rng, how.time_sampling, how.time_floor);
            // Algorithm 1: y = t x + (1 - t) eps, target x - eps.
            y(i, 0) = float(double(t[i]) * x0 + (1.0 - double(t[i])) * e0);
            y(i, 1) = float(double(t[i]) * x1 + (1.0 - double(t[i])) * e1);
            u(i, 0) = float(x0 - e0);
            u(i, 1) = float(x1 - e1);
            labels(i) = fresh ? K : old_data->labels(row);
        }
        nn::zero_grad(all);
        const Mat<float>& v = field.forward(y, t, &labels, tape);
        // loss = (1/N) sum |v - u|^2, so dL/dv = 2 (v - u) / N; reported on the new class.
        double fresh_loss = 0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                const float diff = v(i, c) - u(i, c);
                dv(i, c) = 2.0f * diff / float(N);
                if (i < nb) fresh_loss += double(diff) * double(diff) / double(nb);
            }
        if (!std::isfinite(fresh_loss)) throw std::runtime_error("fitting the new class diverged");
        losses.push_back(fresh_loss);
        field.backward(dv, &labels, tape);
        adam.step(schedule(step));
    }
    return losses;
}

}  // namespace flow::fm
