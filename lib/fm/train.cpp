#include "fm/train.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include <xtensor/xview.hpp>

#include "core/files.hpp"
#include "data/dataset.hpp"
#include "data/batches.hpp"
#include "fm/likelihood.hpp"
#include "io/checkpoint.hpp"
#include "io/models.hpp"
#include "optim/adam.hpp"
#include "train/loop.hpp"

namespace flow::fm {

namespace fs = std::filesystem;

namespace {
// Raised whenever a change to the code changes what a configuration trains to, or what
// its checkpoint holds (3: history.json keeps the drawn times and a second validation loss).
constexpr int kCodeVersion = 3;
}  // namespace

float draw_time(Rng& rng, TimeSampling how, double floor) {
    const double u = rng.uniform();
    return how == TimeSampling::Uniform ? float(u) : float(1.0 - std::pow(floor, u));
}

double time_share_above(TimeSampling how, double floor, double a) {
    if (how == TimeSampling::Uniform) return std::clamp(1.0 - a, 0.0, 1.0);
    return std::clamp(1.0 - std::log(1.0 - a) / std::log(floor), 0.0, 1.0);
}

void TimeCounts::add(float t) {
    const auto k = std::size_t(std::clamp(double(t) * double(kTimeBins), 0.0, double(kTimeBins - 1)));
    ++bins[k];
}

std::uint64_t TimeCounts::total() const {
    std::uint64_t n = 0;
    for (auto b : bins) n += b;
    return n;
}

double TimeCounts::share_above(double a) const {
    const auto first = std::size_t(std::llround(a * double(kTimeBins)));
    if (std::fabs(double(first) - a * double(kTimeBins)) > 1e-9)
        throw std::logic_error("TimeCounts::share_above: not a bin edge");
    std::uint64_t above = 0;
    for (std::size_t k = first; k < kTimeBins; ++k) above += bins[k];
    return total() ? double(above) / double(total()) : 0.0;
}

Config Config::from_json(const nlohmann::json& j) {
    const std::string kind = j.at("model").get<std::string>();
    if ((kind != "fm" && kind != "cfm") || j.at("code_version") != kCodeVersion)
        throw std::runtime_error("not a flow-matching configuration of this code version");
    Config c;
    c.shape.depth = j.at("depth").get<std::size_t>();
    c.shape.hidden = j.at("hidden").get<std::size_t>();
    if (kind == "cfm") {
        c.shape.classes = j.at("classes").get<std::size_t>();
        c.shape.embed_dim = j.at("embed_dim").get<std::size_t>();
    }
    c.time_sampling = j.at("time_sampling") == "uniform" ? TimeSampling::Uniform : TimeSampling::Log;
    if (c.time_sampling == TimeSampling::Log) c.time_floor = j.at("time_floor").get<double>();
    c.data = j.at("data").get<std::string>();
    io::read_training_settings(j, c);
    return c;
}

nlohmann::json Config::to_json() const {
    nlohmann::json j = {{"model", kind()},
                        {"code_version", kCodeVersion},
                        {"depth", shape.depth},
                        {"hidden", shape.hidden},
                        {"time_input", "raw t"},
                        {"time_sampling", time_sampling == TimeSampling::Uniform ? "uniform" : "log"}};
    if (time_sampling == TimeSampling::Log) j["time_floor"] = time_floor;
    j["data"] = data;
    j.update(io::training_settings(points, val_points, epochs, batch, lr, seed));
    if (shape.classes > 0) {
        j["classes"] = shape.classes;
        j["embed_dim"] = shape.embed_dim;
    }
    return j;
}

data::PointSet training_set(const Config& cfg) {
    Rng data_rng(cfg.seed, cfg.kind() + "/data");
    return data::training_points(data::dataset(cfg.data), cfg.points, data_rng);
}

double flow_matching_loss(VectorField<float>& field, const Mat<float>& x, const Mat<float>& eps,
                          const std::vector<float>& t, const Labels* labels) {
    const std::size_t n = x.shape(0), chunk = 4096;
    double sum = 0.0;
    Mat<float> y, xs;
    std::vector<float> ts;
    Labels ls;
    for (std::size_t s = 0; s < n; s += chunk) {
        const std::size_t e = std::min(n, s + chunk);
        nn::ensure_shape(y, e - s, 2);
        ts.assign(t.begin() + long(s), t.begin() + long(e));
        for (std::size_t i = s; i < e; ++i)
            for (std::size_t c = 0; c < 2; ++c) y(i - s, c) = t[i] * x(i, c) + (1.0f - t[i]) * eps(i, c);
        if (labels) ls = xt::view(*labels, xt::range(s, e));
        const Mat<float>& v = field.velocity(y, ts, labels ? &ls : nullptr);
        for (std::size_t i = s; i < e; ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                const double d = double(v(i - s, c)) - (double(x(i, c)) - double(eps(i, c)));
                sum += d * d;
            }
    }
    return sum / double(n);
}

Model train(const Config& cfg, bool progress) {
    const std::string kind = cfg.kind();
    Rng val_rng(cfg.seed, kind + "/val"),
        init(cfg.seed, kind + "/init"), order(cfg.seed, kind + "/order"),
        noise(cfg.seed, kind + "/noise");
    const bool cond = cfg.shape.classes > 0;
    const data::Dataset& set = data::dataset(cfg.data);
    if (cond != set.labelled || (cond && set.regions.size() != cfg.shape.classes))
        throw std::runtime_error(fmt::format("a {} field of {} classes cannot be trained on data set {} ({} classes)",
                                             kind, cfg.shape.classes, cfg.data, set.classes().size()));
    const auto train_set = training_set(cfg);
    const auto val_set = data::validation_points(set, cfg.val_points, val_rng);
    // The validation set, in the training set's frame, with its noise and times drawn
    // once, so that every epoch's validation loss is measured on the same terms.
    const Mat<float> val = data::in_frame(val_set, train_set.scale);
    const std::size_t nv = val.shape(0);
    Mat<float> val_eps = Mat<float>::from_shape({nv, std::size_t(2)});
    std::vector<float> val_t(nv);
    for (auto& e : val_eps) e = float(val_rng.normal());
    for (auto& t : val_t) t = float(val_rng.uniform());
    // The same points at times drawn as training draws them, so that the validation
    // loss can also be set beside the batch losses on equal terms (drawn after the
    // others, which stay as they were).
    std::vector<float> val_t_train(nv);
    for (auto& t : val_t_train) t = draw_time(val_rng, cfg.time_sampling, cfg.time_floor);
    const Labels* val_labels = cond ? &val_set.labels : nullptr;

    Model m;
    m.config = cfg;
    m.field = VectorField<float>(cfg.shape, init);
    nn::Params<float> ps;
    m.field.params(ps);
    optim::Adam<float> adam(ps);
    data::Batches batches(train_set.x.shape(0), cfg.batch);
    m.batch_loss.reserve(cfg.epochs * batches.count());

    Mat<float> xb, eps, y, dv;
    Labels lb;
    VectorField<float>::Tape tape;
    std::vector<float> t;
    // One batch of flow matching: eps ~ N(0, I) of the batch's shape, one t per point
    // (U[0, 1], or as --time-sampling says), y = t x + (1 - t) eps, target x - eps; then
    // the gradients of the loss.
    const auto batch = [&](std::size_t b) {
        batches.gather(b, train_set.x, xb);
        if (cond) batches.gather(b, train_set.labels, lb);
        const std::size_t B = xb.shape(0);
        nn::ensure_shape(eps, B, 2);
        nn::ensure_shape(y, B, 2);
        nn::ensure_shape(dv, B, 2);
        t.resize(B);
        for (auto& e : eps) e = float(noise.normal());
        for (auto& ti : t) {
            ti = draw_time(noise, cfg.time_sampling, cfg.time_floor);
            m.time_counts.add(ti);
        }
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t c = 0; c < 2; ++c) y(i, c) = t[i] * xb(i, c) + (1.0f - t[i]) * eps(i, c);
        const Mat<float>& v = m.field.forward(y, t, cond ? &lb : nullptr, tape);
        // loss = (1/B) sum_i |v_i - u_i|^2, so dL/dv_i = 2 (v_i - u_i) / B.
        double loss = 0.0;
        const float scale = 2.0f / float(B);
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                const float d = v(i, c) - (xb(i, c) - eps(i, c));
                loss += double(d) * double(d);
                dv(i, c) = scale * d;
            }
        loss /= double(B);
        if (!std::isfinite(loss)) return loss;
        m.field.backward(dv, cond ? &lb : nullptr, tape);
        m.batch_loss.push_back(float(loss));
        return loss;
    };
    const auto epoch_end = [&](const train::EpochEnd& e) {
        const double vl = flow_matching_loss(m.field, val, val_eps, val_t, val_labels);
        const double vlt = flow_matching_loss(m.field, val, val_eps, val_t_train, val_labels);
        m.history.push_back({e.epoch, e.lr, e.train_loss, vl, vlt, e.seconds});
        return fmt::format("train {:.4f} val {:.4f} ({:.2f} s)", e.train_loss, vl, e.seconds);
    };
    m.train_seconds = train::run({kind, cfg.epochs, cfg.lr, "try a smaller --lr"}, adam,
                                 batches, order, batch, epoch_end, progress);
    m.scale = train_set.scale;
    return m;
}

