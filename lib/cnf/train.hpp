#pragma once
// Training a continuous normalizing flow by maximum likelihood, and its checkpoints
// (train/likelihood.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnf/flow.hpp"
#include "config/options.hpp"
#include "data/points.hpp"
#include "train/likelihood.hpp"

namespace flow::cnf {

struct Config : train::LikelihoodSettings {
    std::size_t hidden = 0, depth = 0;  // the field: depth linear layers, tanh between
    std::size_t steps = 0;              // RK4 steps on [0, 1]

    static Config from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;
};

using Model = train::LikelihoodModel<Config, Flow<float>>;

// The configuration that flag values (of the kind's flags) and a data set give.
Config config(const config::Values& v, const std::string& data);

Model train(const Config& cfg, bool progress = true);
Model obtain(const Config& cfg, bool force = false);
Model load(const std::filesystem::path& dir);

// n prior draws z ~ N(0, I) from rng, carried back to the data: the model's samples.
// Each costs 4 steps field evaluations.
Mat<float> sample(const Flow<float>& flow, std::size_t n, Rng& rng, Mat<float>* z = nullptr);

}  // namespace flow::cnf
