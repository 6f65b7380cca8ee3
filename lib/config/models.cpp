#include "config/models.hpp"

#include "data/dataset.hpp"

namespace flow::config {

bool known_kind(const std::string& kind) { return kind == "nf" || kind == "fm" || kind == "cfm"; }

namespace {
template <class Config>
void training_flags(const Values& v, Config& c) {
    c.points = std::size_t(v.count("points"));
    c.epochs = std::size_t(v.count("epochs"));
    c.batch = std::size_t(v.count("batch"));
    c.lr = v.real("lr");
    c.seed = v.seed();
}
}  // namespace

nf::Config nf_config(const Values& v, const std::string& data) {
    nf::Config c;
    c.arch.couplings = std::size_t(v.count("couplings"));
    c.arch.depth = std::size_t(v.count("depth"));
    c.arch.hidden = std::size_t(v.count("hidden"));
    c.arch.identity_start = v.text("init") == "identity";
    training_flags(v, c);
    c.data = data;
    return c;
}

fm::Config fm_config(const std::string& kind, const Values& v, const std::string& data) {
    fm::Config c;
    c.shape.depth = std::size_t(v.count("depth"));
    c.shape.hidden = std::size_t(v.count("hidden"));
    c.shape.classes = kind == "cfm" ? data::dataset(data).classes().size() : 0;
    training_flags(v, c);
    c.time_sampling = v.text("time-sampling") == "uniform" ? fm::TimeSampling::Uniform : fm::TimeSampling::Log;
    c.time_floor = v.real("time-floor");
    c.data = data;
    return c;
}

fm::Integration integration(const Values& v) { return {v.real("dt"), fm::solver_from(v.text("solver"))}; }

}  // namespace flow::config
