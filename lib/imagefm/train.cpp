#include "imagefm/train.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "core/progress.hpp"
#include "data/idx.hpp"
#include "io/models.hpp"
#include "optim/adam.hpp"
#include "train/loop.hpp"
#include "imagefm/eigen.hpp"

namespace flow::imagefm {

namespace fs = std::filesystem;

namespace {

constexpr int kCodeVersion = 4;

// [x, time columns] rows of the field's input.
void with_time(const Mat<float>& x, const std::vector<float>& t, Mat<float>& in) {
    const std::size_t B = x.shape(0), D = x.shape(1), W = field_inputs(D);
    nn::ensure_shape(in, B, W);
    for (std::size_t i = 0; i < B; ++i) {
        std::copy(x.data() + i * D, x.data() + (i + 1) * D, in.data() + i * W);
        time_columns(t[i], in.data() + i * W + D);
    }
}

// The Gaussian field's coefficients at time t: v_G,d = a_d + c_d y_d.
void gaussian_terms(const Field& f, float t, std::vector<float>& a, std::vector<float>& c) {
    const std::size_t D = f.dims();
    a.resize(D);
    c.resize(D);
    const double u = 1.0 - t;
    for (std::size_t d = 0; d < D; ++d) {
        const double s2 = f.var[d], den = double(t) * t * s2 + u * u;
        a[d] = float(f.mean[d] * u / den);
        c[d] = float((t * s2 - u) / den);
    }
}

// One batch's interpolants y = t x + (1 - t) eps as the field's input, and the targets x - eps.
void interpolate(const Mat<float>& x, const Mat<float>& eps, const std::vector<float>& t, Mat<float>& in,
                 Mat<float>& target) {
    const std::size_t B = x.shape(0), D = x.shape(1), W = field_inputs(D);
    nn::ensure_shape(in, B, W);
    nn::ensure_shape(target, B, D);
    for (std::size_t i = 0; i < B; ++i) {
        const float ti = t[i];
        for (std::size_t d = 0; d < D; ++d) {
            in(i, d) = ti * x(i, d) + (1 - ti) * eps(i, d);
            target(i, d) = x(i, d) - eps(i, d);
        }
        time_columns(ti, in.data() + i * W + D);
    }
}

}  // namespace

void time_columns(float t, float* row) {
    row[0] = t;
    for (std::size_t k = 1; k <= kTimeFrequencies; ++k) {
        row[2 * k - 1] = float(std::sin(2 * M_PI * double(k) * t));
        row[2 * k] = float(std::cos(2 * M_PI * double(k) * t));
    }
}

float draw_time(Rng& rng) {
    const double u = rng.uniform();
    if (rng.uniform() < 0.5) return float(u);
    return float(1 - std::pow(kTimeFloor, u));
}

Config Config::from_json(const nlohmann::json& j) {
    if (j.at("model") != "image-fm" || j.at("code_version") != kCodeVersion)
        throw std::runtime_error("not an image flow-matching configuration of this code version");
    Config c;
    c.hidden = j.at("hidden").get<std::size_t>();
    c.depth = j.at("depth").get<std::size_t>();
    c.components = j.at("components").get<std::size_t>();
    c.images = j.at("images").get<std::size_t>();
    c.val_images = j.at("val_images").get<std::size_t>();
    c.epochs = j.at("epochs").get<std::size_t>();
    c.batch = j.at("batch").get<std::size_t>();
    c.lr = j.at("lr").get<double>();
    c.seed = j.at("seed").get<std::uint64_t>();
    c.data = j.at("data").get<std::string>();
    return c;
}

nlohmann::json Config::to_json() const {
    return {{"model", "image-fm"}, {"code_version", kCodeVersion}, {"hidden", hidden}, {"depth", depth},
            {"components", components}, {"images", images}, {"val_images", val_images}, {"epochs", epochs}, {"batch", batch}, {"lr", lr},
            {"seed", seed}, {"data", data}, {"activation", "leaky relu 0.01"}, {"field", "per-pixel Gaussian field plus the network"},
            {"dequantisation", "uniform, x = 2 (pixel + u) / 256 - 1"}, {"time", "half uniform, half 1 - t log-uniform on [0.0001, 1]"},
            {"time_features", "t, sin and cos of 2 pi k t, k = 1..8"},
            {"schedule", "cosine per step, to 0"}, {"optimizer", "adam 0.9 0.999 1e-8"}};
}

Images read_split(bool train) {
    const auto split = data::read_fashion_mnist(data::kFashionMnistDir, train);
    Images out;
    out.pixels = xt::xtensor<std::uint8_t, 2>::from_shape(split.images.shape());
    for (std::size_t i = 0; i < split.images.size(); ++i)
        out.pixels.data()[i] = std::uint8_t(std::lround(split.images.data()[i] * 255.0f));
    out.labels = split.labels;
    return out;
}

void dequantise(const Images& set, const std::vector<std::size_t>& order, std::size_t first, std::size_t n,
                Rng& rng, Mat<float>& x) {
    const std::size_t D = set.pixels.shape(1);
    nn::ensure_shape(x, n, D);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* p = set.pixels.data() + order[first + i] * D;
        for (std::size_t d = 0; d < D; ++d) x(i, d) = float(2.0 * (p[d] + rng.uniform()) / 256.0 - 1.0);
    }
}

