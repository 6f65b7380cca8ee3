#include "common.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "cnf/train.hpp"
#include "core/normal.hpp"
#include "nf/train.hpp"
#include "nn/param.hpp"
#include "planar/train.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters::dt8122 {

const std::vector<std::string>& data_sets() {
    static const std::vector<std::string> s{"two-moons", "two-blobs", "boomerang"};
    return s;
}

std::string data_title(const std::string& set) {
    std::string t = set;
    std::replace(t.begin(), t.end(), '-', ' ');
    return t;
}

const std::vector<std::string>& methods() {
    static const std::vector<std::string> m{"planar", "realnvp", "cnf"};
    return m;
}

std::string method_title(const std::string& method) {
    if (method == "planar") return "planar flow";
    if (method == "realnvp") return "Real NVP";
    if (method == "cnf") return "continuous flow";
    throw std::logic_error("unknown method " + method);
}

namespace {

template <class Net>
std::size_t count_parameters(Net& net) {
    std::size_t n = 0;
    for (const auto& p : nn::params_of(net)) n += p.size();
    return n;
}

// What the planar flow and the continuous flow share: their history and settings.
template <class Model>
void likelihood_parts(Fit& f, const Model& m) {
    f.config = m.config.to_json();
    f.scale = m.scale;
    f.train_seconds = m.train_seconds;
    for (const auto& e : m.history) {
        f.train_loss.push_back(e.train_loss);
        f.val_loss.push_back(e.val_loss);
    }
}

template <class T>
double largest_difference(const Mat<T>& a, const Mat<T>& b) {
    double r = 0;
    for (std::size_t i = 0; i < a.size(); ++i) r = std::max(r, std::fabs(double(a.data()[i]) - double(b.data()[i])));
    return r;
}

// g(f(x)) against x, through the fit's own two directions.
void float_round_trip(Fit& f) {
    f.round_trip = [latent = f.latent, generate = f.generate](const Mat<float>& x) {
        return largest_difference(generate(latent(x)), x);
    };
}

void planar_fit(Fit& f, const std::filesystem::path& dir) {
    auto m = std::make_shared<planar::Model>(planar::load(dir));
    likelihood_parts(f, *m);
    f.parameters = count_parameters(m->flow);
    f.density_passes = f.sample_passes = m->flow.layers.size();
    // Evaluated in double: a trained layer can be nearly singular, and both directions then
    // amplify the input's rounding (float's would reach the round trip).
    auto d = std::make_shared<planar::Flow<double>>(planar::cast<double>(m->flow));
    const auto to_double = [](const Mat<float>& x) { return Mat<double>(xt::cast<double>(x)); };
    f.log_prob = [d, to_double](const Mat<float>& x) { return d->log_prob(to_double(x)); };
    f.latent = [d, to_double](const Mat<float>& x) {
        planar::Flow<double>::Tape tape;
        return Mat<float>(xt::cast<float>(d->forward(to_double(x), tape)));
    };
    f.generate = [d, to_double](const Mat<float>& z) { return Mat<float>(xt::cast<float>(d->inverse(to_double(z)))); };
    f.round_trip = [d, to_double](const Mat<float>& x) {
        planar::Flow<double>::Tape tape;
        const Mat<double> xd = to_double(x);
        return largest_difference(d->inverse(d->forward(xd, tape)), xd);
    };
}

void realnvp_fit(Fit& f, const std::filesystem::path& dir) {
    auto m = std::make_shared<nf::Model>(nf::load(dir));
    f.config = m->config.to_json();
    f.scale = m->scale;
    f.train_seconds = m->train_seconds;
    for (const auto& e : m->history) {
        f.train_loss.push_back(e.train_loss);
        f.val_loss.push_back(e.val.total);
    }
    f.parameters = count_parameters(m->flow);
    f.density_passes = f.sample_passes = 2 * m->flow.layers();  // a scale and a shift network each
    f.log_prob = [m](const Mat<float>& x) { return m->flow.log_prob(x); };
    f.latent = [m](const Mat<float>& x) {
        Mat<float> z;
        std::vector<float> logdet;
        m->flow.inverse(x, z, logdet);
        return z;
    };
    f.generate = [m](const Mat<float>& z) {
        Mat<float> x;
        m->flow.forward(z, x);
        return x;
    };
    float_round_trip(f);
}

void cnf_fit(Fit& f, const std::filesystem::path& dir) {
    auto m = std::make_shared<cnf::Model>(cnf::load(dir));
    likelihood_parts(f, *m);
    f.parameters = count_parameters(m->flow);
    f.density_passes = f.sample_passes = 4 * m->flow.steps;
    f.log_prob = [m](const Mat<float>& x) { return m->flow.log_prob(x); };
    f.latent = [m](const Mat<float>& x) { return m->flow.latent(x); };
    f.generate = [m](const Mat<float>& z) { return m->flow.inverse(z); };
    float_round_trip(f);
}

}  // namespace

