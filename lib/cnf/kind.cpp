// Kind "cnf": a continuous normalizing flow (exact trace, RK4) fitted by maximum likelihood.
#include <memory>

#include <fmt/format.h>

#include "cnf/train.hpp"
#include "model/registry.hpp"
#include "train/loop.hpp"

namespace flow::cnf {

Config config(const config::Values& v, const std::string& data) {
    Config c;
    c.hidden = std::size_t(v.count("hidden"));
    c.depth = std::size_t(v.count("depth"));
    c.steps = std::size_t(v.count("steps"));
    model::set_training(v, data, c);
    c.patience = model::patience_of(v);
    return c;
}

namespace {

class Continuous : public model::Holding<Model> {
public:
    using Holding::Holding;
    std::vector<double> log_prob(const Mat<float>& x) const override { return model.flow.log_prob(x); }
    Mat<float> latent(const Mat<float>& x) const override { return model.flow.latent(x); }
    Mat<float> generate(const Mat<float>& z) const override { return model.flow.inverse(z); }
};

model::Record record_of(Model& m) {
    model::Record r = model::epoch_record("cnf", m, m.flow, [](const auto& e) { return e.val_loss; });
    r.kept_epoch = train::kept_epoch(r.val_loss, m.config.patience);
    r.density_passes = r.sample_passes = 4 * m.flow.steps;
    r.architecture = fmt::format("field {}$\\times${} ($\\tanh$), {} RK4 steps", m.config.depth, m.config.hidden,
                                 m.config.steps);
    return r;
}

model::Kind kind() {
    using config::Kind;
    model::Kind k;
    k.name = "cnf";
    k.summary = "continuous normalizing flow, fitted by maximum likelihood through the RK4 solve";
    k.flags = model::training_flags("250000", "100", "128", "0.001");
    k.flags.push_back(model::patience_flag());
    k.flags.push_back({"depth", Kind::Count, "3", "linear layers of the vector field (tanh between)"});
    k.flags.push_back({"hidden", Kind::Count, "32", "units per hidden layer"});
    k.flags.push_back({"steps", Kind::Count, "10", "RK4 steps on [0, 1] (4 field evaluations each)"});
    k.obtain = [](const config::Values& v, const std::string& data, bool force) {
        return obtain(config(v, data), force).dir;
    };
    k.load = [](const std::filesystem::path& dir) {
        return model::hold<Continuous>(load(dir), record_of);
    };
    return k;
}

}  // namespace
}  // namespace flow::cnf

FLOWREPORT_KIND(flow::cnf::kind)