Field make_field(std::vector<float> mean, std::vector<float> var, std::size_t hidden, std::size_t depth, Rng& rng) {
    if (mean.size() != var.size()) throw std::logic_error("make_field: as many variances as means");
    Field f;
    const std::size_t D = mean.size();
    f.net = nn::MLP<float>(field_inputs(D), hidden, D, depth, rng);
    f.mean = std::move(mean);
    f.var = std::move(var);
    return f;
}

void add_gaussian(const Field& f, const float* y, std::size_t stride, const std::vector<float>& t, Mat<float>& v) {
    std::vector<float> a, c;
    const std::size_t D = f.dims();
    for (std::size_t i = 0; i < v.shape(0); ++i) {
        if (i == 0 || t[i] != t[i - 1]) gaussian_terms(f, t[i], a, c);
        for (std::size_t d = 0; d < D; ++d) v(i, d) += a[d] + c[d] * y[i * stride + d];
    }
}

void velocity(const Field& f, const Mat<float>& y, float t, Mat<float>& in, nn::MLP<float>::Tape& tape, Mat<float>& v) {
    const std::vector<float> times(y.shape(0), t);
    with_time(y, times, in);
    v = f.net.forward(in, tape);
    add_gaussian(f, y.data(), y.shape(1), times, v);
}

namespace {

// The field at a batch's interpolants less their targets x - eps, into e (the network's
// input and tape are left for its backward pass), and the mean of e^2.
double errors(const Field& f, const Mat<float>& x, const Mat<float>& eps, const std::vector<float>& t,
              Mat<float>& in, nn::MLP<float>::Tape& tape, Mat<float>& e) {
    Mat<float> target;
    interpolate(x, eps, t, in, target);
    e = f.net.forward(in, tape);
    add_gaussian(f, in.data(), in.shape(1), t, e);
    e -= target;
    double s = 0;
    for (float v : e) s += double(v) * v;
    return s / double(e.size());
}

}  // namespace

double loss(const Field& f, const Mat<float>& x, const Mat<float>& eps, const std::vector<float>& t) {
    Mat<float> in, e;
    nn::MLP<float>::Tape tape;
    return errors(f, x, eps, t, in, tape, e);
}

Pca principal_components(const Mat<float>& x) {
    const std::size_t n = x.shape(0), D = x.shape(1);
    std::vector<double> mean(D, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d = 0; d < D; ++d) mean[d] += x(i, d);
    for (auto& v : mean) v /= double(n);
    // The covariance in double, in blocks of rows.
    xt::xtensor<double, 2> cov = xt::zeros<double>({D, D});
    const std::size_t block = 4096;
    xt::xtensor<double, 2> rows = xt::xtensor<double, 2>::from_shape({block, D});
    for (std::size_t r0 = 0; r0 < n; r0 += block) {
        const std::size_t m = std::min(block, n - r0);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t d = 0; d < D; ++d) rows(i, d) = x(r0 + i, d) - mean[d];
        nn::gemm(true, false, int(D), int(D), int(m), 1.0, rows.data(), int(D), rows.data(), int(D), 1.0, cov.data(), int(D));
    }
    cov /= double(n);
    const auto [values, vectors] = symmetric_eigen(cov);
    Pca p;
    p.mean.assign(mean.begin(), mean.end());
    p.variance.resize(D);
    p.basis = Mat<float>::from_shape({D, D});
    for (std::size_t j = 0; j < D; ++j) {  // by decreasing variance
        const std::size_t src = D - 1 - j;
        p.variance[j] = float(std::max(values[src], kVarianceFloor));
        for (std::size_t d = 0; d < D; ++d) p.basis(d, j) = float(vectors(d, src));
    }
    return p;
}