Fit load_fit(Context& ctx, const std::string& model) {
    const exercise::ModelDecl& d = ctx.manifest().model(model);
    Fit f;
    f.model = model;
    f.data = d.data;
    const auto dir = ctx.model(model);
    if (d.kind == "planar") {
        f.method = "planar";
        planar_fit(f, dir);
    } else if (d.kind == "nf") {
        f.method = "realnvp";
        realnvp_fit(f, dir);
    } else if (d.kind == "cnf") {
        f.method = "cnf";
        cnf_fit(f, dir);
    } else {
        throw std::logic_error("model " + model + " is of kind " + d.kind + ", which no DT8122 method is");
    }
    ctx.stats["models"][model] = {{"config", f.config},
                                  {"checkpoint", dir.filename().string()},
                                  {"train_seconds", f.train_seconds},
                                  {"parameters", f.parameters}};
    return f;
}

Points points_of(const Fit& f) {
    const data::Dataset& set = data::dataset(f.data);
    Rng unused(0, "unused");
    const auto train = data::training_points(set, f.config.at("points").get<std::size_t>(), unused);
    return {data::in_frame(train, f.scale), data::in_frame(set.part(true), f.scale)};
}

nlohmann::json Measures::to_json() const {
    return {{"held_out_nll", nll},  {"train_nll", train_nll}, {"gaussian_nll", gaussian_nll},
            {"mass", mass},         {"sliced_w2", sliced_w2}, {"data_sliced_w2", data_w2},
            {"round_trip", round_trip}};
}

namespace {

double mean_nll(const std::vector<double>& lp) {
    double s = 0;
    for (double v : lp) s -= v;
    return s / double(lp.size());
}

// Σ p h_x h_y over the cell centres of the data's box widened by half its size each side.
double box_mass(const Fit& f, const Points& pts) {
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (const Mat<float>* m : {&pts.train, &pts.held})
        for (std::size_t i = 0; i < m->shape(0); ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                lo[c] = std::min(lo[c], double((*m)(i, c)));
                hi[c] = std::max(hi[c], double((*m)(i, c)));
            }
    double h[2];
    for (std::size_t c = 0; c < 2; ++c) {
        const double w = hi[c] - lo[c];
        lo[c] -= w / 2;
        h[c] = 2 * w / double(kMassGrid);
    }
    const std::size_t G = kMassGrid;
    Mat<float> grid = Mat<float>::from_shape({G * G, 2});
    for (std::size_t i = 0; i < G; ++i)
        for (std::size_t j = 0; j < G; ++j) {
            grid(i * G + j, 0) = float(lo[0] + (double(i) + 0.5) * h[0]);
            grid(i * G + j, 1) = float(lo[1] + (double(j) + 0.5) * h[1]);
        }
    double mass = 0;
    for (double lp : f.log_prob(grid)) mass += std::exp(lp);
    return mass * h[0] * h[1];
}

}  // namespace

Measures measure(const Fit& f, const Points& pts, const Mat<float>& samples) {
    Measures r;
    r.held_log_p = f.log_prob(pts.held);
    r.nll = mean_nll(r.held_log_p);
    r.train_nll = mean_nll(f.log_prob(pts.train));
    double g = 0;
    for (std::size_t i = 0; i < pts.held.shape(0); ++i) g -= log_standard_normal(&pts.held(i, 0), 2);
    r.gaussian_nll = g / double(pts.held.shape(0));
    r.mass = box_mass(f, pts);
    r.sliced_w2 = report::sliced_wasserstein(samples, pts.held);
    r.data_w2 = report::sliced_wasserstein(pts.train, pts.held);
    r.round_trip = f.round_trip(pts.held);
    return r;
}

