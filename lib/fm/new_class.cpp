#include "fm/new_class.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "core/files.hpp"
#include "io/checkpoint.hpp"
#include "io/models.hpp"
#include "optim/adam.hpp"
#include "train/loop.hpp"

namespace flow::fm {

namespace fs = std::filesystem;

namespace {
// Raised whenever a change to the code changes what a configuration fits to.
constexpr int kNewClassCodeVersion = 1;
constexpr const char* kKind = "new-class";

// The configuration in a checkpoint folder's model.json; one line when there is none.
nlohmann::json checkpoint_config(const fs::path& dir) {
    if (!fs::exists(dir / "model.json"))
        throw std::runtime_error(fmt::format("{} is not a checkpoint folder (it has no model.json)", dir.string()));
    return nlohmann::json::parse(read_file(dir / "model.json")).at("config");
}
}  // namespace

VectorField<float> with_new_class(const VectorField<float>& field) {
    if (!field.conditional()) throw std::logic_error("with_new_class needs a conditional field");
    VectorField<float> f = field;
    const std::size_t K = field.shape.classes, d = field.shape.embed_dim;
    f.shape.classes = K + 1;
    f.embed.table = nn::Mat<float>::from_shape({K + 1, d});
    f.embed.dtable = xt::zeros<float>({K + 1, d});
    for (std::size_t j = 0; j < d; ++j) {
        double mean = 0;
        for (std::size_t k = 0; k < K; ++k) {
            f.embed.table(k, j) = field.embed.table(k, j);
            mean += double(field.embed.table(k, j)) / double(K);
        }
        f.embed.table(K, j) = float(mean);
    }
    return f;
}

std::vector<double> fit_new_class(VectorField<float>& field, const std::array<double, 2>& a,
                                  const data::PointSet* old_data, const NewClassFit& how, Rng& rng,
                                  double* seconds, bool progress) {
    if (!field.conditional()) throw std::logic_error("fit_new_class needs a conditional field");
    if (!how.embedding_only && !old_data) throw std::logic_error("fine-tuning needs the old classes' data");
    const int K = int(field.shape.classes) - 1;  // the new class
    const std::size_t d = field.shape.embed_dim;
    nn::Params<float> ps;
    if (how.embedding_only)
        ps.push_back({"embed.new_row", field.embed.table.data() + std::size_t(K) * d,
                      field.embed.dtable.data() + std::size_t(K) * d, {d}});
    else
        field.params(ps);
    optim::Adam<float> adam(ps);
    nn::Params<float> all;  // every gradient buffer the backward pass touches
    field.params(all);
    const std::size_t nb = how.batch, N = how.embedding_only ? nb : nb + how.old_batch;
    Mat<float> y = Mat<float>::from_shape({N, std::size_t(2)}), u = y, dv = y;
    std::vector<float> t(N);
    Labels labels = Labels::from_shape({N});
    VectorField<float>::Tape tape;
    std::vector<double> losses;
    const auto step = [&](std::size_t) {
        // Rows [0, nb): the new class, x = a. Rows [nb, N): old data, when fine-tuning.
        for (std::size_t i = 0; i < N; ++i) {
            const bool fresh = i < nb;
            std::size_t row = 0;
            if (!fresh) row = std::size_t(rng.uniform() * double(old_data->x.shape(0))) % old_data->x.shape(0);
            const double x0 = fresh ? a[0] : double(old_data->x(row, 0));
            const double x1 = fresh ? a[1] : double(old_data->x(row, 1));
            const double e0 = rng.normal(), e1 = rng.normal();
            t[i] = draw_time(rng, how.time_sampling, how.time_floor);
            // y = t x + (1 - t) eps, target x - eps.
            y(i, 0) = float(double(t[i]) * x0 + (1.0 - double(t[i])) * e0);
            y(i, 1) = float(double(t[i]) * x1 + (1.0 - double(t[i])) * e1);
            u(i, 0) = float(x0 - e0);
            u(i, 1) = float(x1 - e1);
            labels(i) = fresh ? K : old_data->labels(row);
        }
        if (how.embedding_only) nn::zero_grad(all);  // the frozen network's gradients (adam zeroes its own)
        const Mat<float>& v = field.forward(y, t, &labels, tape);
        // loss = (1/N) sum |v - u|^2, so dL/dv = 2 (v - u) / N; reported on the new class.
        double fresh_loss = 0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                const float diff = v(i, c) - u(i, c);
                dv(i, c) = 2.0f * diff / float(N);
                if (i < nb) fresh_loss += double(diff) * double(diff) / double(nb);
            }
        if (!std::isfinite(fresh_loss)) return fresh_loss;
        losses.push_back(fresh_loss);
        field.backward(dv, &labels, tape);
        return fresh_loss;
    };
    const auto epoch_end = [](const train::EpochEnd& e) {
        return fmt::format("loss {:.4f} ({:.2f} s)", e.train_loss, e.seconds);
    };
    const double secs = train::run({kKind, 1, how.lr, "try a smaller --lr"}, adam, how.steps, [] {}, step,
                                   epoch_end, progress);
    if (seconds) *seconds = secs;
    return losses;
}

