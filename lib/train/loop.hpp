#pragma once
// What every model kind's training shares: mini-batch epochs over a shuffled training
// set, Adam with a cosine-decayed learning rate stepped once per batch, a stop with the
// epoch and batch named when a loss is not finite, progress lines, and the checkpoint
// cache (a model is asked for by its configuration and comes from the checkpoint whose
// hash matches, or is trained and saved). A kind supplies one batch's loss and
// gradients, and what it measures after each epoch.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/progress.hpp"
#include "core/rng.hpp"
#include "data/batches.hpp"
#include "io/models.hpp"
#include "nn/param.hpp"
#include "optim/adam.hpp"

namespace flow::train {

struct Settings {
    std::string kind;          // names the progress line and the errors
    std::size_t points, epochs, batch;
    double lr;
    std::string hint;          // what to try when the loss is not finite
};

struct EpochEnd {
    std::size_t epoch;         // 1-based
    double lr;                 // the rate the next step would take
    double train_loss;         // mean over the epoch's batches
    double seconds;            // wall time of the epoch's batches
};

// Runs settings.epochs epochs. batch(b) computes the loss of the b-th batch of the
// shuffled order (gathering it through `batches`) and accumulates its gradients into the
// parameters that `adam` updates (already zeroed); after each epoch, epoch_end(...)
// returns the summary for the progress line. Returns the whole training's wall time.
inline double run(const Settings& s, optim::Adam<float>& adam, data::Batches& batches, Rng& order,
                  const std::function<double(std::size_t)>& batch,
                  const std::function<std::string(const EpochEnd&)>& epoch_end, bool progress) {
    const optim::CosineSchedule schedule{s.lr, s.epochs * batches.count()};
    Progress bar("train " + s.kind, s.epochs, batches.count());
    std::size_t step = 0;
    for (std::size_t epoch = 0; epoch < s.epochs; ++epoch) {
        const auto t0 = std::chrono::steady_clock::now();
        batches.shuffle(order);
        double sum = 0.0;
        for (std::size_t b = 0; b < batches.count(); ++b) {
            adam.zero_grad();
            const double loss = batch(b);
            if (!std::isfinite(loss))
                throw std::runtime_error(fmt::format(
                    "{} training diverged: the loss is not finite at epoch {}, batch {}; {} (no checkpoint written)",
                    s.kind, epoch + 1, b + 1, s.hint));
            adam.step(schedule(step++));
            sum += loss;
            if (progress) bar.batch(epoch, b, sum / double(b + 1));
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::string summary = epoch_end({epoch + 1, schedule(step), sum / double(batches.count()), secs});
        if (progress) bar.epoch(epoch, summary);
    }
    return bar.elapsed();
}

// The checkpoint cache: the model of configuration `config` from its folder when one
// exists (and force is false), else trained and saved there.
template <class Model>
Model cached(const std::string& kind, const nlohmann::json& config, bool force,
             const std::function<Model(const std::filesystem::path&)>& read,
             const std::function<Model()>& train, const std::function<void(Model&, const std::filesystem::path&)>& save) {
    const auto dir = io::model_dir(kind, config);
    if (!force && std::filesystem::exists(dir / "model.json")) return read(dir);
    Model m = train();
    save(m, dir);
    m.dir = dir;
    return m;
}

}  // namespace flow::train
