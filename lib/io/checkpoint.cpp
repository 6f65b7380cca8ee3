#include "io/checkpoint.hpp"

#include <fcntl.h>
#include <stdio.h>

#include <cerrno>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <xtensor/xadapt.hpp>
#include <xtensor/xnpy.hpp>

#include "core/files.hpp"
#include "core/hash.hpp"

namespace flow::io {

namespace {
constexpr const char* kFormat = "flowreport-checkpoint-1";

std::string file_name_for(const std::string& param) {
    std::string f = param;
    for (char& c : f)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            c = '_';
    return f + ".npy";
}

[[noreturn]] void fail(const fs::path& dir, const std::string& what) {
    throw CheckpointError("checkpoint " + dir.string() + ": " + what);
}
}  // namespace

std::string config_hash(const nlohmann::json& config) { return hex64(fnv1a64(config.dump())); }

void save_checkpoint(const fs::path& dir, const nlohmann::json& config,
                     const nn::Params<float>& params,
                     const std::vector<std::pair<std::string, std::string>>& extra) {
    const fs::path tmp = temporary_sibling(dir);
    fs::create_directories(tmp);
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
    nlohmann::json manifest;
    manifest["format"] = kFormat;
    manifest["config"] = config;
    manifest["config_hash"] = config_hash(config);
    manifest["arrays"] = nlohmann::json::array();
    for (const auto& p : params) {
        auto view = xt::adapt(p.value, p.size(), xt::no_ownership(), p.shape);
        const std::string bytes = xt::dump_npy(xt::xarray<float>(view));
        const std::string file = file_name_for(p.name);
        write_atomic(tmp / file, bytes);
        manifest["arrays"].push_back({{"name", p.name},
                                      {"file", file},
                                      {"shape", p.shape},
                                      {"bytes", bytes.size()},
                                      {"fnv1a64", hex64(fnv1a64(bytes))}});
    }
    for (const auto& [name, content] : extra) write_atomic(tmp / name, content);
    write_atomic(tmp / "model.json", manifest.dump(2) + "\n");
    put_in_place(tmp, dir);
}

void put_in_place(const fs::path& tmp, const fs::path& dir) {
    std::error_code ec;
    for (;;) {
        if (::rename(tmp.c_str(), dir.c_str()) == 0) return;
        if (errno != ENOTEMPTY && errno != EEXIST) break;
        // A checkpoint is there already: an older one (a retraining), or one that another
        // process of the same configuration has just put there. Swap them in one step, so
        // that a reader always finds a whole checkpoint, then remove the one swapped out.
        if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
            fs::remove_all(tmp, ec);
            return;
        }
        if (errno == ENOENT) continue;  // removed in between: place it by a plain rename
        if (errno != EINVAL) break;
        // A file system without exchange: move the old one aside first. Of two writers at
        // once, one may find the name taken again; it leaves the other's whole checkpoint.
        const fs::path old = temporary_sibling(dir);
        if (::rename(dir.c_str(), old.c_str()) == 0) fs::remove_all(old, ec);
        if (::rename(tmp.c_str(), dir.c_str()) == 0) return;
        if (errno != ENOTEMPTY && errno != EEXIST) break;
        fs::remove_all(tmp, ec);
        return;
    }
    const int err = errno;
    fs::remove_all(tmp, ec);
    throw std::filesystem::filesystem_error("cannot put the checkpoint in place", tmp, dir,
                                            std::error_code(err, std::generic_category()));
}

Checkpoint load_checkpoint(const fs::path& dir) {
    if (!fs::is_directory(dir)) fail(dir, "no such checkpoint folder");
    if (!fs::exists(dir / "model.json")) fail(dir, "model.json is missing (not a checkpoint?)");
    nlohmann::json manifest;
    try {
        manifest = nlohmann::json::parse(read_file(dir / "model.json"));
    } catch (const nlohmann::json::exception& e) {
        fail(dir, std::string("model.json is damaged (") + e.what() + ")");
    }
    if (manifest.value("format", "") != kFormat)
        fail(dir, "model.json is not a " + std::string(kFormat) + " manifest");
    Checkpoint ck;
    try {
        ck.config = manifest.at("config");
        ck.hash = manifest.at("config_hash").get<std::string>();
        if (ck.hash != config_hash(ck.config))
            fail(dir, "the configuration does not match its recorded hash (model.json edited?)");
        for (const auto& a : manifest.at("arrays")) {
            const auto name = a.at("name").get<std::string>();
            const auto file = a.at("file").get<std::string>();
            const auto shape = a.at("shape").get<std::vector<std::size_t>>();
            const auto bytes = a.at("bytes").get<std::size_t>();
            const fs::path path = dir / file;
            if (!fs::exists(path)) fail(dir, "array '" + name + "': " + file + " is missing");
            const std::string data = read_file(path);
            if (data.size() != bytes)
                fail(dir, fmt::format("array '{}': {} holds {} bytes, expected {} (truncated?)",
                                      name, file, data.size(), bytes));
            if (hex64(fnv1a64(data)) != a.at("fnv1a64").get<std::string>())
                fail(dir, "array '" + name + "': " + file + " fails its checksum (corrupted)");
            std::istringstream in(data);
            xt::xarray<float> arr = xt::load_npy<float>(in);
            const std::vector<std::size_t> got(arr.shape().begin(), arr.shape().end());
            if (got != shape)
                fail(dir, fmt::format("array '{}': shape [{}] in the file, [{}] in model.json",
                                      name, fmt::join(got, ","), fmt::join(shape, ",")));
            ck.arrays.emplace_back(name, std::move(arr));
        }
    } catch (const nlohmann::json::exception& e) {
        fail(dir, std::string("model.json lacks a field (") + e.what() + ")");
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const CheckpointError*>(&e)) throw;
        fail(dir, std::string("cannot read an array (") + e.what() + ")");
    }
    return ck;
}

void restore(const Checkpoint& ck, const nn::Params<float>& params, const fs::path& dir) {
    if (ck.arrays.size() != params.size())
        fail(dir, fmt::format("holds {} arrays, the model has {}", ck.arrays.size(), params.size()));
    for (std::size_t k = 0; k < params.size(); ++k) {
        const auto& [name, arr] = ck.arrays[k];
        const auto& p = params[k];
        if (name != p.name)
            fail(dir, "array " + std::to_string(k) + " is '" + name + "', the model expects '" +
                          p.name + "'");
        const std::vector<std::size_t> got(arr.shape().begin(), arr.shape().end());
        if (got != p.shape)
            fail(dir, fmt::format("array '{}' has shape [{}], the model expects [{}]", name,
                                  fmt::join(got, ","), fmt::join(p.shape, ",")));
        std::copy(arr.begin(), arr.end(), p.value);
    }
}

}  // namespace flow::io
