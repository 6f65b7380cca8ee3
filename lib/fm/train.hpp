#pragma once
// Flow matching: training the vector field on E |v(t x + (1 - t) eps, t) - (x - eps)|^2, the model
// cache, and what a trained field is used for: sampling forward in time,
// inverting backward in time, and the log-likelihood of a point by the
// instantaneous change of variables.
#include <filesystem>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "data/olympic.hpp"
#include "fm/field.hpp"
#include "fm/ode.hpp"

namespace flow::fm {

// How training draws the time of each point. "uniform" draws t ~ U[0, 1]. "log" draws
// 1 - t log-uniformly on [floor, 1]: t = 1 - floor^u with u ~ U[0, 1], so every factor of
// ten closer to the data (t = 1) gets the same share of the batches. The loss at each t,
// and so the field that minimises it, is unchanged; only where the network spends its
// capacity moves toward the end of the path, where the samples' fine detail is decided.
enum class TimeSampling { Uniform, Log };

// One training time drawn as `how` says (floor only matters for Log).
float draw_time(Rng& rng, TimeSampling how, double floor);

// P(t > a) for a time drawn as `how` says. Uniform: 1 - a. Log: t > a exactly when
// floor^u < 1 - a, i.e. u > log(1 - a) / log(floor), so P = 1 - log(1 - a) / log(floor),
// clamped to [0, 1] (no t above 1 - floor is ever drawn). At a = 0.9, floor = 0.003:
// 1 - log 10 / log(1/0.003) = 0.604.
double time_share_above(TimeSampling how, double floor, double a);

// The training's time draws, counted in kTimeBins equal bins of [0, 1].
constexpr std::size_t kTimeBins = 20;
struct TimeCounts {
    std::vector<std::uint64_t> bins = std::vector<std::uint64_t>(kTimeBins, 0);
    void add(float t);
    std::uint64_t total() const;
    // The share of draws above a bin edge a = k / kTimeBins.
    double share_above(double a) const;
};

// What determines the trained weights (and so the checkpoint). The integration step and
// solver are not part of it: they are chosen when the field is used.
struct Config {
    FieldShape shape;           // shape.classes 0: "fm" (unconditional), 5: "cfm"
    // The flags' values (the kind's file, fm/kind.cpp, holds their defaults).
    std::size_t points = 0, epochs = 0, batch = 0;
    double lr = 0;
    std::uint64_t seed = 0;
    TimeSampling time_sampling = TimeSampling::Uniform;
    double time_floor = 0;       // smallest 1 - t under Log
    std::string data;            // the data set; a conditional field needs a labelled one
    std::size_t val_points = 10000;  // held out, with their own noise and times

    std::string kind() const { return shape.classes > 0 ? "cfm" : "fm"; }
    static Config from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;
};

// How a trained field is integrated (integration_flags() hold the defaults).
struct Integration {
    double dt = 0;
    Solver solver = Solver::Euler;
};

// The configuration that flag values (of the kind's flags) and a data set give; a
// conditional field has one class per class of the data set.
Config config(const config::Values& v, const std::string& data, bool conditional);
// How a chapter integrates a field: --dt and --solver, and their values.
std::vector<config::FlagSpec> integration_flags();
Integration integration(const config::Values& v);

// The training set of a configuration, drawn again exactly as training draws it.
data::PointSet training_set(const Config& cfg);

struct EpochRecord {
    std::size_t epoch;
    double lr, train_loss;
    double val_loss;              // the loss on the validation set at t ~ U[0, 1]
    double val_loss_train_times;  // the same points at times drawn as training draws them
    double seconds;
};

struct Model {
    Config config;
    VectorField<float> field;
    std::vector<float> batch_loss;     // the loss of every training batch, in order
    std::vector<EpochRecord> history;  // per epoch: mean training loss, validation loss
    TimeCounts time_counts;            // every time the training drew
    data::Standardiser scale;          // of its training set
    double train_seconds = 0.0;
    std::filesystem::path dir;
};

Model train(const Config& cfg, bool progress = true);
Model obtain(const Config& cfg, bool force = false);
// The model whose checkpoint folder is dir; kind "fm" or "cfm" is what the caller expects.
Model load(const std::filesystem::path& dir, const std::string& kind);

// The loss on a set with given noise and times: mean over points of |v(y, t) - (x - eps)|^2.
double flow_matching_loss(VectorField<float>& field, const Mat<float>& x, const Mat<float>& eps,
                          const std::vector<float>& t, const Labels* labels = nullptr);

// Called with (step, t, states) at the start and after every integration step.
using Observer = std::function<void(std::size_t, double, const Mat<float>&)>;

// y0 (n, 2) at t = 0 pushed to t = 1; labels for a conditional field.
Mat<float> forward_flow(VectorField<float>& field, const Mat<float>& y0, const Integration& how,
                        const Labels* labels = nullptr, const Observer& observe = {});
// x (n, 2) at t = 1 pulled back to t = 0.
Mat<float> reverse_flow(VectorField<float>& field, const Mat<float>& x, const Integration& how,
                        const Labels* labels = nullptr, const Observer& observe = {});

// log p_1(x) = log N(y_0; 0, I) - integral_0^1 div v(y_t, t) dt along the reverse path
// of each point, integrated in double with the given step and solver. y0 receives the
// path's start when given.
std::vector<double> log_likelihood(VectorField<float>& field, const Mat<float>& x,
                                   const Integration& how, const Labels* labels = nullptr,
                                   Mat<double>* y0 = nullptr);

}  // namespace flow::fm