namespace {

const train::Keeping<Model>& keeping(const std::string& kind) {
    static const auto make = [](const std::string& name) {
        return train::Keeping<Model>{
            name,
            [](const nlohmann::json& config) {
                Model m;
                m.config = Config::from_json(config);
                Rng unused(m.config.seed, m.config.kind() + "/init");
                m.field = VectorField<float>(m.config.shape, unused);
                return m;
            },
            [](Model& m) { return nn::params_of(m.field); },
            [](const Model& m) {
                nlohmann::json h = {{"batch_loss", m.batch_loss},
                                    {"time_counts", m.time_counts.bins},
                                    {"epochs", nlohmann::json::array()}};
                for (const auto& e : m.history)
                    h["epochs"].push_back({{"epoch", e.epoch}, {"lr", e.lr}, {"train_loss", e.train_loss},
                                           {"val_loss", e.val_loss}, {"val_loss_train_times", e.val_loss_train_times},
                                           {"seconds", e.seconds}});
                return h.dump() + "\n";
            },
            [](Model& m, const nlohmann::json& h) {
                m.batch_loss = h.at("batch_loss").get<std::vector<float>>();
                m.time_counts.bins = h.at("time_counts").get<std::vector<std::uint64_t>>();
                if (m.time_counts.bins.size() != kTimeBins)
                    throw std::runtime_error(fmt::format("history.json has {} time bins, not {}",
                                                         m.time_counts.bins.size(), kTimeBins));
                for (const auto& e : h.at("epochs"))
                    m.history.push_back({e.at("epoch").get<std::size_t>(), e.at("lr").get<double>(),
                                         e.at("train_loss").get<double>(), e.at("val_loss").get<double>(),
                                         e.at("val_loss_train_times").get<double>(), e.at("seconds").get<double>()});
            }};
    };
    static const train::Keeping<Model> fm = make("fm"), cfm = make("cfm");
    return kind == "cfm" ? cfm : fm;
}

}  // namespace

