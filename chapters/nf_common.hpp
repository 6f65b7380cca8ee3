#pragma once
// What the nf-* chapters share: the model (from its checkpoint), the flags they take,
// and the description of the model for stats.json.
#include <fmt/format.h>

#include "common.hpp"
#include "nf/train.hpp"
#include "registry.hpp"

namespace flow::chapters {

inline std::vector<config::FlagSpec> nf_flags() { return config::model_flags("nf"); }

// The points of nf-q5 and fm-q5 (the same default, so that the chapters compare).
inline config::FlagSpec probes_flag() {
    return {"probes", config::Kind::Points, "0,1 3,-2 4,1 2,0 -0.5,-1.5",
            "points x,y in the logo's units (rings of radius 1 centred at (0,0), (2,0), "
            "(4,0), (1,-1), (3,-1))"};
}

// The model of this run's flags: its checkpoint, or trained now when there is none.
inline nf::Model nf_model(Context& ctx) {
    nf::Model m = nf::obtain(nf::Config::from_flags(ctx.flags()));
    ctx.stats["model"] = {{"config", m.config.to_json()},
                          {"checkpoint", m.dir.filename().string()},
                          {"train_seconds", m.train_seconds}};
    return m;
}

// "15 affine coupling layers, each with two networks of 5 linear layers of 8 units".
inline std::string nf_description(const nf::Config& c) {
    return fmt::format("{} affine coupling layers (permutations between them), each with two "
                       "networks of {} linear layers of {} hidden units, trained for {} epochs on "
                       "{} points",
                       c.arch.couplings, c.arch.depth, c.arch.hidden, c.epochs, c.points);
}

}  // namespace flow::chapters