nlohmann::json NewClassConfig::to_json() const {
    nlohmann::json j = {{"model", kKind},
                        {"code_version", kNewClassCodeVersion},
                        {"base", base},
                        {"data", data},
                        {"depth", shape.depth},
                        {"hidden", shape.hidden},
                        {"classes", shape.classes},
                        {"embed_dim", shape.embed_dim},
                        {"target", target},
                        {"fit", fit.embedding_only ? "embedding" : "all"},
                        {"steps", fit.steps},
                        {"batch", fit.batch},
                        {"lr", fit.lr},
                        {"seed", seed},
                        {"time_sampling", fit.time_sampling == TimeSampling::Uniform ? "uniform" : "log"},
                        {"schedule", "cosine per step, to 0"},
                        {"optimizer", "adam 0.9 0.999 1e-8"}};
    if (fit.time_sampling == TimeSampling::Log) j["time_floor"] = fit.time_floor;
    if (!fit.embedding_only) j["old_batch"] = fit.old_batch;
    return j;
}

NewClassConfig NewClassConfig::from_json(const nlohmann::json& j) {
    if (j.at("model") != kKind || j.at("code_version") != kNewClassCodeVersion)
        throw std::runtime_error("not a new-class configuration of this code version");
    NewClassConfig c;
    c.base = j.at("base").get<std::string>();
    c.data = j.at("data").get<std::string>();
    c.shape.depth = j.at("depth").get<std::size_t>();
    c.shape.hidden = j.at("hidden").get<std::size_t>();
    c.shape.classes = j.at("classes").get<std::size_t>();
    c.shape.embed_dim = j.at("embed_dim").get<std::size_t>();
    c.target = j.at("target").get<std::array<double, 2>>();
    c.fit.embedding_only = j.at("fit") == "embedding";
    c.fit.steps = j.at("steps").get<std::size_t>();
    c.fit.batch = j.at("batch").get<std::size_t>();
    c.fit.lr = j.at("lr").get<double>();
    c.seed = j.at("seed").get<std::uint64_t>();
    c.fit.time_sampling = j.at("time_sampling") == "uniform" ? TimeSampling::Uniform : TimeSampling::Log;
    if (c.fit.time_sampling == TimeSampling::Log) c.fit.time_floor = j.at("time_floor").get<double>();
    if (!c.fit.embedding_only) c.fit.old_batch = j.at("old_batch").get<std::size_t>();
    return c;
}

