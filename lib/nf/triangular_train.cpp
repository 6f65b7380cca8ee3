#include "nf/triangular_train.hpp"

#include <stdexcept>

#include "io/models.hpp"
#include "optim/adam.hpp"

namespace flow::nf {

namespace fs = std::filesystem;

namespace {
// 2: validation on its own stream, "tri/val", and scoring on "tri/held".
constexpr int kTriCodeVersion = 2;

TriangularFlow<float> make_flow(const TriConfig& c, Rng& rng) {
    return TriangularFlow<float>(c.set.dim, c.couplings, c.hidden, c.depth, c.with_a, rng);
}
}  // namespace

TriConfig TriConfig::from_json(const nlohmann::json& j) {
    if (j.at("model") != "tri" || j.at("code_version") != kTriCodeVersion)
        throw std::runtime_error("not a triangular-coupling configuration of this code version");
    TriConfig c;
    c.couplings = j.at("couplings").get<std::size_t>();
    c.hidden = j.at("hidden").get<std::size_t>();
    c.depth = j.at("depth").get<std::size_t>();
    c.with_a = j.at("kept") == "lower";
    c.set.dim = j.at("dim").get<std::size_t>();
    c.set.rho = j.at("rho").get<double>();
    io::read_training_settings(j, c);
    c.patience = io::read_patience(j);
    return c;
}

nlohmann::json TriConfig::to_json() const {
    nlohmann::json j = {{"model", "tri"}, {"code_version", kTriCodeVersion}, {"couplings", couplings},
                        {"hidden", hidden}, {"depth", depth}, {"kept", with_a ? "lower" : "identity"},
                        {"data", data}, {"dim", set.dim}, {"rho", set.rho}};
    j.update(io::training_settings(points, val_points, epochs, batch, lr, seed));
    io::record_patience(j, patience);
    return j;
}

nn::Mat<double> tri_points(const TriConfig& cfg, TriRows rows) {
    const char* stream = rows == TriRows::Train ? "tri/data" : rows == TriRows::Validation ? "tri/val" : "tri/held";
    Rng rng(cfg.seed, stream);
    return cfg.set.sample(rows == TriRows::Train ? cfg.points : cfg.val_points, rng);
}

TriModel train_tri(const TriConfig& cfg, bool progress) {
    Rng init(cfg.seed, "tri/init"), order(cfg.seed, "tri/order");
    TriModel m;
    m.config = cfg;
    m.flow = make_flow(cfg, init);
    const nn::Mat<float> x = xt::cast<float>(tri_points(cfg, TriRows::Train)),
                         val = xt::cast<float>(tri_points(cfg, TriRows::Validation));
    optim::Adam<float> adam(nn::params_of(m.flow));
    data::Batches batches(x.shape(0), cfg.batch);
    nn::Mat<float> xb;
    TriangularFlow<float>::Tape tape;
    const auto batch = [&](std::size_t b) {
        batches.gather(b, x, xb);
        const double l = m.flow.loss(xb, tape);
        if (std::isfinite(l)) m.flow.backward(tape);
        return l;
    };
    train::BestEpoch best(nn::params_of(m.flow), cfg.patience);
    // The validation pass's tape kept from epoch to epoch: its buffers (the validation
    // rows through networks 512 wide) are large enough that malloc maps them afresh, and
    // the kernel cleared the pages every epoch (a third of a fit's time, in the kernel).
    TriangularFlow<float>::Tape val_tape;
    const auto epoch_end = [&](const train::EpochEnd& e) {
        const double v = m.flow.loss(val, val_tape);
        m.history.push_back({e.epoch, e.lr, e.train_loss, v, e.seconds});
        best.offer(e.epoch, v);
        return fmt::format("train {:.4f} val {:.4f} ({:.2f} s)", e.train_loss, v, e.seconds);
    };
    m.train_seconds = train::run({"tri", cfg.epochs, cfg.lr, "try a smaller --lr", [&] { return best.exhausted(); }},
                                 adam, batches, order, batch, epoch_end, progress);
    best.restore();
    return m;  // scale stays the identity: the set is used in its own units
}

namespace {

const train::Keeping<TriModel>& tri_keeping() {
    static const auto k = [] {
        auto kk = train::likelihood_keeping<TriModel>(
            "tri", [](const TriConfig& c, std::size_t, Rng& rng) { return make_flow(c, rng); });
        kk.empty = [](const nlohmann::json& config) {
            TriModel m;
            m.config = TriConfig::from_json(config);
            Rng unused(m.config.seed, "tri/init");
            m.flow = make_flow(m.config, unused);
            return m;
        };
        return kk;
    }();
    return k;
}

}  // namespace

TriModel obtain_tri(const TriConfig& cfg, bool force) {
    return train::cached<TriModel>(tri_keeping(), cfg.to_json(), force, [&] { return train_tri(cfg); });
}

TriModel load_tri(const fs::path& dir) { return train::read_checkpoint(tri_keeping(), dir); }

}  // namespace flow::nf
