#pragma once
// What every chapter that shows a cloud of samples shares: the held-out data it is
// measured against, and the statistics stats.json keeps for a cloud.
#include <nlohmann/json.hpp>

#include <xtensor/xtensor.hpp>

#include "data/dataset.hpp"
#include "data/olympic.hpp"
#include "report/plots.hpp"
#include "exercise/chapter.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

using exercise::Context;

// The two data sets of the exercise: uniform over the rings' bands, and n/5 per ring.
inline const data::Dataset& rings() { return data::dataset("rings"); }
inline const data::Dataset& rings_by_class() { return data::dataset("rings-by-class"); }

// Share of the selected rows in ring `label`'s band (in any band when label < 0).
inline double share_on_ring(const xt::xtensor<float, 2>& x, const data::Standardiser& scale, int label,
                            const std::vector<std::size_t>& rows = {}) {
    return report::share_in_region(x, scale, rings(), label, rows);
}

// \definecolor lines ring<colour> (e.g. ringblue) for figures coloured by class.
inline std::string ring_colour_definitions() { return report::colour_definitions(rings(), "ring"); }

// Held-out data in a model's frame, to measure how far a cloud is from the data.
inline xt::xtensor<float, 2> held_out(Context& ctx, const data::Standardiser& frame, std::size_t n = 5000) {
    Rng rng = ctx.rng("held-out");
    return data::in_frame(data::unconditional_rings(n, rng), frame);
}

// The statistics of a cloud of samples: moments, share in a band and per ring, and the
// sliced Wasserstein distance to held-out data.
inline nlohmann::json cloud_json(const xt::xtensor<float, 2>& x, const data::Standardiser& scale,
                                 const xt::xtensor<float, 2>& data) {
    auto j = report::support_quality(x, scale, rings());
    // Named as the report names them: a ring's band, the share per ring.
    j["share_in_band"] = j["share_in_support"];
    j["share_per_ring"] = j["share_per_region"];
    j.erase("share_in_support");
    j.erase("share_per_region");
    j["sliced_w2_to_data"] = report::sliced_wasserstein(x, data);
    return j;
}

}  // namespace flow::chapters
