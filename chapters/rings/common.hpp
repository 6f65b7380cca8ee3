#pragma once
// What every chapter that shows a cloud of samples shares: the held-out data it is
// measured against, and the statistics stats.json keeps for a cloud.
#include <nlohmann/json.hpp>

#include <xtensor/xtensor.hpp>

#include "data/olympic.hpp"
#include "exercise/chapter.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

using exercise::Context;

// Held-out data in a model's frame, to measure how far a cloud is from the data.
inline xt::xtensor<float, 2> held_out(Context& ctx, const data::Standardiser& frame, std::size_t n = 5000) {
    Rng rng = ctx.rng("held-out");
    return data::in_frame(data::unconditional_rings(n, rng), frame);
}

// The statistics of a cloud of samples: moments, share in a band and per ring, and the
// sliced Wasserstein distance to held-out data.
inline nlohmann::json cloud_json(const xt::xtensor<float, 2>& x, const data::Standardiser& scale,
                                 const xt::xtensor<float, 2>& data) {
    auto j = report::ring_quality(x, scale);
    j["sliced_w2_to_data"] = report::sliced_wasserstein(x, data);
    return j;
}

}  // namespace flow::chapters