std::vector<double> density_image(const Fit& f, double extent, std::size_t G) {
    const double cell = 2 * extent / double(G);
    Mat<float> grid = Mat<float>::from_shape({G * G, 2});
    for (std::size_t r = 0; r < G; ++r)
        for (std::size_t c = 0; c < G; ++c) {
            grid(r * G + c, 0) = float(-extent + (double(c) + 0.5) * cell);
            grid(r * G + c, 1) = float(extent - (double(r) + 0.5) * cell);
        }
    return f.log_prob(grid);
}

Mat<float> prior_draws(Context& ctx, const std::string& set, std::size_t n) {
    Rng rng = ctx.rng("prior/" + set);
    Mat<float> z = Mat<float>::from_shape({n, std::size_t(2)});
    for (auto& v : z) v = float(rng.normal());
    return z;
}

namespace {

constexpr double kLatentExtent = 4.0;
constexpr std::size_t kImage = 100;    // pixels of the log-density image, per side
constexpr double kDensityRange = 8.0;  // nats of log p the colours span, below the highest

std::string scatter(const std::string& dat, const std::string& style) {
    return fmt::format("\\addplot[{}] table {{{}}};\n", style, dat);
}

}  // namespace

std::string row_axis(std::size_t j, const std::string& options) {
    const std::string at = j == 0 ? "" : fmt::format(", at={{(p{}.east)}}, anchor=west, xshift=0.5cm", j - 1);
    return fmt::format("\\begin{{axis}}[fr row panel, name=p{}{}, {}]\n", j, at, options);
}

nlohmann::json four_panel_row(Context& ctx, const std::string& name, const Fit& f, const Points& pts,
                              const Mat<float>& z, const Mat<float>& samples, bool titles, const std::string& label) {
    const Mat<float> fx = f.latent(pts.train);
    const report::Window data_win = report::window_for({&pts.train, &samples}, 2.0, 4.0);
    const report::Window latent_win = report::window_for({&fx, &z}, kLatentExtent, kLatentExtent);
    const double e = data_win.extent;
    const auto image = density_image(f, e, kImage);
    const double top = *std::max_element(image.begin(), image.end()), bottom = top - kDensityRange;

    const std::string data_range = data_win.axis_options(), latent_range = latent_win.axis_options();
    const auto title = [&](const char* t) { return titles ? fmt::format(", title={{{}}}", t) : std::string(); };
    std::string tikz = "\\begin{tikzpicture}\n";
    tikz += row_axis(0, fmt::format("{}, ylabel={{{}}}{}", data_range, label, title("data $X$")));
    tikz += scatter(name + "-x.dat", "fr data marks") + "\\end{axis}\n";
    tikz += row_axis(1, latent_range + title("$f(X)$"));
    tikz += scatter(name + "-fx.dat", "fr data marks") + "\\end{axis}\n";
    tikz += row_axis(2, data_range + title("samples $g(z)$"));
    tikz += scatter(name + "-gz.dat", "fr prior marks") + "\\end{axis}\n";
    tikz += row_axis(3, latent_range + title("prior $z$"));
    tikz += scatter(name + "-z.dat", "fr prior marks") + "\\end{axis}\n";
    tikz += row_axis(4, fmt::format("{}, enlargelimits=false, axis on top, grid=none, colormap name=fr viridis, "
                                    "colorbar, point meta min={:.2f}, point meta max={:.2f}, "
                                    "colorbar style={{width=0.15cm, yticklabel style={{font=\\tiny}}}}{}",
                                    data_range, bottom, top, title("$\\log p(x)$")));
    tikz += fmt::format("\\addplot graphics[xmin={}, xmax={}, ymin={}, ymax={}] {{{}-density.png}};\n\\end{{axis}}\n",
                        -e, e, -e, e, name);
    tikz += "\\end{tikzpicture}\n";
    ctx.figure(name, tikz,
               {{name + "-x.dat", report::points_dat(pts.train)},
                {name + "-fx.dat", report::points_dat(fx)},
                {name + "-gz.dat", report::points_dat(samples)},
                {name + "-z.dat", report::points_dat(z)},
                {name + "-density.png", report::png_viridis(image, kImage, kImage, bottom, top)}});
    const auto fx_stats = report::cloud_stats(fx);
    return {{"data_extent", e},
            {"latent_sliced_w2", report::sliced_wasserstein(fx, z)},
            {"latent_extent", latent_win.extent},
            {"outside", {{"x", data_win.outside[0]}, {"gz", data_win.outside[1]},
                         {"fx", latent_win.outside[0]}, {"z", latent_win.outside[1]}}},
            {"fx", fx_stats.to_json()},
            {"gz", report::cloud_stats(samples).to_json()},
            {"max_log_p", top}};
}

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

