#include "config/models.hpp"

#include <fmt/format.h>

#include "data/dataset.hpp"

namespace flow::config {

bool known_kind(const std::string& kind) {
    return kind == "nf" || kind == "fm" || kind == "cfm" || kind == "planar" || kind == "cnf" || kind == "tri" ||
           kind_needs_base(kind);
}

bool kind_needs_base(const std::string& kind) { return kind == "new-class"; }

bool kind_has_own_data(const std::string& kind) { return kind == "tri"; }

namespace {
// The training settings, and the data set's: a data file trains on at most its training
// rows and is validated on all its held-out rows.
template <class Config>
void training_flags(const Values& v, const std::string& data, Config& c) {
    c.points = std::size_t(v.count("points"));
    c.epochs = std::size_t(v.count("epochs"));
    c.batch = std::size_t(v.count("batch"));
    c.lr = v.real("lr");
    c.seed = v.seed();
    c.data = data;
    const data::Dataset& set = data::dataset(data);
    if (set.finite() && c.points > set.train_rows.size())
        throw UsageError(fmt::format("--points {}: data set {} has {} training rows", c.points, data,
                                     set.train_rows.size()));
    c.val_points = data::held_out_count(set, c.val_points);
}
}  // namespace

nf::Config nf_config(const Values& v, const std::string& data) {
    nf::Config c;
    c.arch.couplings = std::size_t(v.count("couplings"));
    c.arch.depth = std::size_t(v.count("depth"));
    c.arch.hidden = std::size_t(v.count("hidden"));
    c.arch.identity_start = v.text("init") == "identity";
    training_flags(v, data, c);
    return c;
}

planar::Config planar_config(const Values& v, const std::string& data) {
    planar::Config c;
    c.layers = std::size_t(v.count("layers"));
    training_flags(v, data, c);
    return c;
}

cnf::Config cnf_config(const Values& v, const std::string& data) {
    cnf::Config c;
    c.hidden = std::size_t(v.count("hidden"));
    c.depth = std::size_t(v.count("depth"));
    c.steps = std::size_t(v.count("steps"));
    training_flags(v, data, c);
    return c;
}

nf::TriConfig tri_config(const Values& v, const std::string& data) {
    nf::TriConfig c;
    if (data != c.data) throw UsageError(fmt::format("a tri model draws data set '{}', not '{}'", c.data, data));
    c.couplings = std::size_t(v.count("couplings"));
    c.hidden = std::size_t(v.count("hidden"));
    c.depth = std::size_t(v.count("depth"));
    if (c.depth < 2) throw UsageError("--depth of a tri model must be at least 2 (one hidden layer)");
    c.with_a = v.text("kept") == "lower";
    c.points = std::size_t(v.count("points"));
    c.epochs = std::size_t(v.count("epochs"));
    c.batch = std::size_t(v.count("batch"));
    c.lr = v.real("lr");
    c.seed = v.seed();
    return c;
}

fm::Config fm_config(const std::string& kind, const Values& v, const std::string& data) {
    fm::Config c;
    c.shape.depth = std::size_t(v.count("depth"));
    c.shape.hidden = std::size_t(v.count("hidden"));
    c.shape.classes = kind == "cfm" ? data::dataset(data).classes().size() : 0;
    training_flags(v, data, c);
    c.time_sampling = v.text("time-sampling") == "uniform" ? fm::TimeSampling::Uniform : fm::TimeSampling::Log;
    c.time_floor = v.real("time-floor");
    return c;
}

fm::NewClassConfig new_class_config(const Values& v) {
    if (v.text("base").empty())
        throw UsageError("a new-class model needs --base, the folder of the model it is fitted on");
    if (v.text("target").empty()) throw UsageError("a new-class model needs --target x,y");
    const auto target = v.points("target");
    if (target.size() != 1) throw UsageError("--target takes one point x,y");
    fm::NewClassConfig c = fm::new_class_config(v.path("base"), target.front(), v.text("fit") == "embedding");
    c.fit.steps = std::size_t(v.count("steps"));
    c.fit.batch = std::size_t(v.count("batch"));
    c.fit.old_batch = std::size_t(v.count("old-batch"));
    c.fit.lr = v.real("lr");
    c.seed = v.seed();
    return c;
}

fm::Integration integration(const Values& v) { return {v.real("dt"), fm::solver_from(v.text("solver"))}; }

}  // namespace flow::config
