#include "nf/train.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include <xtensor/xview.hpp>

#include "core/files.hpp"
#include "data/batches.hpp"
#include "data/dataset.hpp"
#include "io/checkpoint.hpp"
#include "io/models.hpp"
#include "optim/adam.hpp"
#include "train/loop.hpp"

namespace flow::nf {

namespace {
// Raised whenever a change to the code changes what a configuration trains to, so
// that no checkpoint of older code is taken for a new one.
constexpr int kCodeVersion = 2;
}  // namespace

Config Config::from_json(const nlohmann::json& j) {
    if (j.at("model") != "nf" || j.at("code_version") != kCodeVersion)
        throw std::runtime_error("not a normalizing-flow configuration of this code version");
    Config c;
    c.arch.couplings = j.at("couplings").get<std::size_t>();
    c.arch.depth = j.at("depth").get<std::size_t>();
    c.arch.hidden = j.at("hidden").get<std::size_t>();
    c.arch.log_scale_bound = j.at("log_scale_bound").get<double>();
    c.arch.identity_start = j.at("init") == "identity";
    c.data = j.at("data").get<std::string>();
    io::read_training_settings(j, c);
    c.patience = io::read_patience(j);
    c.clip = j.value("clip", 0.0);
    return c;
}

nlohmann::json Config::to_json() const {
    nlohmann::json j = {{"model", "nf"},
                        {"code_version", kCodeVersion},
                        {"couplings", arch.couplings},
                        {"depth", arch.depth},
                        {"hidden", arch.hidden},
                        {"log_scale_bound", arch.log_scale_bound},
                        {"init", arch.identity_start ? "identity" : "default"},
                        {"data", data}};
    j.update(io::training_settings(points, val_points, epochs, batch, lr, seed));
    io::record_patience(j, patience);
    if (clip > 0) j["clip"] = clip;  // recorded only when set: older configurations keep their hashes
    return j;
}

xt::xtensor<float, 2> sample(const NormalizingFlow<float>& flow, std::size_t n, Rng& rng,
                             std::vector<nn::Mat<float>>* path) {
    const nn::Mat<float> z = nn::normal_draws(rng, n, flow.dim());
    nn::Mat<float> x;
    flow.forward(z, x, path);
    return x;
}

namespace {
// The flow's permutation reverses the coordinates, an involution: applying it an even
// number of times is the identity.
void reverse_columns(nn::Mat<float>& m) {
    const std::size_t D = m.shape(1);
    for (std::size_t i = 0; i < m.shape(0); ++i)
        for (std::size_t j = 0; j < D / 2; ++j) std::swap(m(i, j), m(i, D - 1 - j));
}
}  // namespace

void to_output_frame(std::vector<nn::Mat<float>>& path) {
    // path[k] (k >= 1) follows coupling k-1 and its permutation: L-1-k permutations
    // remain before the output; path[0] = z has L-1 ahead of it.
    const std::size_t L = path.size() - 1;
    for (std::size_t k = 0; k + 1 < path.size(); ++k) {
        const std::size_t remaining = k == 0 ? L - 1 : L - 1 - k;
        if (remaining % 2 == 1) reverse_columns(path[k]);
    }
}

void inverse_to_output_frame(std::vector<nn::Mat<float>>& path) {
    // path[j] (j >= 1) is the input of coupling L-j: j-1 permutations lie between it and x.
    for (std::size_t j = 1; j < path.size(); ++j)
        if ((j - 1) % 2 == 1) reverse_columns(path[j]);
}

LossParts evaluate(const NormalizingFlow<float>& flow, const xt::xtensor<float, 2>& x) {
    NormalizingFlow<float>::Tape tape;
    return evaluate(flow, x, tape);
}

LossParts evaluate(const NormalizingFlow<float>& flow, const xt::xtensor<float, 2>& x,
                   NormalizingFlow<float>::Tape& tape) {
    LossParts sum;
    const std::size_t n = x.shape(0), chunk = 4096;
    nn::Mat<float> xb;
    for (std::size_t s = 0; s < n; s += chunk) {
        const std::size_t e = std::min(n, s + chunk);
        xb = xt::view(x, xt::range(s, e), xt::all());
        const LossParts p = flow.loss(xb, tape);
        const double w = double(e - s) / double(n);
        sum.total += w * p.total;
        sum.log_pz += w * p.log_pz;
        sum.logdet += w * p.logdet;
    }
    return sum;
}

Model train(const Config& cfg, bool progress) {
    Rng data_rng(cfg.seed, "nf/data"), val_rng(cfg.seed, "nf/val"), init(cfg.seed, "nf/init"),
        order(cfg.seed, "nf/order");
    const data::Dataset& set = data::dataset(cfg.data);
    const auto train_set = data::training_points(set, cfg.points, data_rng);
    // The validation points, standardised like the training set (the model's frame).
    const xt::xtensor<float, 2> val =
        data::in_frame(data::validation_points(set, cfg.val_points, val_rng), train_set.scale);

    Model m;
    m.config = cfg;
    Architecture arch = cfg.arch;
    arch.dim = set.dim;
    m.flow = NormalizingFlow<float>(arch, init);
    nn::Params<float> ps;
    m.flow.params(ps);
    optim::AdamSettings as;
    as.clip_norm = cfg.clip;
    optim::Adam<float> adam(ps, as);
    data::Batches batches(cfg.points, cfg.batch);
    nn::Mat<float> xb;
    NormalizingFlow<float>::Tape tape;
    // The mean negative log-likelihood of a batch, then its gradients.
    const auto batch = [&](std::size_t b) {
        batches.gather(b, train_set.x, xb);
        const LossParts p = m.flow.loss(xb, tape);
        if (std::isfinite(p.total)) m.flow.backward(tape);
        return p.total;
    };
    NormalizingFlow<float>::Tape val_tape;  // kept across epochs: no fresh buffers each time
    train::BestEpoch best(ps, cfg.patience);
    const auto epoch_end = [&](const train::EpochEnd& e) {
        const LossParts v = evaluate(m.flow, val, val_tape);
        if (!std::isfinite(v.total))
            throw std::runtime_error(fmt::format(
                "nf training diverged: the validation loss is not finite after epoch {}; try a "
                "smaller --lr (no checkpoint written)", e.epoch));
        m.history.push_back({e.epoch, e.lr, e.train_loss, v, e.seconds});
        best.offer(e.epoch, v.total);
        return fmt::format("train {:.4f} val {:.4f} ({:.2f} s)", e.train_loss, v.total, e.seconds);
    };
    m.train_seconds = train::run({"nf", cfg.epochs, cfg.lr, "try a smaller --lr or fewer --hidden units",
                                  [&] { return best.exhausted(); }},
                                 adam, batches, order, batch, epoch_end, progress);
    best.restore();
    m.scale = train_set.scale;
    return m;
}

namespace {

nlohmann::json history_json(const std::vector<EpochRecord>& h) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& e : h)
        j.push_back({{"epoch", e.epoch},
                     {"lr", e.lr},
                     {"train_loss", e.train_loss},
                     {"val_loss", e.val.total},
                     {"val_log_pz", e.val.log_pz},
                     {"val_logdet", e.val.logdet},
                     {"seconds", e.seconds}});
    return j;
}