std::vector<Row> method_rows(Context& ctx, const std::string& method, std::string& body) {
    std::vector<Row> rows;
    for (const auto& set : data_sets()) {
        Row r{load_fit(ctx, model_name(method, set)), {}, {}, 0.0};
        r.pts = points_of(r.fit);
        const Mat<float> z = prior_draws(ctx, set);
        const Mat<float> samples = r.fit.generate(z);
        r.m = measure(r.fit, r.pts, samples);
        auto& s = ctx.stats["fits"][set];
        s = r.m.to_json();
        s["figure"] = four_panel_row(ctx, set, r.fit, r.pts, z, samples, rows.empty(), data_title(set));
        r.latent_w2 = s["figure"]["latent_sliced_w2"].get<double>();
        body += fmt::format("  \\includegraphics{{{}}}\\\\[0.5ex]\n", ctx.figure_pdf(set));
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string rows_caption(const std::string& title, const std::string& where) {
    return title + ", one row per data set: the training data $X$ and its image $f(X)$ " + where +
           " (blue), prior draws $z$ and the flow's samples $g(z)$ (red), and the learned log-density. Standardised "
           "coordinates.";
}

double latent_reference(Context& ctx) {
    Rng rng = ctx.rng("prior/reference");
    Mat<float> a = Mat<float>::from_shape({std::size_t(400), std::size_t(2)});
    for (auto& v : a) v = float(rng.normal());
    const double d = report::sliced_wasserstein(a, prior_draws(ctx, data_sets().front()));
    ctx.stats["latent_reference_sliced_w2"] = d;
    return d;
}

std::string summary_sentence(const std::vector<Row>& rows, const std::string& subject, double reference) {
    using report::tex_fixed;
    std::string nll, gauss, latent;
    double worst_mass = 0, worst_latent = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const char* sep = i == 0 ? "" : (i + 1 == rows.size() ? " and " : ", ");
        nll += fmt::format("{}{} ({})", sep, tex_fixed(rows[i].m.nll, 3), data_title(rows[i].fit.data));
        gauss += fmt::format("{}{}", sep, tex_fixed(rows[i].m.gaussian_nll, 3));
        latent += fmt::format("{}{}", sep, tex_fixed(rows[i].latent_w2, 3));
        worst_mass = std::max(worst_mass, std::fabs(rows[i].m.mass - 1.0));
        worst_latent = std::max(worst_latent, rows[i].latent_w2);
    }
    return fmt::format(
        "{} reaches held-out NLLs of {} nats, where the standard Gaussian scores {}. Its densities integrate to 1 "
        "within {} over the data's box. How close the image $f(X)$ of the training points comes to the prior is "
        "measured by the sliced Wasserstein distance between $f(X)$ and the prior draws: {} (between "
        "400 other prior draws and the same 1000 is {}).",
        subject, nll, gauss, report::tex_num(std::max(worst_mass, 1e-6), 1), latent, tex_fixed(reference, 3)) +
           (worst_latent <= reference
                ? " Every image $f(X)$ is as close to the prior as a sample of the prior itself."
                : fmt::format(" The farthest image $f(X)$ lies {} from the prior, {} more than a sample of the prior "
                              "itself.",
                              tex_fixed(worst_latent, 3), report::tex_percent(worst_latent / reference - 1.0, 0)));
}

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

std::vector<std::vector<Scored>> score_all(Context& ctx) {
    std::vector<std::vector<Scored>> all;
    for (const auto& method : methods()) {
        all.emplace_back();
        for (const auto& set : data_sets()) {
            Scored s{load_fit(ctx, model_name(method, set)), {}, 0.0, 0.0, {}};
            const Points pts = points_of(s.fit);
            const Mat<float> z = prior_draws(ctx, set);
            const auto start = std::chrono::steady_clock::now();
            const Mat<float> samples = s.fit.generate(z);
            s.sample_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            s.m = measure(s.fit, pts, samples);
            // The tail: held-out points by distance from the training mean (the frame's origin).
            std::vector<std::pair<double, std::size_t>> far;
            for (std::size_t i = 0; i < pts.held.shape(0); ++i)
                far.emplace_back(-std::hypot(double(pts.held(i, 0)), double(pts.held(i, 1))), i);
            std::sort(far.begin(), far.end());
            const auto n = std::max<std::size_t>(1, std::size_t(std::lround(kTail * double(far.size()))));
            for (std::size_t k = 0; k < n; ++k) {
                s.tail_nll -= s.m.held_log_p[far[k].second] / double(n);
                s.tail.push_back(far[k].second);
            }
            auto j = s.m.to_json();
            j["tail_nll"] = s.tail_nll;
            j["parameters"] = s.fit.parameters;
            j["train_seconds"] = s.fit.train_seconds;
            j["sample_passes"] = s.fit.sample_passes;
            j["sample_seconds"] = s.sample_seconds;
            ctx.stats["scores"][method][set] = j;
            all.back().push_back(std::move(s));
        }
    }
    return all;
}

Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = a.size();
    Difference d;
    for (std::size_t i = 0; i < n; ++i) d.mean += (a[i] - b[i]) / double(n);
    double ss = 0;
    for (std::size_t i = 0; i < n; ++i) ss += (a[i] - b[i] - d.mean) * (a[i] - b[i] - d.mean);
    d.se = n > 1 ? std::sqrt(ss / double(n - 1) / double(n)) : INFINITY;
    return d;
}

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

