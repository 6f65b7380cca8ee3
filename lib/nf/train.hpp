#pragma once
// Training the normalizing flow by maximum likelihood (-mean log p(x)), and the model cache:
// a model is asked for by its configuration and comes from the checkpoint whose
// configuration hash matches, or is trained and saved.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "data/olympic.hpp"
#include "nf/flow.hpp"

namespace flow::nf {

struct Config {
    // The flags' values (the kind's file, nf/kind.cpp, holds their defaults).
    Architecture arch;
    std::size_t points = 0, epochs = 0, batch = 0;
    double lr = 0;
    std::uint64_t seed = 0;
    std::string data;                // the data set (data::dataset)
    std::size_t val_points = 25000;  // held out, drawn from their own stream
    std::size_t patience = 0;        // early stopping on the validation loss (0: none; train/loop.hpp)
    double clip = 0;                 // gradient clipping by global norm (0: none; optim/adam.hpp)

    static Config from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;  // everything that determines the trained weights
};

struct EpochRecord {
    std::size_t epoch;
    double lr, train_loss;         // mean over the epoch's batches
    LossParts val;                 // on the held-out validation set after the epoch
    double seconds;                // wall time of the epoch (training only)
};

struct Model {
    Config config;
    NormalizingFlow<float> flow;
    std::vector<EpochRecord> history;
    data::Standardiser scale;     // of its training set: the map to the data's units
    double train_seconds = 0.0;   // wall time of the whole training
    std::filesystem::path dir;    // its checkpoint
};

// The configuration that flag values (of the kind's flags) and a data set give.
Config config(const config::Values& v, const std::string& data);

// Trains from scratch. Throws if a loss becomes non-finite (naming epoch and batch).
Model train(const Config& cfg, bool progress = true);
// The checkpoint of cfg if one exists (and is whole), else trains and saves one.
Model obtain(const Config& cfg, bool force = false);
// The model whose checkpoint folder is dir (its model.json names the configuration).
Model load(const std::filesystem::path& dir);

// n points z ~ N(0, I) from rng, pushed through the flow; path as in forward().
xt::xtensor<float, 2> sample(const NormalizingFlow<float>& flow, std::size_t n, Rng& rng,
                             std::vector<nn::Mat<float>>* path = nullptr);

// A path of forward() states with each state's coordinates put in the order in which
// they reach the output (the permutations, reversals, only relabel coordinates), so that layer
// after layer can be drawn in the data's own frame.
void to_output_frame(std::vector<nn::Mat<float>>& forward_path);
// The same for an inverse() path (path[0] = x).
void inverse_to_output_frame(std::vector<nn::Mat<float>>& inverse_path);

// The mean negative log-likelihood and its two components over a whole set, in batches.
LossParts evaluate(const NormalizingFlow<float>& flow, const xt::xtensor<float, 2>& x);
// The same, with the buffers of a tape kept by the caller.
LossParts evaluate(const NormalizingFlow<float>& flow, const xt::xtensor<float, 2>& x,
                   NormalizingFlow<float>::Tape& tape);

}  // namespace flow::nf
