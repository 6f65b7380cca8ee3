#include "model/registry.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "data/dataset.hpp"

namespace flow::model {

namespace {
std::map<std::string, Kind>& registry() {
    static std::map<std::string, Kind> r;
    return r;
}
}  // namespace

bool register_kind(Kind k) {
    const std::string name = k.name;
    if (!registry().emplace(name, std::move(k)).second)
        throw std::logic_error("model kind '" + name + "' is registered twice");
    return true;
}

const Kind* find_kind(const std::string& name) {
    const auto it = registry().find(name);
    return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> kind_names() {
    std::vector<std::string> names;
    for (const auto& [name, k] : registry()) names.push_back(name);
    return names;
}

const Kind& kind(const std::string& name) {
    if (const Kind* k = find_kind(name)) return *k;
    throw std::runtime_error(fmt::format("unknown model kind '{}' (the kinds: {})", name,
                                         fmt::join(kind_names(), ", ")));
}

std::vector<config::FlagSpec> flags_with_seed(const Kind& k) {
    auto f = k.flags;
    f.insert(f.begin(), config::common_flags("").front());  // --seed
    return f;
}

config::Values values(const std::string& name, const std::vector<std::string>& args) {
    return config::parse("the flags of kind " + name, flags_with_seed(kind(name)), args).values;
}

std::vector<config::FlagSpec> training_flags(const std::string& points, const std::string& epochs,
                                             const std::string& batch, const std::string& lr) {
    using config::Kind;
    return {{"points", Kind::Count, points, "number of training points"},
            {"epochs", Kind::Count, epochs, "training epochs"},
            {"batch", Kind::Count, batch, "mini-batch size"},
            {"lr", Kind::PositiveReal, lr, "Adam learning rate (cosine decay)"}};
}

config::FlagSpec patience_flag() {
    return {"patience", config::Kind::Whole, "0",
            "stop after this many epochs without a lower validation loss and keep the best epoch's parameters "
            "(0: train every epoch, keep the last)"};
}

std::size_t patience_of(const config::Values& v) { return v.has("patience") ? std::size_t(v.count("patience")) : 0; }

Training read_training(const config::Values& v, const std::string& data, std::size_t val_points) {
    Training t;
    t.points = std::size_t(v.count("points"));
    t.epochs = std::size_t(v.count("epochs"));
    t.batch = std::size_t(v.count("batch"));
    t.lr = v.real("lr");
    t.seed = v.seed();
    const data::Dataset& set = data::dataset(data);
    if (set.finite() && t.points > set.train_rows.size())
        throw config::UsageError(fmt::format("--points {}: data set {} has {} training rows", t.points, data,
                                             set.train_rows.size()));
    t.val_points = data::validation_count(set, val_points);
    return t;
}

}  // namespace flow::model