NewClassConfig new_class_config(const fs::path& base_dir, const std::array<double, 2>& target, bool embedding_only) {
    const nlohmann::json j = checkpoint_config(base_dir);
    const std::string kind = j.value("model", "");
    NewClassConfig c;
    c.base = base_dir.filename().string();
    c.target = target;
    c.fit.embedding_only = embedding_only;
    if (kind == "cfm") {
        const Config b = Config::from_json(j);
        c.data = b.data;
        c.shape = b.shape;
        c.shape.classes += 1;
        c.fit.time_sampling = b.time_sampling;
        c.fit.time_floor = b.time_floor;
    } else if (kind == kKind) {
        const NewClassConfig b = NewClassConfig::from_json(j);
        c.data = b.data;
        c.shape = b.shape;
        if (b.target != target) c.shape.classes += 1;  // else: that class, fitted further
        c.fit.time_sampling = b.fit.time_sampling;
        c.fit.time_floor = b.fit.time_floor;
    } else {
        throw std::runtime_error(fmt::format("{} holds a {} model; a new class needs a conditional one (cfm or "
                                             "new-class)", base_dir.string(), kind.empty() ? "unknown" : kind));
    }
    return c;
}

namespace {

// The base's field, with the new class added when the configuration asks for one more.
VectorField<float> base_field(const NewClassConfig& cfg, const fs::path& base_dir) {
    const nlohmann::json j = checkpoint_config(base_dir);
    VectorField<float> f = j.at("model") == kKind ? load_new_class(base_dir).field : load(base_dir, "cfm").field;
    return f.shape.classes < cfg.shape.classes ? with_new_class(f) : f;
}

// The training set of the conditional model at the root of base_dir's chain of bases
// (each base a sibling folder of the one fitted on it).
data::PointSet root_training_set(const fs::path& base_dir) {
    fs::path dir = base_dir;
    nlohmann::json j = checkpoint_config(dir);
    while (j.at("model") == kKind) {
        dir = dir.parent_path() / j.at("base").get<std::string>();
        j = checkpoint_config(dir);
    }
    return training_set(Config::from_json(j));
}

const train::Keeping<NewClassModel>& new_class_keeping() {
    static const train::Keeping<NewClassModel> k{
        kKind,
        [](const nlohmann::json& config) {
            NewClassModel m;
            m.config = NewClassConfig::from_json(config);
            Rng unused(m.config.seed, std::string(kKind) + "/init");
            m.field = VectorField<float>(m.config.shape, unused);
            return m;
        },
        [](NewClassModel& m) { return nn::params_of(m.field); },
        [](const NewClassModel& m) { return nlohmann::json{{"loss", m.loss}}.dump() + "\n"; },
        [](NewClassModel& m, const nlohmann::json& h) { m.loss = h.at("loss").get<std::vector<double>>(); }};
    return k;
}

}  // namespace

NewClassModel obtain(const NewClassConfig& cfg, const fs::path& base_dir, bool force) {
    if (base_dir.filename().string() != cfg.base)
        throw std::logic_error("obtain: the configuration names base " + cfg.base + ", not " + base_dir.string());
    return train::cached<NewClassModel>(new_class_keeping(), cfg.to_json(), force, [&] {
        NewClassModel m;
        m.config = cfg;
        m.field = base_field(cfg, base_dir);
        double unused = 0;
        io::read_data_json(base_dir, m.scale, unused);
        const data::PointSet old = cfg.fit.embedding_only ? data::PointSet{} : root_training_set(base_dir);
        Rng rng(cfg.seed, std::string(kKind) + "/fit");
        m.loss = fit_new_class(m.field, cfg.target, cfg.fit.embedding_only ? nullptr : &old, cfg.fit, rng,
                               &m.train_seconds, true);
        return m;
    });
}

NewClassModel load_new_class(const fs::path& dir) {
    const nlohmann::json j = checkpoint_config(dir);
    if (j.value("model", "") != kKind)
        throw std::runtime_error(
            fmt::format("{} holds a {} model, not {}", dir.string(), j.value("model", "?"), kKind));
    return train::read_checkpoint(new_class_keeping(), dir);
}

}  // namespace flow::fm
