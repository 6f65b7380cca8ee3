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

// The methods by the prefix of their models' names, in the report's order, with their titles.
const std::vector<std::pair<std::string, std::string>> kMethods{
    {"planar", "planar flow"}, {"realnvp", "Real NVP"}, {"cnf", "continuous flow"}};

const std::vector<std::string>& methods() {
    static const std::vector<std::string> m{kMethods[0].first, kMethods[1].first, kMethods[2].first};
    return m;
}

std::string method_title(const std::string& method) {
    for (const auto& [name, title] : kMethods)
        if (name == method) return title;
    throw std::logic_error("unknown method " + method);
}

Fit load_fit(Context& ctx, const std::string& name) { return model::fit_of(name, ctx.load(name)); }

std::string method_of(const Fit& f) { return f.name.substr(0, f.name.find('-')); }

Mat<float> prior_draws(Context& ctx, const std::string& set, std::size_t n) {
    Rng rng = ctx.rng("prior/" + set);
    return model::normal_draws(rng, n);
}

namespace {

constexpr double kLatentExtent = 4.0;
constexpr std::size_t kImage = 100;    // pixels of the log-density image, per side
constexpr double kDensityRange = 8.0;  // nats of log p the colours span, below the highest
// Every panel names its horizontal coordinate: the data plane's or the latent one's.
const std::string kX1 = ", xlabel={$x_1$}", kZ1 = ", xlabel={$z_1$}";

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
    const auto image = model::density_image(f, e, kImage);
    const double top = *std::max_element(image.begin(), image.end()), bottom = top - kDensityRange;

    const std::string data_range = data_win.axis_options(), latent_range = latent_win.axis_options();
    const auto title = [&](const char* t) { return titles ? fmt::format(", title={{{}}}", t) : std::string(); };
    std::string tikz = "\\begin{tikzpicture}\n";
    tikz += row_axis(0, fmt::format("{}, ylabel style={{align=center}}, ylabel={{{}\\\\ $x_2$}}{}", data_range + kX1, label,
                                    title("data $X$")));
    tikz += scatter(name + "-x.dat", "fr data marks") + "\\end{axis}\n";
    tikz += row_axis(1, latent_range + kZ1 + title("$f(X)$"));
    tikz += scatter(name + "-fx.dat", "fr data marks") + "\\end{axis}\n";
    tikz += row_axis(2, data_range + kX1 + title("samples $g(z)$"));
    tikz += scatter(name + "-gz.dat", "fr prior marks") + "\\end{axis}\n";
    tikz += row_axis(3, latent_range + kZ1 + title("prior $z$"));
    tikz += scatter(name + "-z.dat", "fr prior marks") + "\\end{axis}\n";
    tikz += row_axis(4, fmt::format("{}, enlargelimits=false, axis on top, grid=none, colormap name=fr viridis, "
                                    "colorbar, point meta min={:.2f}, point meta max={:.2f}, "
                                    "colorbar style={{width=0.15cm, yticklabel style={{font=\\scriptsize}}, "
                                    "ylabel={{$\\log p$ (nats)}}, ylabel style={{font=\\scriptsize}}}}{}",
                                    data_range + kX1, bottom, top, title("$\\log p(x)$")));
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

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

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
        rows += fmt::format("    {} & {} & {} & {} & {} & {:g} \\\\\n", method_title(method_of(first)),
                            first.architecture, params, first.epochs, first.batch, first.lr);
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
  \caption{{Settings, the same for every data set: Adam, its learning rate cosine-annealed to 0 over the epochs.}}
  \label{{tab:{}}}
\end{{table}}
)",
        rows, label);
}

}  // namespace flow::chapters::dt8122
