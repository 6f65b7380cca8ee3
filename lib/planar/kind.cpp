// Kind "planar": a planar flow fitted by maximum likelihood, with its exact inverse.
#include <memory>

#include <fmt/format.h>

#include "model/registry.hpp"
#include "train/loop.hpp"
#include "planar/train.hpp"

namespace flow::planar {

Config config(const config::Values& v, const std::string& data) {
    Config c;
    c.layers = std::size_t(v.count("layers"));
    model::set_training(v, data, c);
    c.patience = model::patience_of(v);
    return c;
}

namespace {

// Evaluated in double: a trained layer can be nearly singular, and both directions then
// amplify the input's rounding (float's would reach the round trip).
class Planar : public model::Holding<Model> {
public:
    Planar(model::Record r, Model m)
        : Holding(std::move(r), std::move(m)), exact_(std::make_shared<Flow<double>>(cast<double>(model.flow))) {}

    std::vector<double> log_prob(const Mat<float>& x) const override { return exact_->log_prob(wide(x)); }
    Mat<float> latent(const Mat<float>& x) const override {
        Flow<double>::Tape tape;
        return Mat<float>(xt::cast<float>(exact_->forward(wide(x), tape)));
    }
    Mat<float> generate(const Mat<float>& z) const override {
        return Mat<float>(xt::cast<float>(exact_->inverse(wide(z))));
    }
    double round_trip(const Mat<float>& x) const override {
        Flow<double>::Tape tape;
        const Mat<double> xd = wide(x);
        const Mat<double> back = exact_->inverse(exact_->forward(xd, tape));
        double r = 0;
        for (std::size_t i = 0; i < xd.size(); ++i) r = std::max(r, std::fabs(back.data()[i] - xd.data()[i]));
        return r;
    }

private:
    static Mat<double> wide(const Mat<float>& x) { return Mat<double>(xt::cast<double>(x)); }
    std::shared_ptr<Flow<double>> exact_;
};

model::Record record_of(Model& m) {
    model::Record r = model::epoch_record("planar", m, m.flow, [](const auto& e) { return e.val_loss; });
    r.kept_epoch = train::kept_epoch(r.val_loss, m.config.patience);
    r.density_passes = r.sample_passes = m.flow.layers.size();
    r.architecture = fmt::format("{} planar layers", m.config.layers);
    return r;
}

model::Kind kind() {
    model::Kind k;
    k.name = "planar";
    k.summary = "planar flow, fitted by maximum likelihood; sampled through its exact inverse";
    k.flags = model::training_flags("250000", "500", "128", "0.001");
    k.flags.push_back(model::patience_flag());
    k.flags.push_back({"layers", config::Kind::Count, "16", "planar layers"});
    k.obtain = [](const config::Values& v, const std::string& data, bool force) {
        return obtain(config(v, data), force).dir;
    };
    k.load = [](const std::filesystem::path& dir) {
        return model::hold<Planar>(load(dir), record_of);
    };
    return k;
}

}  // namespace
}  // namespace flow::planar

FLOWREPORT_KIND(flow::planar::kind)
