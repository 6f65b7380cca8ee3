#include "cnf/train.hpp"

#include <cmath>
#include <stdexcept>

#include "data/dataset.hpp"
#include "io/models.hpp"

namespace flow::cnf {

namespace fs = std::filesystem;

namespace {
constexpr int kCodeVersion = 1;

Flow<float> make_flow(const Config& c, std::size_t dim, Rng& rng) {
    return Flow<float>{Field<float>(dim, c.hidden, c.depth, rng), c.steps};
}
}  // namespace

Config Config::from_json(const nlohmann::json& j) {
    if (j.at("model") != "cnf" || j.at("code_version") != kCodeVersion)
        throw std::runtime_error("not a continuous-flow configuration of this code version");
    Config c;
    c.hidden = j.at("hidden").get<std::size_t>();
    c.depth = j.at("depth").get<std::size_t>();
    c.steps = j.at("steps").get<std::size_t>();
    c.data = j.at("data").get<std::string>();
    io::read_training_settings(j, c);
    c.patience = io::read_patience(j);
    return c;
}

nlohmann::json Config::to_json() const {
    nlohmann::json j = {{"model", "cnf"}, {"code_version", kCodeVersion}, {"hidden", hidden}, {"depth", depth},
                        {"steps", steps}, {"solver", "rk4"}, {"activation", "tanh"}, {"data", data}};
    j.update(io::training_settings(points, val_points, epochs, batch, lr, seed));
    io::record_patience(j, patience);
    return j;
}

Mat<float> sample(const Flow<float>& flow, std::size_t n, Rng& rng, Mat<float>* z) {
    Mat<float> prior = nn::normal_draws(rng, n, flow.field.dim);
    Mat<float> x = flow.inverse(prior);
    if (z) *z = std::move(prior);
    return x;
}

Model train(const Config& cfg, bool progress) {
    Rng init(cfg.seed, "cnf/init");
    Model m;
    m.config = cfg;
    m.flow = make_flow(cfg, data::dataset(cfg.data).dim, init);
    train::fit_likelihood<Model>(
        m, "cnf", [](Model& mm, const Mat<float>& x, bool grads) { return mm.flow.loss(x, grads); }, progress);
    return m;
}

namespace {

const train::Keeping<Model>& keeping() {
    static const auto k = train::likelihood_keeping<Model>("cnf", make_flow);
    return k;
}

}  // namespace

Model obtain(const Config& cfg, bool force) {
    return train::cached<Model>(keeping(), cfg.to_json(), force, [&] { return train(cfg); });
}

Model load(const fs::path& dir) { return train::read_checkpoint(keeping(), dir); }

}  // namespace flow::cnf
