#pragma once
// Training a planar flow by maximum likelihood, and its checkpoints: the same training
// loop and model cache as every other kind (train/likelihood.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "data/points.hpp"
#include "planar/flow.hpp"
#include "train/likelihood.hpp"

namespace flow::planar {

struct Config : train::LikelihoodSettings {
    std::size_t layers = 0;

    static Config from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;
};

using Model = train::LikelihoodModel<Config, Flow<float>>;

// The configuration that flag values (of the kind's flags) and a data set give.
Config config(const config::Values& v, const std::string& data);

Model train(const Config& cfg, bool progress = true);
Model obtain(const Config& cfg, bool force = false);
Model load(const std::filesystem::path& dir);

// n prior draws z ~ N(0, I) from rng, and the model's samples: their inverse images.
struct Samples {
    Mat<float> z, x;
    std::size_t newton_steps = 0;  // the most any layer's solve took
};
Samples sample(const Flow<float>& flow, std::size_t n, Rng& rng);

}  // namespace flow::planar
