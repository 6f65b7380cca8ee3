#pragma once
// What the flow-matching chapters share: the models from the checkpoints make trained
// (the flow-matching field, the normalizing flow some compare with, the conditional
// model), the integration flags, and helpers for prior samples, labels and paths.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "fm/new_class.hpp"
#include "fm/train.hpp"
#include "nf/train.hpp"
#include "common.hpp"
#include "report/latex.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

// The flags of a chapter that integrates a field: --dt and --solver.
inline std::vector<config::FlagSpec> fm_flags() { return fm::integration_flags(); }

// The flow-matching model `name` of the manifest, unconditional or conditional (recorded in
// stats.json under models/<name>, as every model a chapter loads).
inline fm::Model& fm_model(Context& ctx, const std::string& name = "fm") { return ctx.load_as<fm::Model>(name); }

// The models a chapter compares with or builds on.
inline nf::Model& nf_comparison_model(Context& ctx) { return ctx.load_as<nf::Model>("nf"); }

inline fm::Model& cfm_comparison_model(Context& ctx) { return ctx.load_as<fm::Model>("cfm"); }

// Keeps the states of a run (k = 0 .. last) that a figure draws: about `keep` of them,
// every (last / keep)-th, and the last one.
struct Recorder {
    Recorder(std::size_t last, std::size_t keep) : last(last), every(std::max<std::size_t>(1, last / keep)) {}
    std::size_t last, every;
    std::vector<nn::Mat<float>> states;
    std::vector<double> times;
    fm::Observer observer() {
        return [this](std::size_t k, double t, const nn::Mat<float>& y) {
            if (k % every == 0 || k == last) {
                states.push_back(y);
                times.push_back(t);
            }
        };
    }
};

inline std::string time_sampling_description(const fm::Config& c) {
    if (c.time_sampling == fm::TimeSampling::Uniform) return "$t \\sim U[0, 1]$ as in Algorithm~1";
    return fmt::format("$1 - t$ drawn log-uniformly on $[{:g}, 1]$", c.time_floor);
}

// "a field of 5 layers of 64 units for 100 epochs".
inline std::string fm_description(const fm::Config& c) {
    return fmt::format("a field of {} layers of {} units for {} epochs", c.shape.depth, c.shape.hidden, c.epochs);
}

inline std::string integration_description(const fm::Integration& how) {
    return fmt::format("{} {} steps of $\\Delta t = {:g}$", fm::step_count(0, 1, how.dt),
                       how.solver == fm::Solver::Euler ? "Euler"
                       : how.solver == fm::Solver::Midpoint ? "midpoint" : "fourth-order Runge--Kutta",
                       how.dt);
}

// n standard-normal points from a named stream of the chapter.
inline nn::Mat<float> prior_sample(Context& ctx, std::size_t n, const std::string& stream) {
    Rng rng = ctx.rng(stream);
    return nn::normal_draws(rng, n);
}

// The prior points of the conditional model's samples that cfm-q3 shows and the bonus
// measures the old classes on (labels cycling, 600 per class): one stream shared by those
// chapters, so that both state the same share.
constexpr std::size_t kClassSamples = 3000;
inline nn::Mat<float> class_prior_points(Context& ctx) {
    Rng rng(ctx.flags().seed(), "rings/class-samples");
    return nn::normal_draws(rng, kClassSamples);
}

// Labels 0..k-1 repeated: n points, class i % 5 (equal numbers when 5 divides n).
inline fm::Labels cycling_labels(std::size_t n) {
    fm::Labels l = fm::Labels::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) l(i) = int(i % std::size_t(data::kClasses));
    return l;
}

}  // namespace flow::chapters