void encode(const Model& m, const Mat<float>& x, std::size_t k, Mat<float>& c) {
    const std::size_t n = x.shape(0), D = x.shape(1);
    Mat<float> centred = Mat<float>::from_shape({n, D});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d = 0; d < D; ++d) centred(i, d) = x(i, d) - m.pixel_mean[d];
    nn::ensure_shape(c, n, k);
    nn::gemm(false, false, int(n), int(k), int(D), 1.0f, centred.data(), int(D), m.basis.data(), int(D), 0.0f, c.data(),
             int(k));
}

Mat<float> decode(const Model& m, const Mat<float>& c) {
    const std::size_t n = c.shape(0), k = c.shape(1), D = m.pixel_mean.size();
    Mat<float> x = Mat<float>::from_shape({n, D});
    for (std::size_t i = 0; i < n; ++i) std::copy(m.pixel_mean.begin(), m.pixel_mean.end(), x.data() + i * D);
    nn::gemm(false, true, int(n), int(D), int(k), 1.0f, c.data(), int(k), m.basis.data(), int(D), 1.0f, x.data(), int(D));
    return x;
}

Mat<float> sample_images(const Model& m, const Mat<float>& z, std::size_t steps, Rng* minor) {
    const Mat<float> top = sample(m.field, z, steps);
    const std::size_t n = z.shape(0), K = top.shape(1), D = m.pixel_mean.size();
    Mat<float> c = xt::zeros<float>({n, minor ? D : K});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < K; ++j) c(i, j) = top(i, j);
        if (minor)
            for (std::size_t j = K; j < D; ++j) c(i, j) = float(std::sqrt(double(m.variance[j])) * minor->normal());
    }
    return decode(m, c);
}

std::vector<double> image_log_density(const Model& m, const Mat<float>& x, std::size_t steps, Rng& rng) {
    const std::size_t n = x.shape(0), D = x.shape(1), K = m.config.components;
    Mat<float> c;
    encode(m, x, D, c);
    Mat<float> top = Mat<float>::from_shape({n, K});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < K; ++j) top(i, j) = c(i, j);
    std::vector<double> lp = log_density(m.field, top, steps, rng);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = K; j < D; ++j) {
            const double v = m.variance[j];
            lp[i] += -0.5 * double(c(i, j)) * c(i, j) / v - 0.5 * std::log(2 * M_PI * v);
        }
    return lp;
}

