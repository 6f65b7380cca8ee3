#pragma once
// A new class for a trained conditional field: a model fitted on another model.
//
// A conditional field takes a class through its embedding. A new class whose data is
// the single point a (in the base model's standardised frame) is fitted by the flow-matching loss, with
// x = a for every point of that class, in one of two ways:
//   - "embedding": the base field gets one more class, whose embedding row starts as the
//     mean of the others' (a neutral start); only that row is trained, the network is
//     frozen, so every old class gives exactly the velocities it gave before;
//   - "all": every parameter of the field is trained, on batches that mix the new class
//     with the old classes' own training data, so that they keep what they learned. Its
//     base must itself be a new-class model of the same point: it goes on fitting that
//     class rather than adding another.
// Both are Adam steps with a cosine-annealed rate through the shared training loop, and
// the result is a checkpoint like any other model's: its configuration names its base by
// the base's checkpoint folder (whose name hashes the base's own configuration), so a
// changed base is a changed model.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fm/train.hpp"

namespace flow::fm {

// A copy of a conditional field with one more class, whose embedding row is the mean of
// the others'; every old class gives the same velocities as before.
VectorField<float> with_new_class(const VectorField<float>& field);

// The flags' values (the kind's file, fm/kind_new_class.cpp, holds their defaults);
// the time sampling is the base model's.
struct NewClassFit {
    std::size_t steps = 0;
    std::size_t batch = 0;            // points of the new class per step
    std::size_t old_batch = 0;        // points of the old classes per step, when fine-tuning
    double lr = 0;                    // Adam, cosine-annealed over the steps
    bool embedding_only = true;       // false: every parameter of the field
    TimeSampling time_sampling = TimeSampling::Log;
    double time_floor = 0;
};

// Fits the field's last class to the point a by the flow-matching loss. When not embedding_only, each
// step also holds old_batch points of old_data (with their labels), so that the old
// classes keep their training. Returns the loss of every step on the new class's points;
// the wall time goes to *seconds when given.
std::vector<double> fit_new_class(VectorField<float>& field, const std::array<double, 2>& a,
                                  const data::PointSet* old_data, const NewClassFit& how, Rng& rng,
                                  double* seconds = nullptr, bool progress = false);

// What determines a new-class model.
struct NewClassConfig {
    std::string base;                  // the checkpoint folder (its name) it is fitted on
    std::string data;                  // the data set of the conditional model it descends from
    FieldShape shape;                  // of the fitted field
    std::array<double, 2> target{};    // a, in the base model's standardised frame
    NewClassFit fit;                   // time_sampling and time_floor: the base model's
    std::uint64_t seed = 0;

    nlohmann::json to_json() const;
    static NewClassConfig from_json(const nlohmann::json& j);  // inverse of to_json()
};

// The configuration of a new class fitted on the model in base_dir (a "cfm" model or
// a new-class model), with its base, data set, shape and time sampling filled in from
// there; throws with one line when the base cannot take it (an unconditional base;
// fitting "all" on a base that is not a new class of the same target).
NewClassConfig new_class_config(const std::filesystem::path& base_dir, const std::array<double, 2>& target,
                                bool embedding_only);

// The same from flag values (--base, --target, --fit, --steps, --batch, --old-batch, --lr,
// --seed); throws UsageError for values it cannot take.
NewClassConfig new_class_config(const config::Values& v);

struct NewClassModel {
    NewClassConfig config;
    VectorField<float> field;
    std::vector<double> loss;      // every step's loss on the new class
    data::Standardiser scale;      // of the conditional model's training set
    double train_seconds = 0.0;
    std::filesystem::path dir;
};

// From the checkpoint whose configuration hash matches, or fitted on the model in
// base_dir (which must be cfg.base) and saved.
NewClassModel obtain(const NewClassConfig& cfg, const std::filesystem::path& base_dir, bool force = false);
NewClassModel load_new_class(const std::filesystem::path& dir);

}  // namespace flow::fm
