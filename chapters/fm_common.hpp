#pragma once
// What the fm-* chapters share: the flow-matching model from its checkpoint, the
// normalizing flow they compare with (--nf-model), the integration settings, and the
// measures of a cloud and of a path that the comparisons rest on.
#include <cmath>

#include <fmt/format.h>

#include "fm/train.hpp"
#include "nf/train.hpp"
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

inline std::string fm_description(const fm::Config& c) {
    return fmt::format("a vector field of {} linear layers of {} units (LeakyReLU between them) "
                       "on the point and the raw time, trained for {} epochs on {} points",
                       c.shape.depth, c.shape.hidden, c.epochs, c.points);
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

// Held-out data in a model's frame, to measure how far a cloud is from the data.
inline xt::xtensor<float, 2> held_out(Context& ctx, const data::Standardiser& frame, std::size_t n = 5000) {
    Rng rng = ctx.rng("held-out");
    return data::in_frame(data::unconditional_rings(n, rng), frame);
}

// The statistics of a cloud of samples: moments, share in a band and per ring, and the
// sliced Wasserstein distance to held-out data.
inline nlohmann::json cloud_json(const xt::xtensor<float, 2>& x, const data::Standardiser& scale,
                                 const xt::xtensor<float, 2>& data) {
    auto j = report::cloud_stats(x).to_json();
    j["share_in_band"] = report::share_on_ring(x, scale, -1);
    nlohmann::json per;
    for (int k = 0; k < data::kClasses; ++k)
        per[std::string(data::rings()[std::size_t(k)].colour)] = report::share_on_ring(x, scale, k);
    j["share_per_ring"] = per;
    j["sliced_w2_to_data"] = report::sliced_wasserstein(x, data);
    return j;
}

// \definecolor lines for the five ring colours (ring<colour>).
inline std::string ring_colours() {
    std::string s;
    for (const auto& ring : data::rings())
        s += fmt::format("\\definecolor{{ring{}}}{{HTML}}{{{}}}\n", ring.colour, ring.rgb);
    return s;
}

// Labels 0..k-1 repeated: n points, class i % 5 (equal numbers when 5 divides n).
inline fm::Labels cycling_labels(std::size_t n) {
    fm::Labels l = fm::Labels::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) l(i) = int(i % std::size_t(data::kClasses));
    return l;
}

// Path length over the straight distance between a path's ends, per point, for states
// (steps, n, 2); the mean and the largest.
struct PathRatios {
    double mean = 0, max = 0, mean_length = 0;
};
inline PathRatios path_ratios(const std::vector<nn::Mat<float>>& states) {
    PathRatios r;
    const std::size_t n = states.front().shape(0), S = states.size();
    for (std::size_t i = 0; i < n; ++i) {
        double len = 0;
        for (std::size_t k = 1; k < S; ++k)
            len += std::hypot(states[k](i, 0) - states[k - 1](i, 0), states[k](i, 1) - states[k - 1](i, 1));
        const double straight =
            std::hypot(states[S - 1](i, 0) - states[0](i, 0), states[S - 1](i, 1) - states[0](i, 1));
        const double ratio = len / std::max(straight, 1e-9);
        r.mean += ratio / double(n);
        r.max = std::max(r.max, ratio);
        r.mean_length += len / double(n);
    }
    return r;
}

}  // namespace flow::chapters
