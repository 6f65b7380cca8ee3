#pragma once
// Training a planar flow by maximum likelihood, and its checkpoints: the same training
// loop and model cache as every other kind (train/loop.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/points.hpp"
#include "planar/flow.hpp"

namespace flow::planar {

struct Config {
    std::size_t layers = 16;
    std::size_t points = 400;
    std::size_t epochs = 500;
    std::size_t batch = 100;
    double lr = 1e-2;
    std::uint64_t seed = 0;
    std::size_t val_points = 100;
    std::string data = "two-moons";

    static Config from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;
};

struct EpochRecord {
    std::size_t epoch;
    double lr, train_loss, val_loss, seconds;
};

struct Model {
    Config config;
    Flow<float> flow;
    std::vector<EpochRecord> history;
    data::Standardiser scale;  // of its training set
    double train_seconds = 0.0;
    std::filesystem::path dir;
};

Model train(const Config& cfg, bool progress = true);
Model obtain(const Config& cfg, bool force = false);
Model load(const std::filesystem::path& dir);

// The mean negative log-likelihood of a set, in nats per point (in the model's frame).
double evaluate(const Flow<float>& flow, const Mat<float>& x);
// n prior draws z ~ N(0, I) from rng, and the model's samples: their inverse images.
struct Samples {
    Mat<float> z, x;
    std::size_t newton_steps = 0;  // the most any layer's solve took
};
Samples sample(const Flow<float>& flow, std::size_t n, Rng& rng);

}  // namespace flow::planar