Model train(const Config& cfg, bool progress) {
    const Images all = read_split(true);
    if (cfg.images + cfg.val_images > all.pixels.shape(0))
        throw std::runtime_error(fmt::format("image-fm: {} training and {} validation images, but the training split "
                                             "has {}", cfg.images, cfg.val_images, all.pixels.shape(0)));
    const std::size_t D = all.pixels.shape(1), K = cfg.components;
    if (K == 0 || K > D) throw std::runtime_error(fmt::format("image-fm: {} components of {} pixels", K, D));
    Rng init(cfg.seed, "image-fm/init"), draws(cfg.seed, "image-fm/draws"), order_rng(cfg.seed, "image-fm/order");
    Model m;
    m.config = cfg;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::size_t> order(cfg.images);
    for (std::size_t i = 0; i < cfg.images; ++i) order[i] = i;
    {   // The principal components of the training images, each dequantised once.
        Rng once(cfg.seed, "image-fm/components");
        Mat<float> x;
        dequantise(all, order, 0, cfg.images, once, x);
        Pca p = principal_components(x);
        m.pixel_mean = std::move(p.mean);
        m.basis = std::move(p.basis);
        m.variance = std::move(p.variance);
    }
    m.field = make_field(std::vector<float>(K, 0.0f), std::vector<float>(m.variance.begin(), m.variance.begin() + long(K)),
                         cfg.hidden, cfg.depth, init);
    nn::Params<float> ps;
    m.field.net.params(ps, "field");
    optim::Adam<float> adam(ps);
    // Validation: the images after the training ones, with noise, times and dequantisation fixed once.
    std::vector<std::size_t> val_order(cfg.val_images);
    for (std::size_t i = 0; i < cfg.val_images; ++i) val_order[i] = cfg.images + i;
    Rng val_rng(cfg.seed, "image-fm/val");
    Mat<float> val_x, val_c, val_eps = nn::normal_draws(val_rng, cfg.val_images, K);
    dequantise(all, val_order, 0, cfg.val_images, val_rng, val_x);
    encode(m, val_x, K, val_c);
    std::vector<float> val_t(cfg.val_images);
    for (auto& t : val_t) t = float(val_rng.uniform());

    const std::size_t per_epoch = cfg.images / cfg.batch;
    const optim::CosineSchedule schedule{cfg.lr, cfg.epochs * per_epoch};
    Mat<float> x, c, eps, in, dv, dx;
    nn::MLP<float>::Tape tape;
    std::vector<float> t(cfg.batch);
    Progress bar("image-fm", cfg.epochs, per_epoch);
    for (std::size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
        order_rng.shuffle(order);
        double sum = 0;
        for (std::size_t b = 0; b < per_epoch; ++b) {
            dequantise(all, order, b * cfg.batch, cfg.batch, draws, x);
            encode(m, x, K, c);
            eps = nn::normal_draws(draws, cfg.batch, K);
            for (auto& ti : t) ti = draw_time(draws);
            sum += errors(m.field, c, eps, t, in, tape, dv);
            dv *= 2.0f / float(dv.size());  // d mean(e^2) / de
            adam.zero_grad();
            m.field.net.backward(dv, in, tape, dx);
            adam.step(schedule(epoch * per_epoch + b));
        }
        m.train_loss.push_back(sum / double(per_epoch));
        m.val_loss.push_back(loss(m.field, val_c, val_eps, val_t));
        if (progress) bar.epoch(epoch, fmt::format("loss {:.4f} val {:.4f}", m.train_loss.back(), m.val_loss.back()));
    }
    m.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return m;
}

namespace {

// The checkpoint holds the network and the Gaussian's means and variances (which
// training never changes; their gradient slots are scratch).
nn::Params<float> saved_params(Model& m) {
    nn::Params<float> ps;
    m.field.net.params(ps, "field");
    const std::size_t K = m.field.dims(), D = m.pixel_mean.size();
    m.scratch.assign(2 * K + 2 * D + D * D, 0.0f);
    float* g = m.scratch.data();
    ps.push_back({"gaussian.mean", m.field.mean.data(), g, {K}});
    ps.push_back({"gaussian.var", m.field.var.data(), g + K, {K}});
    ps.push_back({"pca.mean", m.pixel_mean.data(), g + 2 * K, {D}});
    ps.push_back({"pca.variance", m.variance.data(), g + 2 * K + D, {D}});
    ps.push_back({"pca.basis", m.basis.data(), g + 2 * K + 2 * D, {D, D}});
    return ps;
}

const train::Keeping<Model>& keeping() {
    static const train::Keeping<Model> k{
        "image-fm",
        [](const nlohmann::json& config) {
            Model m;
            m.config = Config::from_json(config);
            Rng none(0, "image-fm/shape");
            const std::size_t K = m.config.components;
            m.field = make_field(std::vector<float>(K), std::vector<float>(K, 1.0f), m.config.hidden, m.config.depth, none);
            m.pixel_mean.assign(kPixels, 0.0f);
            m.variance.assign(kPixels, 1.0f);
            m.basis = xt::zeros<float>({kPixels, kPixels});
            return m;
        },
        saved_params,
        [](const Model& m) {
            return nlohmann::json{{"train_loss", m.train_loss}, {"val_loss", m.val_loss}}.dump() + "\n";
        },
        [](Model& m, const nlohmann::json& h) {
            m.train_loss = h.at("train_loss").get<std::vector<double>>();
            m.val_loss = h.at("val_loss").get<std::vector<double>>();
        }};
    return k;
}

}  // namespace

Model obtain(const Config& cfg, bool force) {
    return train::cached<Model>(keeping(), cfg.to_json(), force, [&] { return train(cfg); });
}

Model load(const fs::path& dir) { return train::read_checkpoint(keeping(), dir); }

