#pragma once
// What the fm-* chapters share: the flow-matching model from its checkpoint, the
// normalizing flow they compare with (--nf-model), the integration settings, and the
// measures of a cloud and of a path that the comparisons rest on.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "fm/train.hpp"
#include "nf/train.hpp"
#include "common.hpp"
#include "registry.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

inline std::vector<config::FlagSpec> fm_flags() { return config::model_flags("fm"); }

// fm flags and --nf-model, the normalizing flow to compare with (fm_q2_progression.cpp).
std::vector<config::FlagSpec> fm_nf_flags();

inline fm::Model fm_model(Context& ctx, const std::string& kind = "fm") {
    fm::Model m = fm::obtain(fm::Config::from_flags(kind, ctx.flags()));
    ctx.stats["model"] = {{"config", m.config.to_json()},
                          {"checkpoint", m.dir.filename().string()},
                          {"train_seconds", m.train_seconds}};
    return m;
}

// The models a chapter compares with or builds on: the checkpoint --nf-model or
// --cfm-model names, or the model of the default flags and this --seed.
inline nf::Model nf_comparison_model(Context& ctx) {
    const std::string dir = ctx.flags().text("nf-model");
    nf::Model m = dir.empty() ? nf::obtain(nf::Config::from_flags(config::model_defaults("nf", ctx.flags().text("seed"))))
                              : nf::load(dir);
    ctx.stats["nf_model"] = {{"config", m.config.to_json()}, {"checkpoint", m.dir.filename().string()}};
    return m;
}

inline fm::Model cfm_comparison_model(Context& ctx) {
    const std::string dir = ctx.flags().text("cfm-model");
    fm::Model m = dir.empty()
                      ? fm::obtain(fm::Config::from_flags("cfm", config::model_defaults("cfm", ctx.flags().text("seed"))))
                      : fm::load(dir, "cfm");
    ctx.stats["cfm_model"] = {{"config", m.config.to_json()}, {"checkpoint", m.dir.filename().string()}};
    return m;
}

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

inline std::string fm_description(const fm::Config& c) {
    return fmt::format("a vector field of {} linear layers of {} units (LeakyReLU between them) "
                       "on the point and the raw time, trained for {} epochs on {} points with "
                       "{}",
                       c.shape.depth, c.shape.hidden, c.epochs, c.points, time_sampling_description(c));
}

inline std::string integration_description(const fm::Integration& how) {
    return fmt::format("{} steps of $\\Delta t = {}$ ({})", fm::step_count(0, 1, how.dt),
                       fmt::format("{:g}", how.dt),
                       how.solver == fm::Solver::Euler ? "Euler, Eq.~17"
                       : how.solver == fm::Solver::Midpoint ? "midpoint" : "fourth-order Runge--Kutta");
}

// n standard-normal points from a named stream of the chapter.
inline nn::Mat<float> prior_sample(Context& ctx, std::size_t n, const std::string& stream) {
    Rng rng = ctx.rng(stream);
    nn::Mat<float> z = nn::Mat<float>::from_shape({n, std::size_t(2)});
    for (auto& v : z) v = float(rng.normal());
    return z;
}

// Labels 0..k-1 repeated: n points, class i % 5 (equal numbers when 5 divides n).
inline fm::Labels cycling_labels(std::size_t n) {
    fm::Labels l = fm::Labels::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) l(i) = int(i % std::size_t(data::kClasses));
    return l;
}

}  // namespace flow::chapters
