#pragma once
// What the kinds fitted by maximum likelihood on a data set's points share (planar
// flows, continuous normalizing flows): the training and held-out points, the epochs on
// the shared loop, a history of the training and validation loss per epoch, and how such
// a model is kept in its checkpoint. A kind's Model has config (with points, val_points,
// epochs, batch, lr, seed, data), flow, history, scale, train_seconds and dir.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/batches.hpp"
#include "data/dataset.hpp"
#include "data/points.hpp"
#include "nn/layers.hpp"
#include "train/loop.hpp"

namespace flow::train {

struct LikelihoodRecord {
    std::size_t epoch;
    double lr, train_loss, val_loss, seconds;
};

// The training settings of such a kind's configuration: the flags' values (the kind's
// file holds their defaults), and how many held-out points validate (at most all of a
// data file's held-out rows).
struct LikelihoodSettings {
    std::size_t points = 0, epochs = 0, batch = 0;
    double lr = 0;
    std::uint64_t seed = 0;
    std::string data;
    std::size_t val_points = 100;
    std::size_t patience = 0;  // early stopping on the validation loss (0: none; train/loop.hpp)
};

// A trained model of such a kind: its configuration, its network and what training left.
template <class Config, class Net>
struct LikelihoodModel {
    Config config;
    Net flow;
    std::vector<LikelihoodRecord> history;
    data::Standardiser scale;  // of its training set
    double train_seconds = 0.0;
    std::filesystem::path dir;
};

// Trains m.flow (already built from its configuration's stream "<kind>/init"): loss(m,
// x, grads) is the mean negative log-likelihood of x, its gradients accumulated when
// grads is true.
template <class Model>
void fit_likelihood(Model& m, const std::string& kind,
                    const std::function<double(Model&, const nn::Mat<float>&, bool)>& loss, bool progress) {
    const auto& cfg = m.config;
    Rng data_rng(cfg.seed, kind + "/data"), val_rng(cfg.seed, kind + "/val"), order(cfg.seed, kind + "/order");
    const data::Dataset& set = data::dataset(cfg.data);
    const auto train_set = data::training_points(set, cfg.points, data_rng);
    const nn::Mat<float> val =
        data::in_frame(data::validation_points(set, cfg.val_points, val_rng), train_set.scale);
    optim::Adam<float> adam(nn::params_of(m.flow));
    data::Batches batches(train_set.x.shape(0), cfg.batch);
    nn::Mat<float> xb;
    const auto batch = [&](std::size_t b) {
        batches.gather(b, train_set.x, xb);
        return loss(m, xb, true);
    };
    BestEpoch best(nn::params_of(m.flow), cfg.patience);
    const auto epoch_end = [&](const EpochEnd& e) {
        const double v = loss(m, val, false);
        m.history.push_back({e.epoch, e.lr, e.train_loss, v, e.seconds});
        best.offer(e.epoch, v);
        return fmt::format("train {:.4f} val {:.4f} ({:.2f} s)", e.train_loss, v, e.seconds);
    };
    m.train_seconds = run({kind, cfg.epochs, cfg.lr, "try a smaller --lr", [&] { return best.exhausted(); }}, adam,
                          batches, order, batch, epoch_end, progress);
    best.restore();
    m.scale = train_set.scale;
}

// How such a model is kept: make(config, dim, rng) builds its network, drawn from the
// stream "<kind>/init" (its parameters are then restored from the checkpoint).
template <class Model, class Make>
Keeping<Model> likelihood_keeping(const std::string& kind, Make make) {
    return {kind,
            [kind, make](const nlohmann::json& config) {
                Model m;
                m.config = decltype(m.config)::from_json(config);
                Rng unused(m.config.seed, kind + "/init");
                m.flow = make(m.config, data::dataset(m.config.data).dim, unused);
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
}

}  // namespace flow::train
