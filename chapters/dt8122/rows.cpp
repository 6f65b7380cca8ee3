// A method's figure, one row per data set (its first fit), measured (common.hpp).
#include "common.hpp"

#include "core/normal.hpp"
#include "report/latex.hpp"
#include "report/stats.hpp"

namespace flow::chapters::dt8122 {

std::vector<Drawn> method_rows(Context& ctx, const std::string& method, std::string& body) {
    std::vector<Drawn> rows;
    const auto& sets = data_sets();
    for (std::size_t i = 0; i < sets.size(); ++i) {
        const std::string& set = sets[i];
        const std::string name = first_fit(ctx, method, set);
        Drawn r{model::fit_of(name, ctx.load(name)), {}, 0.0};
        const Points pts = model::points_of(r.fit);
        const Mat<float> z = prior_draws(ctx, set);
        const Mat<float> samples = r.fit.generate(z);
        r.m = model::measure(r.fit, pts, samples);
        auto& s = ctx.stats["figure"][set];
        s = r.m.to_json();
        s["model"] = name;
        s["row"] = four_panel_row(ctx, set, r.fit, pts, z, samples, i == 0, i + 1 == sets.size(), data_title(set));
        r.latent_w2 = s["row"]["latent_sliced_w2"].get<double>();
        body += fmt::format("  \\includegraphics{{{}}}\\\\[0.3ex]\n", ctx.figure_pdf(set));
        rows.push_back(std::move(r));
    }
    return rows;
}

double latent_yardstick(Context& ctx, std::size_t n) {
    const Mat<float> reference = prior_draws(ctx, data_sets().front());
    Rng rng = ctx.shared_rng("prior/yardstick");
    double worst = 0;
    for (int k = 0; k < 20; ++k)
        worst = std::max(worst, report::sliced_wasserstein(model::normal_draws(rng, n), reference));
    ctx.stats["latent_yardstick"] = {{"draws", n}, {"sets", 20}, {"largest_sliced_w2", worst}};
    return worst;
}

std::string rows_caption(const std::string& title, const std::string& what_fx, std::size_t points) {
    return title + fmt::format(", standardised coordinates. Blue: the {} training points $X$ and $f(X)$", points) +
           what_fx +
           "; red: 1000 prior draws $z$ (the same for every method) and $g(z)$. $\\log p(x)$ in nats, one scale per "
           "data set, clipped below. Panels in $x$ share the first column's scales, panels in $z$ the second's.";
}

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

std::string drawn_sentence(Context& ctx, const std::vector<Drawn>& rows) {
    double worst_mass = 0;
    for (const auto& r : rows) worst_mass = std::max(worst_mass, std::fabs(r.m.mass - 1.0));
    ctx.stats["largest_mass_error"] = worst_mass;
    // The latent images' distance to the prior against prior samples of their size, kept
    // as a statistic (the figure's f(X) column shows it).
    latent_yardstick(ctx, rows.front().fit.points);
    const bool first = ctx.chapter().id == "task1-planar";
    return fmt::format(first ? "Figure~\\ref{{fig:{}}} shows each data set's fit on its first split and seed; its "
                               "densities integrate numerically to 1 within {} over a grid wider than the data."
                             : "Figure~\\ref{{fig:{}}} shows the same fits; their densities integrate to 1 within {}.",
                       ctx.chapter().id, report::tex_fixed(std::max(worst_mass, 1e-3), 3));
}

}  // namespace flow::chapters::dt8122