std::vector<EpochRecord> history_from(const nlohmann::json& j) {
    std::vector<EpochRecord> h;
    for (const auto& e : j)
        h.push_back({e.at("epoch").get<std::size_t>(), e.at("lr").get<double>(),
                     e.at("train_loss").get<double>(),
                     {e.at("val_loss").get<double>(), e.at("val_log_pz").get<double>(),
                      e.at("val_logdet").get<double>()},
                     e.at("seconds").get<double>()});
    return h;
}

const train::Keeping<Model>& keeping() {
    static const train::Keeping<Model> k{
        "nf",
        [](const nlohmann::json& config) {
            Model m;
            m.config = Config::from_json(config);
            Rng unused(m.config.seed, "nf/init");
            Architecture arch = m.config.arch;
            arch.dim = data::dataset(m.config.data).dim;
            m.flow = NormalizingFlow<float>(arch, unused);
            return m;
        },
        [](Model& m) { return nn::params_of(m.flow); },
        [](const Model& m) { return history_json(m.history).dump(2) + "\n"; },
        [](Model& m, const nlohmann::json& h) { m.history = history_from(h); }};
    return k;
}

}  // namespace

Model obtain(const Config& cfg, bool force) {
    return train::cached<Model>(keeping(), cfg.to_json(), force, [&] { return train(cfg); });
}

Model load(const fs::path& dir) { return train::read_checkpoint(keeping(), dir); }

}  // namespace flow::nf
