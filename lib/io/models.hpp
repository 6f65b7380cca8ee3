#pragma once
// Where trained models live: <root>/<kind>-<configuration hash>/, with root
// build/models or $FLOWREPORT_MODELS.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "io/checkpoint.hpp"

namespace flow::io {

inline std::filesystem::path models_root() {
    const char* env = std::getenv("FLOWREPORT_MODELS");
    return env && *env ? std::filesystem::path(env) : std::filesystem::path("build/models");
}

inline std::filesystem::path model_dir(const std::string& kind, const nlohmann::json& config) {
    return models_root() / (kind + "-" + config_hash(config));
}

}  // namespace flow::io