namespace {

std::string architecture(const Fit& f) {
    const auto& c = f.config;
    if (f.method == "planar") return fmt::format("{} planar layers", c.at("layers").get<std::size_t>());
    if (f.method == "realnvp")
        return fmt::format("{} couplings, networks {}$\\times${} LeakyReLU, $\\lvert s\\rvert < {:g}$",
                           c.at("couplings").get<std::size_t>(), c.at("depth").get<std::size_t>(),
                           c.at("hidden").get<std::size_t>(), c.at("log_scale_bound").get<double>());
    return fmt::format("field {}$\\times${} ($\\tanh$), {} RK4 steps", c.at("depth").get<std::size_t>(),
                       c.at("hidden").get<std::size_t>(), c.at("steps").get<std::size_t>());
}

}  // namespace

std::vector<Fit> load_method(Context& ctx, const std::string& method) {
    std::vector<Fit> fits;
    for (const auto& set : data_sets()) fits.push_back(load_fit(ctx, model_name(method, set)));
    return fits;
}

std::string settings_table(const std::vector<std::vector<Fit>>& by_method, const std::string& label) {
    std::string rows;
    for (const auto& fits : by_method) {
        const Fit& first = fits.front();
        std::string params;
        bool same = true;
        for (const auto& f : fits) {
            params += (params.empty() ? "" : ", ") + report::tex_count((long long)f.parameters);
            same = same && f.parameters == first.parameters;
        }
        if (same) params = report::tex_count((long long)first.parameters);
        const auto& c = first.config;
        rows += fmt::format("    {} & {} & {} & {} & {} & {:g} \\\\\n", method_title(first.method), architecture(first),
                            params, c.at("epochs").get<std::size_t>(), c.at("batch").get<std::size_t>(),
                            c.at("lr").get<double>());
    }
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{llrrrr}}
    \toprule
    method & architecture & parameters & epochs & batch & learning rate \\
    \midrule
{}    \bottomrule
  \end{{tabular}}
  \caption{{Settings, the same for every data set: Adam, its learning rate cosine-annealed to 0 over the epochs;
  parameters per data set (when they differ, in the order two moons, two blobs, boomerang).}}
  \label{{tab:{}}}
\end{{table}}
)",
        rows, label);
}

}  // namespace flow::chapters::dt8122