std::vector<double> time_grid(std::size_t steps) {
    std::vector<double> t(steps + 1);
    for (std::size_t k = 0; k < steps; ++k) t[k] = 1 - std::pow(kGridFloor, double(k) / double(steps - 1));
    t[steps] = 1;
    return t;
}

Mat<float> sample(const Field& f, const Mat<float>& z, std::size_t steps) {
    Mat<float> x = z, mid, in, v;
    nn::MLP<float>::Tape tape;
    const auto grid = time_grid(steps);
    for (std::size_t k = 0; k < steps; ++k) {
        const double t = grid[k], h = grid[k + 1] - grid[k];
        velocity(f, x, float(t), in, tape, v);
        mid = x + float(0.5 * h) * v;
        velocity(f, mid, float(t + 0.5 * h), in, tape, v);
        x += float(h) * v;
    }
    return x;
}

namespace {

// div v at (y, t) per row: the Gaussian part's exact sum_d c_d, plus the network's
// eps . J eps with the probes eps (probe: the same in the network's input columns, zero
// for the time's), or its exact trace (D tangents) when eps is null. v receives v(y, t).
std::vector<double> divergence(const Field& f, const Mat<float>& y, float t, const Mat<float>* eps,
                               const Mat<float>& probe, Mat<float>& in, nn::MLP<float>::Tape& tape, Mat<float>& v) {
    const std::size_t B = y.shape(0), D = y.shape(1);
    velocity(f, y, t, in, tape, v);
    std::vector<float> a, c;
    gaussian_terms(f, t, a, c);
    double gaussian = 0;
    for (float cd : c) gaussian += cd;
    std::vector<double> div(B, gaussian);
    Mat<float> dir, jv;
    if (!eps) dir = xt::zeros<float>({B, field_inputs(D)});
    for (std::size_t j = 0; j < (eps ? 1 : D); ++j) {
        if (!eps)
            for (std::size_t i = 0; i < B; ++i)
                for (std::size_t d = 0; d < D; ++d) dir(i, d) = float(d == j);
        f.net.tangent(eps ? probe : dir, tape, jv);
        for (std::size_t i = 0; i < B; ++i) {
            if (!eps) {
                div[i] += jv(i, j);
                continue;
            }
            double s = 0;
            for (std::size_t d = 0; d < D; ++d) s += double((*eps)(i, d)) * jv(i, d);
            div[i] += s;
        }
    }
    return div;
}

}  // namespace

std::vector<double> log_density(const Field& f, const Mat<float>& x1, std::size_t steps, Rng& rng, bool exact) {
    const std::size_t B = x1.shape(0), D = x1.shape(1);
    Mat<float> eps = Mat<float>::from_shape({B, D});
    for (auto& e : eps) e = rng.uniform() < 0.5 ? -1.0f : 1.0f;
    // The probes as a tangent of the network's input, made once for the whole path.
    Mat<float> probe = xt::zeros<float>({B, exact ? std::size_t(0) : field_inputs(D)});
    if (!exact)
        for (std::size_t i = 0; i < B; ++i) std::copy(eps.data() + i * D, eps.data() + (i + 1) * D, probe.data() + i * field_inputs(D));
    Mat<float> x = x1, mid, in, v;
    nn::MLP<float>::Tape tape;
    std::vector<double> integral(B, 0.0);
    const auto grid = time_grid(steps);
    for (std::size_t k = steps; k-- > 0;) {
        const double t = grid[k + 1], h = grid[k + 1] - grid[k];
        velocity(f, x, float(t), in, tape, v);
        mid = x - float(0.5 * h) * v;
        const auto div = divergence(f, mid, float(t - 0.5 * h), exact ? nullptr : &eps, probe, in, tape, v);
        x -= float(h) * v;
        for (std::size_t i = 0; i < B; ++i) integral[i] += h * div[i];
    }
    std::vector<double> out(B);
    for (std::size_t i = 0; i < B; ++i) {
        double q = 0;
        for (std::size_t d = 0; d < D; ++d) q += double(x(i, d)) * x(i, d);
        out[i] = -0.5 * q - 0.5 * double(D) * std::log(2 * M_PI) - integral[i];
    }
    return out;
}

double bits_per_dim(double log_density, std::size_t dims) {
    return (double(dims) * std::log(128.0) - log_density) / (double(dims) * std::log(2.0));
}

}  // namespace flow::imagefm