Model obtain(const Config& cfg, bool force) {
    return train::cached<Model>(keeping(cfg.kind()), cfg.to_json(), force, [&] { return train(cfg); });
}

Model load(const fs::path& dir, const std::string& kind) {
    Model m = train::read_checkpoint(keeping(kind), dir);
    if (m.config.kind() != kind)
        throw std::runtime_error(fmt::format("{} holds a {} model, not {}", dir.string(), m.config.kind(), kind));
    return m;
}

namespace {

Mat<float> run_flow(VectorField<float>& field, const Mat<float>& start, double t0, double t1,
                    const Integration& how, const Labels* labels, const Observer& observe) {
    std::vector<float> t(start.shape(0));
    auto f = [&](double time, const Mat<float>& y, Mat<float>& dy) {
        std::fill(t.begin(), t.end(), float(time));
        dy = field.velocity(y, t, labels);
    };
    return integrate<float>(f, start, t0, t1, how.dt, how.solver,
                            [&](std::size_t k, double time, const Mat<float>& y) {
                                if (observe) observe(k, time, y);
                            });
}

}  // namespace

Mat<float> forward_flow(VectorField<float>& field, const Mat<float>& y0, const Integration& how,
                        const Labels* labels, const Observer& observe) {
    return run_flow(field, y0, 0.0, 1.0, how, labels, observe);
}

Mat<float> reverse_flow(VectorField<float>& field, const Mat<float>& x, const Integration& how,
                        const Labels* labels, const Observer& observe) {
    return run_flow(field, x, 1.0, 0.0, how, labels, observe);
}

std::vector<double> log_likelihood(VectorField<float>& field, const Mat<float>& x,
                                   const Integration& how, const Labels* labels, Mat<double>* y0) {
    const std::size_t B = x.shape(0);
    Mat<float> yf = Mat<float>::from_shape({B, std::size_t(2)});
    std::vector<float> t(B);
    VectorField<float>::Tape tape;
    auto f = [&](double time, const Mat<double>& y, Mat<double>& v, std::vector<double>& div) {
        for (std::size_t i = 0; i < y.size(); ++i) yf.data()[i] = float(y.data()[i]);
        std::fill(t.begin(), t.end(), float(time));
        const Mat<float>& vf = field.forward(yf, t, labels, tape);
        nn::ensure_shape(v, B, 2);
        for (std::size_t i = 0; i < v.size(); ++i) v.data()[i] = double(vf.data()[i]);
        const std::vector<float> d = field.divergence(tape);
        div.assign(d.begin(), d.end());
    };
    const Mat<double> xd = xt::cast<double>(x);
    return log_likelihood_of(f, xd, how.dt, how.solver, y0);
}

}  // namespace flow::fm
