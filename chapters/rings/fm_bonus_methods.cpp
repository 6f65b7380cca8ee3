// fm-bonus-target's attempts: inverting the flow, steering an ordinary draw, and the
// sixth class of the conditional model (fm_bonus.hpp).
#include <chrono>
#include <cmath>

#include <xtensor/xview.hpp>

#include "fm_bonus.hpp"

namespace flow::chapters::bonus {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

Miss misses(const nn::Mat<float>& x) {
    Miss m;
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const double d = std::hypot(x(i, 0) - kTarget[0], x(i, 1) - kTarget[1]);
        m.mean += d / double(x.shape(0));
        m.max = std::max(m.max, d);
    }
    return m;
}

InvertedTarget invert(Context& ctx, fm::Model& m, const Setup& s) {
    InvertedTarget r{{}, 1e300, 0, 0, 0, 0, 0, {}, s.recorder()};
    const std::size_t many = 20000;
    r.samples = fm::forward_flow(m.field, prior_sample(ctx, many, "search"), {0.01, fm::Solver::Euler});
    for (std::size_t i = 0; i < many; ++i)
        r.closest = std::min(r.closest, std::hypot(r.samples(i, 0) - kTarget[0], r.samples(i, 1) - kTarget[1]));
    const nn::Mat<float> target = {{float(kTarget[0]), float(kTarget[1])}};
    const fm::Integration rk4{s.euler.dt, fm::Solver::RK4};
    r.miss_euler = misses(fm::forward_flow(m.field, fm::reverse_flow(m.field, target, s.euler), s.euler)).max;
    const auto t0 = Clock::now();
    r.y0 = fm::reverse_flow(m.field, target, rk4);
    r.miss_rk4 = misses(fm::forward_flow(m.field, r.y0, rk4, nullptr, r.path.observer())).max;
    r.seconds = since(t0);
    r.norm = std::hypot(double(r.y0(0, 0)), double(r.y0(0, 1)));
    r.log10_tail = -0.5 * r.norm * r.norm / std::log(10.0);  // P(|z| >= r) = exp(-r^2/2)
    return r;
}

Steering steer(fm::Model& m, const Setup& s) {
    Steering r;
    r.paths.assign(5, s.recorder());
    r.own_end = fm::forward_flow(m.field, s.y0, s.euler, nullptr, r.paths[0].observer());
    auto run = [&](const std::string& method, double param, std::function<double(double)> w, Recorder* rec) {
        const fm::Steering how{kTarget, std::move(w)};
        const auto t0 = Clock::now();
        const fm::SteeredRun out = fm::steered_flow(m.field, s.starts, s.euler.dt, how);
        const double secs = since(t0);
        r.rows.push_back({method, param, misses(out.end), report::mean(out.override_energy),
                          report::mean(out.peak_speed), secs});
        if (rec) fm::steered_flow(m.field, s.y0, s.euler.dt, how, nullptr, rec->observer());
    };
    for (double tau : {0.0, 0.5, 0.8, 0.9, 0.95, 0.99})
        run("switch", tau, [tau](double t) { return t >= tau ? 1.0 : 0.0; },
            tau == 0.0 ? &r.paths[1] : tau == 0.9 ? &r.paths[2] : nullptr);
    for (double k : {1.0, 4.0, 16.0, 64.0, 256.0})
        run("pull", k, [k](double t) { return std::pow(t, k); },
            k == 4.0 ? &r.paths[3] : k == 64.0 ? &r.paths[4] : nullptr);
    const fm::SteeredRun alone = fm::steered_flow(m.field, s.starts, s.euler.dt, {kTarget, [](double) { return 0.0; }});
    r.own_speed = report::mean(alone.peak_speed);
    return r;
}

// The old classes' share of samples in their own ring (as cfm-q3 measures it).
double own_ring_share(Context& ctx, fm::VectorField<float>& f, const data::Standardiser& scale, const Setup& s) {
    const nn::Mat<float> z = class_prior_points(ctx);
    const fm::Labels labels = cycling_labels(z.shape(0));
    const nn::Mat<float> x = fm::forward_flow(f, z, s.euler, &labels);
    double share = 0;
    for (int k = 0; k < data::kClasses; ++k) {
        std::vector<std::size_t> idx;
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels(i) == k) idx.push_back(i);
        share += share_on_ring(x, scale, k, idx) * double(idx.size()) / double(labels.size());
    }
    return share;
}

SixthClass sixth_class(Context& ctx, const std::string& model, const std::string& method, const Setup& s) {
    SixthClass r{method, ctx.load_as<fm::NewClassModel>(model), {}, 0, 0, s.recorder()};
    auto& f = r.model.field;
    const int label = int(f.shape.classes) - 1;
    fm::Labels many = fm::Labels::from_shape({s.starts.shape(0)});
    many.fill(label);
    const fm::Labels one = {label};
    r.miss = misses(fm::forward_flow(f, s.starts, s.euler, &many));
    const std::size_t last = std::min<std::size_t>(100, r.model.loss.size());
    r.final_loss = report::mean(std::vector<double>(r.model.loss.end() - long(last), r.model.loss.end()));
    r.own_ring = own_ring_share(ctx, f, r.model.scale, s);
    fm::forward_flow(f, s.y0, s.euler, &one, r.path.observer());
    return r;
}

}  // namespace flow::chapters::bonus
