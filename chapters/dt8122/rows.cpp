// A method's rows: each fit measured, its figure row drawn, and the sentence that sums
// them up (common.hpp).
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
    const Mat<float> a = model::normal_draws(rng, 400);
    const double d = report::sliced_wasserstein(a, prior_draws(ctx, data_sets().front()));
    ctx.stats["latent_reference_sliced_w2"] = d;
    return d;
}

std::string summary_sentence(Context& ctx, const std::vector<Row>& rows, const std::string& subject,
                             double reference) {
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
           (ctx.verdict("latent_like_prior",
                        "the largest sliced W2 distance between an image f(X) and the prior draws is at most that "
                        "between 400 other prior draws and the same ones",
                        {{"worst", worst_latent}, {"reference", reference}}, worst_latent <= reference)
                ? " Every image $f(X)$ is as close to the prior as a sample of the prior itself."
                : fmt::format(" The farthest image $f(X)$ lies {} from the prior, {} more than a sample of the prior "
                              "itself.",
                              tex_fixed(worst_latent, 3), report::tex_percent(worst_latent / reference - 1.0, 0)));
}

}  // namespace flow::chapters::dt8122
