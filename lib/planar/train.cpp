#include "planar/train.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "core/files.hpp"
#include "data/batches.hpp"
#include "data/dataset.hpp"
#include "io/checkpoint.hpp"
#include "io/models.hpp"
#include "optim/adam.hpp"
#include "train/loop.hpp"

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
    return c;
}

nlohmann::json Config::to_json() const {
    nlohmann::json j = {{"model", "planar"}, {"code_version", kCodeVersion}, {"layers", layers}, {"data", data}};
    j.update(io::training_settings(points, val_points, epochs, batch, lr, seed));
    return j;
}

double evaluate(const Flow<float>& flow, const Mat<float>& x) {
    typename Flow<float>::Tape tape;
    return flow.loss(x, tape);
}

Samples sample(const Flow<float>& flow, std::size_t n, Rng& rng) {
    Samples s;
    s.z = Mat<float>::from_shape({n, flow.dim});
    for (auto& v : s.z) v = float(rng.normal());
    s.x = flow.inverse(s.z, &s.newton_steps);
    return s;
}

Model train(const Config& cfg, bool progress) {
    Rng data_rng(cfg.seed, "planar/data"), val_rng(cfg.seed, "planar/val"), init(cfg.seed, "planar/init"),
        order(cfg.seed, "planar/order");
    const data::Dataset& set = data::dataset(cfg.data);
    const auto train_set = data::training_points(set, cfg.points, data_rng);
    const Mat<float> val = data::in_frame(data::held_out_points(set, cfg.val_points, val_rng), train_set.scale);
    Model m;
    m.config = cfg;
    m.flow = Flow<float>(set.dim, cfg.layers, init);
    nn::Params<float> ps;
    m.flow.params(ps);
    optim::Adam<float> adam(ps);
    data::Batches batches(train_set.x.shape(0), cfg.batch);
    Mat<float> xb;
    Flow<float>::Tape tape;
    const auto batch = [&](std::size_t b) {
        batches.gather(b, train_set.x, xb);
        const double loss = m.flow.loss(xb, tape);
        if (std::isfinite(loss)) m.flow.backward(tape);
        return loss;
    };
    const auto epoch_end = [&](const train::EpochEnd& e) {
        const double v = evaluate(m.flow, val);
        m.history.push_back({e.epoch, e.lr, e.train_loss, v, e.seconds});
        return fmt::format("train {:.4f} val {:.4f} ({:.2f} s)", e.train_loss, v, e.seconds);
    };
    m.train_seconds = train::run({"planar", cfg.epochs, cfg.lr, "try a smaller --lr"}, adam, batches, order, batch,
                                 epoch_end, progress);
    m.scale = train_set.scale;
    return m;
}

namespace {

const train::Keeping<Model>& keeping() {
    static const train::Keeping<Model> k{
        "planar",
        [](const nlohmann::json& config) {
            Model m;
            m.config = Config::from_json(config);
            Rng unused(m.config.seed, "planar/init");
            m.flow = Flow<float>(data::dataset(m.config.data).dim, m.config.layers, unused);
            return m;
        },
        [](Model& m) { return nn::params_of(m.flow); },
        [](const Model& m) {
            nlohmann::json h = nlohmann::json::array();
            for (const auto& e : m.history)
                h.push_back({{"epoch", e.epoch}, {"lr", e.lr}, {"train_loss", e.train_loss},
                             {"val_loss", e.val_loss}, {"seconds", e.seconds}});
            return h.dump(2) + "\n";
        },
        [](Model& m, const nlohmann::json& h) {
            for (const auto& e : h)
                m.history.push_back({e.at("epoch").get<std::size_t>(), e.at("lr").get<double>(),
                                     e.at("train_loss").get<double>(), e.at("val_loss").get<double>(),
                                     e.at("seconds").get<double>()});
        }};
    return k;
}

}  // namespace

Model obtain(const Config& cfg, bool force) {
    return train::cached<Model>(keeping(), cfg.to_json(), force, [&] { return train(cfg); });
}

Model load(const fs::path& dir) { return train::read_checkpoint(keeping(), dir); }

}  // namespace flow::planar
