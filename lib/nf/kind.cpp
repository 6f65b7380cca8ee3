// Kind "nf": a normalizing flow of affine couplings fitted by maximum likelihood.
#include <fmt/format.h>

#include "data/dataset.hpp"
#include "model/registry.hpp"
#include "train/loop.hpp"
#include "nf/train.hpp"

namespace flow::nf {

Config config(const config::Values& v, const std::string& data) {
    Config c;
    c.arch.couplings = std::size_t(v.count("couplings"));
    c.arch.depth = std::size_t(v.count("depth"));
    c.arch.hidden = std::size_t(v.count("hidden"));
    c.arch.identity_start = v.text("init") == "identity";
    c.arch.log_scale_bound = v.real("scale-bound");
    model::set_training(v, data, c);
    c.patience = model::patience_of(v);
    c.clip = v.real("clip");
    return c;
}

namespace {

model::Record record_of(Model& m) {
    model::Record r = model::epoch_record("nf", m, m.flow, [](const auto& e) { return e.val.total; });
    r.kept_epoch = train::kept_epoch(r.val_loss, m.config.patience);
    r.density_passes = r.sample_passes = 2 * m.flow.layers();  // a scale and a shift network each
    r.architecture = fmt::format("{} couplings, networks {}$\\times${} LeakyReLU, $\\lvert s\\rvert < {:g}$",
                                 m.config.arch.couplings, m.config.arch.depth, m.config.arch.hidden,
                                 m.config.arch.log_scale_bound);
    return r;
}

class Coupled : public model::Holding<Model> {
public:
    using Holding::Holding;

    std::vector<double> log_prob(const Mat<float>& x) const override { return model.flow.log_prob(x); }
    Mat<float> latent(const Mat<float>& x) const override {
        Mat<float> z;
        std::vector<float> logdet;
        model.flow.inverse(x, z, logdet);
        return z;
    }
    Mat<float> generate(const Mat<float>& z) const override {
        Mat<float> x;
        model.flow.forward(z, x);
        return x;
    }
};

model::Kind kind() {
    using config::Kind;
    model::Kind k;
    k.name = "nf";
    k.summary = "normalizing flow of affine couplings, fitted by maximum likelihood";
    k.flags = model::training_flags("250000", "20", "128", "0.001");
    k.flags.push_back(model::patience_flag());
    k.flags.push_back({"couplings", Kind::Count, "30", "affine coupling layers"});
    k.flags.push_back({"depth", Kind::Count, "5", "linear layers per coupling network"});
    k.flags.push_back({"hidden", Kind::Count, "16", "units per hidden layer"});
    k.flags.push_back({"scale-bound", Kind::PositiveReal, "2",
                       "bound c of each coupling's log-scale, |s| < c (s = c tanh(u / c))", 50.0});
    k.flags.push_back({"clip", Kind::NonNegativeReal, "0",
                       "clip the gradients to this global L2 norm before each Adam step (0: never)"});
    k.flags.push_back({"init", Kind::Choice, "default", "coupling networks' start", 0.0, {"default", "identity"}});
    k.obtain = [](const config::Values& v, const std::string& data, bool force) {
        return obtain(config(v, data), force).dir;
    };
    k.load = [](const std::filesystem::path& dir) {
        return model::hold<Coupled>(load(dir), record_of);
    };
    return k;
}

}  // namespace
}  // namespace flow::nf

FLOWREPORT_KIND(flow::nf::kind)
