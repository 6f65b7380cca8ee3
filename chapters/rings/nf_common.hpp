#pragma once
// What the normalizing-flow chapters share: the model (from the checkpoint make
// trained), the probe points, and the description of the model for the text.
#include <fmt/format.h>

#include "common.hpp"
#include "nf/train.hpp"

namespace flow::chapters {

// The points of nf-q5 and fm-q5 (the same default, so that the chapters compare).
inline config::FlagSpec probes_flag() {
    return {"probes", config::Kind::Points, "0,1 3,-2 4,1 2,0 -0.5,-1.5",
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

// The normalizing flow `name` of the manifest (recorded in stats.json under models/<name>).
inline nf::Model& nf_model(Context& ctx, const std::string& name = "nf") { return ctx.load_as<nf::Model>(name); }

// nf-q1-loss: the exercise's recipe (the manifest's nf-recipe) against this model on the
// same test points, a paragraph when they differ (nf_q1_recipe.cpp).
std::string nf_recipe_paragraph(Context& ctx, nf::Model& m, const xt::xtensor<float, 2>& test);
// nf-q1-loss: the training loss beside the validation loss in the last epoch, a sentence
// chosen by a verdict (nf_q1_recipe.cpp).
std::string nf_train_val_sentence(Context& ctx, const nf::EpochRecord& l);

// "15 affine coupling layers, each with two networks of 5 linear layers of 8 units".
inline std::string nf_description(const nf::Config& c) {
    return fmt::format("{} affine coupling layers (permutations between them), each with two "
                       "networks of {} linear layers of {} hidden units, trained for {} epochs on "
                       "{} points",
                       c.arch.couplings, c.arch.depth, c.arch.hidden, c.epochs, c.points);
}

}  // namespace flow::chapters
