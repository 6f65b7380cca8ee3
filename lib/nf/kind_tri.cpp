// Kind "tri": a flow of triangular couplings (a learned lower-triangular map of the kept
// half) fitted by maximum likelihood on the correlated Gaussian it draws itself.
#include <memory>

#include <fmt/format.h>

#include "model/registry.hpp"
#include "nf/triangular_train.hpp"
#include "train/loop.hpp"

namespace flow::nf {

TriConfig tri_config(const config::Values& v, const std::string& data) {
    TriConfig c;
    if (data != c.data) throw config::UsageError(fmt::format("a tri model draws data set '{}', not '{}'", c.data, data));
    c.couplings = std::size_t(v.count("couplings"));
    c.hidden = std::size_t(v.count("hidden"));
    c.depth = std::size_t(v.count("depth"));
    if (c.depth < 2) throw config::UsageError("--depth of a tri model must be at least 2 (one hidden layer)");
    c.with_a = v.text("kept") == "lower";
    c.points = std::size_t(v.count("points"));
    c.epochs = std::size_t(v.count("epochs"));
    c.batch = std::size_t(v.count("batch"));
    c.lr = v.real("lr");
    c.seed = v.seed();
    c.patience = model::patience_of(v);
    return c;
}

namespace {

class Triangular : public model::Holding<TriModel> {
public:
    using Holding::Holding;
    std::vector<double> log_prob(const Mat<float>& x) const override { return model.flow.log_prob(x); }
};

model::Record tri_record(TriModel& m) {
    model::Record r = model::epoch_record("tri", m, m.flow, [](const auto& e) { return e.val_loss; });
    r.kept_epoch = train::kept_epoch(r.val_loss, m.config.patience);
    r.density_passes = 2 * m.config.couplings;
    r.architecture = fmt::format("{} triangular couplings, networks {}$\\times${}", m.config.couplings,
                                 m.config.depth, m.config.hidden);
    return r;
}

model::Kind tri_kind() {
    using config::Kind;
    model::Kind k;
    k.name = "tri";
    k.summary = "flow of triangular couplings on a correlated Gaussian it draws itself";
    k.source = model::Source::OwnData;
    k.own_data = TriConfig().data;
    k.flags = model::training_flags("4000", "100", "128", "0.001");
    k.flags.push_back(model::patience_flag());
    k.flags.push_back({"couplings", Kind::Count, "1", "triangular couplings (the halves alternate)"});
    k.flags.push_back({"depth", Kind::Count, "2", "linear layers per coupling network"});
    k.flags.push_back({"hidden", Kind::Count, "32", "units per hidden layer"});
    k.flags.push_back({"kept", Kind::Choice, "lower",
                       "the kept half's map: a learned lower-triangular A, or the identity (the plain coupling)", 0.0,
                       {"lower", "identity"}});
    k.obtain = [](const config::Values& v, const std::string& data, bool force) {
        return obtain_tri(tri_config(v, data), force).dir;
    };
    k.load = [](const std::filesystem::path& dir) {
        return model::hold<Triangular>(load_tri(dir), tri_record);
    };
    return k;
}

}  // namespace
}  // namespace flow::nf

FLOWREPORT_KIND(flow::nf::tri_kind)
