#pragma once
// What the normalizing-flow chapters share: the model (from the checkpoint make
// trained), the probe points, and the description of the model for the text.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common.hpp"
#include "data/olympic.hpp"
#include "nf/train.hpp"

namespace flow::chapters {

// The points of nf-q5 and fm-q5 (the same default, so that the chapters compare). The
// three inside points sit on the mid-circles of the blue, black and green rings at 45
// degrees, well inside their bands and away from the box edges where the sampler clips
// the rings (a smooth density cannot follow that cut); then the black ring's centre and
// the gap below the blue ring.
inline config::FlagSpec probes_flag() {
    return {"probes", config::Kind::Points, "-0.71,0.71 2.71,0.71 3.71,-1.71 2,0 -0.5,-1.5",
            "points x,y in the logo's units (rings of radius 1 centred at (0,0), (2,0), "
            "(4,0), (1,-1), (3,-1))"};
}

// Points given in the logo's units, in a model's standardised frame.
inline nn::Mat<float> probes_in_frame(const std::vector<std::array<double, 2>>& probes,
                                      const data::Standardiser& scale) {
    nn::Mat<float> x = nn::Mat<float>::from_shape({probes.size(), std::size_t(2)});
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const auto s = scale.to_standard(probes[i][0], probes[i][1]);
        x(i, 0) = float(s[0]);
        x(i, 1) = float(s[1]);
    }
    return x;
}

// Whether each point (logo units) lies in a ring's band.
inline std::vector<bool> probes_inside(const std::vector<std::array<double, 2>>& probes) {
    std::vector<bool> inside;
    for (const auto& p : probes) inside.push_back(data::ring_of(p[0], p[1]) >= 0);
    return inside;
}

// The sampling box of data::unconditional_rings: its edges y = 1 and y = -2 (and x = -1,
// x = 5) cut the outer rings flat.
constexpr double kBoxX0 = -1.0, kBoxX1 = 5.0, kBoxY0 = -2.0, kBoxY1 = 1.0;

// The true log-density of the rings data at a raw point, in a frame with these scales:
// uniform on the support, so -log(area / (std_x std_y)) inside it and -inf outside.
inline double true_log_density(const std::array<double, 2>& p, const data::Standardiser& frame) {
    const bool in_box = p[0] >= kBoxX0 && p[0] <= kBoxX1 && p[1] >= kBoxY0 && p[1] <= kBoxY1;
    if (!in_box || data::ring_of(p[0], p[1]) < 0) return -INFINITY;
    return -data::entropy_floor(frame, data::union_area());
}

// How far a raw point lies inside the support: its distance to the nearest band edge of
// its ring or to the box's edge (0 outside the support).
inline double support_margin(const std::array<double, 2>& p) {
    const int k = data::ring_of(p[0], p[1]);
    if (k < 0) return 0.0;
    const auto& r = data::rings()[std::size_t(k)];
    const double d = std::hypot(p[0] - r.cx, p[1] - r.cy);
    return std::max(0.0, std::min({d - data::kBandInner, data::kBandOuter - d, p[0] - kBoxX0, kBoxX1 - p[0],
                                   p[1] - kBoxY0, kBoxY1 - p[1]}));
}

// E log p_z(z) for z ~ N(0, I) in two dimensions: -E|z|^2/2 - log 2 pi = -(1 + log 2 pi).
// The mean log p_z of a flow whose latent points are exactly standard Gaussian.
inline double gaussian_mean_log_pz() { return -(1.0 + std::log(2.0 * M_PI)); }

// The normalizing flow `name` of the manifest (recorded in stats.json under models/<name>).
inline nf::Model& nf_model(Context& ctx, const std::string& name = "nf") { return ctx.load_as<nf::Model>(name); }

// nf-q1-loss: the exercise's recipe (the manifest's nf-recipe) against our flow on the
// same test points: a sentence and a small table (nf_q1_recipe.cpp).
std::string nf_recipe_comparison(Context& ctx, nf::Model& m, const xt::xtensor<float, 2>& test);
// nf-q1-loss: from which epoch on the training loss stays close to the validation loss,
// a sentence chosen by a verdict (nf_q1_recipe.cpp).
std::string nf_train_val_sentence(Context& ctx, const std::vector<nf::EpochRecord>& h);

// "15 affine coupling layers, each with two networks of 5 linear layers of 8 units".
inline std::string nf_description(const nf::Config& c) {
    return fmt::format("{} affine coupling layers (permutations between them), each with two "
                       "networks of {} linear layers of {} hidden units, trained for {} epochs on "
                       "{} points",
                       c.arch.couplings, c.arch.depth, c.arch.hidden, c.epochs, c.points);
}

}  // namespace flow::chapters
