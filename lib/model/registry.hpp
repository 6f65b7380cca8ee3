#pragma once
// The model kinds. A kind is one source file in its model's folder (lib/nf/kind.cpp,
// lib/planar/kind.cpp, ...) that registers itself with FLOWREPORT_KIND: its flags with
// their only defaults, how flag values become its configuration, how a configuration is
// trained or its checkpoint reused, and how a checkpoint is loaded as a model::Trained.
// Nothing outside a kind's file compares a kind's name: the driver, the manifests, the
// chapter context and the benchmarks ask the registry.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/options.hpp"
#include "model/model.hpp"
#include "nn/param.hpp"

namespace flow::model {

// What a manifest's entry of the kind names besides its flags.
enum class Source {
    Data,     // a data set (data::dataset)
    OwnData,  // the name of a generator the kind draws itself (its configuration checks it)
    Base,     // another model of the manifest, the one it is fitted on (--base)
};

struct Kind {
    std::string name;
    std::string summary;  // one line: what the kind is
    Source source = Source::Data;
    std::string own_data;  // Source::OwnData: the name of the generator it draws
    std::vector<config::FlagSpec> flags;  // the kind's flags and their only defaults (no --seed)
    // The checkpoint folder of the configuration the values give (with data: the
    // manifest's data set or generator): reused when it exists and force is false,
    // else trained and saved. Throws UsageError for values the kind cannot take.
    std::function<std::filesystem::path(const config::Values&, const std::string& data, bool force)> obtain;
    // The model in a checkpoint folder of the kind.
    std::function<std::unique_ptr<Trained>(const std::filesystem::path&)> load;
};

// Called by FLOWREPORT_KIND at start-up; throws on a second kind of the same name.
bool register_kind(Kind k);
// The kind of that name, or nullptr.
const Kind* find_kind(const std::string& name);
// The kind of that name; throws std::runtime_error naming the known kinds.
const Kind& kind(const std::string& name);
// Every registered kind's name, sorted.
std::vector<std::string> kind_names();

// --seed, then the kind's flags: what `flowreport train` takes.
std::vector<config::FlagSpec> flags_with_seed(const Kind& k);
// The kind's flag values given args (its defaults for the rest), with --seed.
config::Values values(const std::string& kind, const std::vector<std::string>& args = {});

// The training flags of a kind fitted on points, with the kind's defaults: --points,
// --epochs, --batch, --lr.
std::vector<config::FlagSpec> training_flags(const std::string& points, const std::string& epochs,
                                             const std::string& batch, const std::string& lr);
// --patience: early stopping on the validation loss (train/loop.hpp), for the kinds
// that offer it; 0 (none) when the values have no such flag.
config::FlagSpec patience_flag();
std::size_t patience_of(const config::Values& v);

// Reads them (and --seed) into a configuration with points, epochs, batch, lr, seed,
// val_points and data; a data file trains on at most its training rows and is
// validated on all its held-out rows.
struct Training {
    std::size_t points = 0, epochs = 0, batch = 0, val_points = 0;
    double lr = 0;
    std::uint64_t seed = 0;
};
Training read_training(const config::Values& v, const std::string& data, std::size_t val_points);
template <class Config>
void set_training(const config::Values& v, const std::string& data, Config& c) {
    const Training t = read_training(v, data, c.val_points);
    c.points = t.points;
    c.epochs = t.epochs;
    c.batch = t.batch;
    c.lr = t.lr;
    c.seed = t.seed;
    c.val_points = t.val_points;
    c.data = data;
}

// The number of trainable values of a network with params_of().
template <class Net>
std::size_t count_parameters(Net& net) {
    std::size_t n = 0;
    for (const auto& p : nn::params_of(net)) n += p.size();
    return n;
}

// The record of a model trained in epochs on a data set: M has config (with to_json(),
// data, seed, points, val_points, epochs, batch, lr), scale, train_seconds, dir and a
// history of epochs with train_loss; val_of(epoch) gives an epoch's validation loss.
template <class M, class Net, class ValOf>
Record epoch_record(const std::string& kind, M& m, Net& net, ValOf val_of) {
    Record r;
    r.kind = kind;
    r.config = m.config.to_json();
    r.dir = m.dir;
    r.data = m.config.data;
    r.seed = m.config.seed;
    r.points = m.config.points;
    r.val_points = m.config.val_points;
    r.epochs = m.config.epochs;
    r.batch = m.config.batch;
    r.lr = m.config.lr;
    r.scale = m.scale;
    r.train_seconds = m.train_seconds;
    r.parameters = count_parameters(net);
    for (const auto& e : m.history) {
        r.train_loss.push_back(e.train_loss);
        r.val_loss.push_back(val_of(e));
    }
    r.kept_epoch = r.val_loss.size();
    return r;
}

// A kind's model as a Trained: H (a Holding<M>) around m, with record(m).
template <class H, class M>
std::unique_ptr<Trained> hold(M m, Record (*record)(M&)) {
    Record r = record(m);
    return std::make_unique<H>(std::move(r), std::move(m));
}

}  // namespace flow::model

// In a kind's file: FLOWREPORT_KIND(a function returning the model::Kind).
#define FLOWREPORT_KIND_CONCAT_(a, b) a##b
#define FLOWREPORT_KIND_CONCAT(a, b) FLOWREPORT_KIND_CONCAT_(a, b)
#define FLOWREPORT_KIND(make_)                                                          \
    namespace {                                                                         \
    [[maybe_unused]] const bool FLOWREPORT_KIND_CONCAT(flowreport_kind_, __COUNTER__) = \
        ::flow::model::register_kind(make_());                                          \
    }
