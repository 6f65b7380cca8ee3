#pragma once
// What every model kind's training shares: epochs of steps (mini-batches of a shuffled
// training set, or batches a kind draws itself), Adam with a cosine-decayed learning
// rate stepped once per batch, a stop with the epoch and batch named when a loss is not
// finite, progress lines, and the checkpoint cache (a model is asked for by its
// configuration and comes from the checkpoint whose hash matches, or is trained and
// saved). A kind supplies one batch's loss and gradients, what it measures after each
// epoch, and how its model is kept in a checkpoint (Keeping).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/files.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "data/batches.hpp"
#include "io/checkpoint.hpp"
#include "io/models.hpp"
#include "nn/param.hpp"
#include "optim/adam.hpp"

namespace flow::train {

struct Settings {
    std::string kind;          // names the progress line and the errors
    std::size_t epochs;
    double lr;
    std::string hint;          // what to try when the loss is not finite
    std::function<bool()> stop = {};  // asked after each epoch's end: true ends training early
};

// Early stopping on the validation loss. With patience p > 0, the parameters of the
// epoch with the lowest validation loss are kept (copied whenever it improves),
// training ends once p epochs have passed without a new lowest, and restore() gives the
// model the kept parameters. With patience 0 nothing is kept or stopped: the model is
// the last epoch's.
class BestEpoch {
public:
    BestEpoch(nn::Params<float> params, std::size_t patience) : params_(std::move(params)), patience_(patience) {}
    void offer(std::size_t epoch, double val_loss) {
        last_ = epoch;
        if (patience_ == 0 || !(val_loss < best_loss_)) return;
        best_loss_ = val_loss;
        best_ = epoch;
        kept_.resize(params_.size());
        for (std::size_t i = 0; i < params_.size(); ++i)
            kept_[i].assign(params_[i].value, params_[i].value + params_[i].size());
    }
    bool exhausted() const { return patience_ > 0 && last_ >= best_ + patience_; }
    void restore() {
        for (std::size_t i = 0; i < kept_.size(); ++i) std::copy(kept_[i].begin(), kept_[i].end(), params_[i].value);
    }

private:
    nn::Params<float> params_;
    std::size_t patience_;
    std::size_t best_ = 0, last_ = 0;
    double best_loss_ = INFINITY;
    std::vector<std::vector<float>> kept_;
};

// The epoch (1-based) whose parameters a model of this patience keeps, given its
// validation loss per epoch: the first lowest with patience, else the last.
inline std::size_t kept_epoch(const std::vector<double>& val_loss, std::size_t patience) {
    if (patience == 0 || val_loss.empty()) return val_loss.size();
    std::size_t best = 0;
    for (std::size_t e = 1; e < val_loss.size(); ++e)
        if (val_loss[e] < val_loss[best]) best = e;
    return best + 1;
}

struct EpochEnd {
    std::size_t epoch;         // 1-based
    double lr;                 // the rate the next step would take
    double train_loss;         // mean over the epoch's batches
    double seconds;            // wall time of the epoch's batches
};

// Runs settings.epochs epochs of `count` steps each; start_epoch() is called before
// each epoch's first step. batch(b) computes the loss of the epoch's b-th step and
// accumulates its gradients into the parameters that `adam` updates (already zeroed);
// after each epoch, epoch_end(...) returns the summary for the progress line. Returns
// the whole training's wall time.
inline double run(const Settings& s, optim::Adam<float>& adam, std::size_t count,
                  const std::function<void()>& start_epoch, const std::function<double(std::size_t)>& batch,
                  const std::function<std::string(const EpochEnd&)>& epoch_end, bool progress) {
    const optim::CosineSchedule schedule{s.lr, s.epochs * count};
    Progress bar("train " + s.kind, s.epochs, count);
    std::size_t step = 0;
    for (std::size_t epoch = 0; epoch < s.epochs; ++epoch) {
        const auto t0 = std::chrono::steady_clock::now();
        start_epoch();
        double sum = 0.0;
        for (std::size_t b = 0; b < count; ++b) {
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
        const std::string summary = epoch_end({epoch + 1, schedule(step), sum / double(count), secs});
        if (progress) bar.epoch(epoch, summary);
        if (s.stop && s.stop()) break;
    }
    return bar.elapsed();
}

// Mini-batch epochs over a data set: each epoch visits the batches of a fresh shuffled
// order (batch(b) gathers the b-th of them through `batches`).
inline double run(const Settings& s, optim::Adam<float>& adam, data::Batches& batches, Rng& order,
                  const std::function<double(std::size_t)>& batch,
                  const std::function<std::string(const EpochEnd&)>& epoch_end, bool progress) {
    return run(s, adam, batches.count(), [&] { batches.shuffle(order); }, batch, epoch_end, progress);
}

// How a kind's model is kept in its checkpoint folder, beside its parameters and
// data.json (the training set's standardisation and the training time; Model has
// `scale`, `train_seconds` and `dir`): the model of a configuration with its parameters
// yet to be restored, the parameters, and the text of history.json and how to read it.
template <class Model>
struct Keeping {
    std::string kind;  // the folder's prefix: <kind>-<hash>
    std::function<Model(const nlohmann::json& config)> empty;
    std::function<nn::Params<float>(Model&)> params;
    std::function<std::string(const Model&)> history;
    std::function<void(Model&, const nlohmann::json& history)> read_history;
};

// The model in checkpoint folder dir (model.json is read once: configuration and arrays).
template <class Model>
Model read_checkpoint(const Keeping<Model>& k, const std::filesystem::path& dir) {
    const auto ck = io::load_checkpoint(dir);
    Model m = k.empty(ck.config);
    io::restore(ck, k.params(m), dir);
    try {
        k.read_history(m, nlohmann::json::parse(read_file(dir / "history.json")));
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("{}: {}", (dir / "history.json").string(), e.what()));
    }
    io::read_data_json(dir, m.scale, m.train_seconds);
    m.dir = dir;
    return m;
}

// The checkpoint cache: the model of configuration `config` from its folder when one
// exists (and force is false), else trained and saved there.
template <class Model>
Model cached(const Keeping<Model>& k, const nlohmann::json& config, bool force, const std::function<Model()>& train) {
    const auto dir = io::model_dir(k.kind, config);
    if (!force && std::filesystem::exists(dir / "model.json")) return read_checkpoint(k, dir);
    Model m = train();
    io::save_checkpoint(dir, config, k.params(m),
                        {{"history.json", k.history(m)}, {"data.json", io::data_json(m.scale, m.train_seconds)}});
    m.dir = dir;
    return m;
}

}  // namespace flow::train
