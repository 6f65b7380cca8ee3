#pragma once
// Where trained models live: <root>/<kind>-<configuration hash>/, with root
// build/models or $FLOWREPORT_MODELS.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/files.hpp"
#include "data/olympic.hpp"
#include "io/checkpoint.hpp"

namespace flow::io {

inline std::filesystem::path models_root() {
    const char* env = std::getenv("FLOWREPORT_MODELS");
    return env && *env ? std::filesystem::path(env) : std::filesystem::path("build/models");
}

inline std::filesystem::path model_dir(const std::string& kind, const nlohmann::json& config) {
    return models_root() / (kind + "-" + config_hash(config));
}

// The settings of a training run that every model's configuration records.
inline nlohmann::json training_settings(std::size_t points, std::size_t val_points, std::size_t epochs,
                                        std::size_t batch, double lr, std::uint64_t seed) {
    return {{"points", points}, {"val_points", val_points}, {"epochs", epochs}, {"batch", batch},
            {"lr", lr}, {"schedule", "cosine per step, to 0"}, {"optimizer", "adam 0.9 0.999 1e-8"},
            {"seed", seed}};
}

// Early stopping's patience, recorded only when there is one (so that a model without it
// keeps the configuration, and the checkpoint, it always had); read back as 0 when absent.
inline void record_patience(nlohmann::json& j, std::size_t patience) {
    if (patience > 0) j["patience"] = patience;
}
inline std::size_t read_patience(const nlohmann::json& j) { return j.value("patience", std::size_t(0)); }

// The inverse of training_settings: reads them back from a configuration into any
// model's Config (its points, val_points, epochs, batch, lr and seed).
template <class Config>
void read_training_settings(const nlohmann::json& j, Config& c) {
    c.points = j.at("points").get<std::size_t>();
    c.val_points = j.at("val_points").get<std::size_t>();
    c.epochs = j.at("epochs").get<std::size_t>();
    c.batch = j.at("batch").get<std::size_t>();
    c.lr = j.at("lr").get<double>();
    c.seed = j.at("seed").get<std::uint64_t>();
}

// A checkpoint's data.json: its training set's standardisation and the training time.
inline std::string data_json(const data::Standardiser& scale, double train_seconds) {
    const nlohmann::json d = {{"mean", scale.mean}, {"std", scale.std}, {"train_seconds", train_seconds}};
    return d.dump(2) + "\n";
}
inline void read_data_json(const std::filesystem::path& dir, data::Standardiser& scale, double& train_seconds) {
    const auto d = nlohmann::json::parse(read_file(dir / "data.json"));
    scale.mean = d.at("mean").get<std::array<double, 2>>();
    scale.std = d.at("std").get<std::array<double, 2>>();
    train_seconds = d.at("train_seconds").get<double>();
}

}  // namespace flow::io
