#pragma once
// Checkpoints: every parameter with the full configuration that produced it.
//
// A checkpoint is a folder: one NumPy .npy file per parameter (xtensor's npy support;
// readable by numpy.load) and model.json, which holds the configuration, its hash, and
// for each array its file, shape, byte count and FNV-1a checksum. The folder is written
// under a temporary name and renamed into place, so a checkpoint that exists is whole;
// a load still verifies every byte count, checksum and shape and names what is wrong.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "nn/param.hpp"

namespace flow::io {

namespace fs = std::filesystem;

struct CheckpointError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The hash that names a configuration: FNV-1a of its canonical JSON (keys sorted).
std::string config_hash(const nlohmann::json& config);

struct Checkpoint {
    nlohmann::json config;
    std::string hash;
    std::vector<std::pair<std::string, xt::xarray<float>>> arrays;
};

// extra: further files (name, content) saved in the folder, e.g. a training history.
void save_checkpoint(const fs::path& dir, const nlohmann::json& config,
                     const nn::Params<float>& params,
                     const std::vector<std::pair<std::string, std::string>>& extra = {});
Checkpoint load_checkpoint(const fs::path& dir);
// Renames the whole folder tmp to dir. A folder already at dir (an older checkpoint, or
// one another process has just saved there) is exchanged with it in one step and removed,
// so that two processes saving one checkpoint at once both succeed and leave one whole
// folder, and a reader never finds dir missing or half-written.
void put_in_place(const fs::path& tmp, const fs::path& dir);
// Copies a loaded checkpoint into the model's parameters; every name and shape must match.
void restore(const Checkpoint& ckpt, const nn::Params<float>& params, const fs::path& dir);

}  // namespace flow::io
