#pragma once
// What the fm-* chapters share: the flow-matching model from its checkpoint, the
// normalizing flow they compare with (--nf-model), the integration settings, and the
// measures of a cloud and of a path that the comparisons rest on.
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

inline nf::Model nf_comparison_model(Context& ctx) {
    const std::string dir = ctx.flags().text("nf-model");
    nf::Model m;
    if (dir.empty()) {
        const auto specs = config::model_flags("nf");
        auto parsed = config::parse("nf", specs, {});
        nf::Config c = nf::Config::from_flags(parsed.values);
        c.seed = ctx.flags().seed();
        m = nf::obtain(c);
    } else {
        m = nf::load(dir);
    }
    ctx.stats["nf_model"] = {{"config", m.config.to_json()}, {"checkpoint", m.dir.filename().string()}};
    return m;
}

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
