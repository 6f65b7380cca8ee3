#include "planar/train.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "io/models.hpp"

namespace flow::planar {

namespace fs = std::filesystem;

namespace {
constexpr int kCodeVersion = 1;
}  // namespace

Config Config::from_json(const nlohmann::json& j) {
    if (j.at("model") != "planar" || j.at("code_version") != kCodeVersion)
        throw std::runtime_error("not a planar-flow configuration of this code version");
    Config c;
    c.layers = j.at("layers").get<std::size_t>();
    c.data = j.at("data").get<std::string>();
    io::read_training_settings(j, c);
    c.patience = io::read_patience(j);
    return c;
}

nlohmann::json Config::to_json() const {
    nlohmann::json j = {{"model", "planar"}, {"code_version", kCodeVersion}, {"layers", layers}, {"data", data}};
    j.update(io::training_settings(points, val_points, epochs, batch, lr, seed));
    io::record_patience(j, patience);
    return j;
}

Samples sample(const Flow<float>& flow, std::size_t n, Rng& rng) {
    Samples s;
    s.z = nn::normal_draws(rng, n, flow.dim);
    s.x = flow.inverse(s.z, &s.newton_steps);
    return s;
}

Model train(const Config& cfg, bool progress) {
    Rng init(cfg.seed, "planar/init");
    Model m;
    m.config = cfg;
    m.flow = Flow<float>(data::dataset(cfg.data).dim, cfg.layers, init);
    Flow<float>::Tape tape;
    train::fit_likelihood<Model>(
        m, "planar",
        [&](Model& mm, const Mat<float>& x, bool grads) {
            const double loss = mm.flow.loss(x, tape);
            if (grads && std::isfinite(loss)) mm.flow.backward(tape);
            return loss;
        },
        progress);
    return m;
}

namespace {

const train::Keeping<Model>& keeping() {
    static const auto k = train::likelihood_keeping<Model>(
        "planar", [](const Config& c, std::size_t dim, Rng& rng) { return Flow<float>(dim, c.layers, rng); });
    return k;
}

}  // namespace

Model obtain(const Config& cfg, bool force) {
    return train::cached<Model>(keeping(), cfg.to_json(), force, [&] { return train(cfg); });
}

Model load(const fs::path& dir) { return train::read_checkpoint(keeping(), dir); }

}  // namespace flow::planar
