// Kinds "fm" and "cfm": a flow-matching vector field, unconditional or conditioned on the
// class of a labelled data set, trained on the flow-matching loss. Its density and
// samples need an integration step and solver, chosen when it is used: a chapter reaches
// the field through as<fm::Model>().
#include <memory>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "fm/train.hpp"
#include "model/registry.hpp"

namespace flow::fm {

Config config(const config::Values& v, const std::string& data, bool conditional) {
    Config c;
    c.shape.depth = std::size_t(v.count("depth"));
    c.shape.hidden = std::size_t(v.count("hidden"));
    c.shape.classes = conditional ? data::dataset(data).classes().size() : 0;
    if (conditional && c.shape.classes == 0)
        throw config::UsageError(fmt::format("a conditional field needs a labelled data set; '{}' has no classes", data));
    model::set_training(v, data, c);
    c.time_sampling = v.text("time-sampling") == "uniform" ? TimeSampling::Uniform : TimeSampling::Log;
    c.time_floor = v.real("time-floor");
    return c;
}

Integration integration(const config::Values& v) { return {v.real("dt"), solver_from(v.text("solver"))}; }

std::vector<config::FlagSpec> integration_flags() {
    using config::Kind;
    return {{"dt", Kind::PositiveReal, "0.001", "integration step", 1.0},
            {"solver", Kind::Choice, "euler", "ODE stepper", 0.0, {"euler", "midpoint", "rk4"}}};
}

namespace {

model::Record field_record(Model& m) {
    model::Record r = model::epoch_record(m.config.kind(), m, m.field, [](const auto& e) { return e.val_loss; });
    r.architecture = fmt::format("field {}$\\times${} LeakyReLU", m.config.shape.depth, m.config.shape.hidden);
    return r;
}

model::Kind field_kind(bool conditional) {
    using config::Kind;
    model::Kind k;
    k.name = conditional ? "cfm" : "fm";
    k.summary = conditional ? "conditional flow matching: a vector field given the class of a labelled data set"
                            : "flow matching: a vector field from the standard Gaussian to the data";
    k.flags = model::training_flags("250000", "100", "128", "0.001");
    k.flags.push_back({"depth", Kind::Count, "5", "linear layers of the vector field"});
    k.flags.push_back({"hidden", Kind::Count, "64", "units per hidden layer"});
    k.flags.push_back({"time-sampling", Kind::Choice, "log", "how training draws t (log: 1-t log-uniform)", 0.0,
                       {"log", "uniform"}});
    k.flags.push_back({"time-floor", Kind::PositiveReal, "0.003", "smallest 1-t drawn by --time-sampling log", 0.5});
    k.obtain = [conditional](const config::Values& v, const std::string& data, bool force) {
        return obtain(config(v, data, conditional), force).dir;
    };
    k.load = [name = k.name](const std::filesystem::path& dir) {
        return model::hold<model::Holding<Model>>(load(dir, name), field_record);
    };
    return k;
}

model::Kind unconditional_kind() { return field_kind(false); }
model::Kind conditional_kind() { return field_kind(true); }

}  // namespace
}  // namespace flow::fm

FLOWREPORT_KIND(flow::fm::unconditional_kind)
FLOWREPORT_KIND(flow::fm::conditional_kind)
