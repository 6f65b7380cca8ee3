// nf-q2-sampling: Normalizing flow, Q2 "Sampling".
//
// "Present 3 figures with different samplings of 1000 points, using 3 different seeds."
//
// Each figure draws z ~ N(0, I) from its own seed and pushes it through the flow. The
// sample quality is measured on those samples and on 10,000 more: the share inside a
// ring band, and per ring against the held-out data's.
#include <algorithm>
#include <cmath>

#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

namespace {

constexpr std::size_t kNfPanelPoints = 1000;

// The three seeds' panels, in the one window that holds every point of all three (so
// that none is hidden and the panels compare), and their shares in a band.
std::vector<double> nf_seed_panels(Context& ctx, const nf::Model& m, const xt::xtensor<float, 2>& data,
                                   std::vector<std::string>& panels) {
    const std::uint64_t seed = ctx.flags().seed();
    std::vector<nn::Mat<float>> xs;
    for (int i = 1; i <= 3; ++i) {
        Rng rng(seed + std::uint64_t(i), "nf-q2-sampling/samples");
        xs.push_back(nf::sample(m.flow, kNfPanelPoints, rng));
    }
    const report::Window win = report::window_for({&xs[0], &xs[1], &xs[2]}, 2.5, 8.0);
    std::vector<double> shares;
    for (int i = 1; i <= 3; ++i) {
        const std::uint64_t s = seed + std::uint64_t(i);
        const auto& x = xs[std::size_t(i - 1)];
        const std::string name = fmt::format("seed{}", i);
        auto q = cloud_json(x, m.scale, data);
        shares.push_back(q["share_in_band"].get<double>());
        const std::string title = fmt::format("seed {}: {}", s, report::tex_percent(shares.back(), 0));
        report::Files files;
        ctx.figure(name,
                   report::cloud_tikz("fr panel, xlabel={$x_1$}, ylabel={$x_2$}, title={" + title + "}", win.view(),
                                      report::kPanelBoxPt, x, name + ".png", files),
                   files);
        q["seed"] = s;
        q["window"] = win.extent;
        q["outside_window"] = win.outside[std::size_t(i - 1)];
        ctx.stats["figures"][name] = q;
        panels.push_back("\\includegraphics{" + ctx.figure_pdf(name) + "}");
    }
    return shares;
}

}  // namespace

void nf_q2_sampling(Context& ctx) {
    using report::tex_percent;
    nf::Model& m = nf_model(ctx);
    const auto data = held_out(ctx, m.scale);
    std::vector<std::string> panels;
    const std::vector<double> shares = nf_seed_panels(ctx, m, data, panels);

    nn::Mat<float> big;  // from the quality draws every section that states a share uses
    m.flow.forward(quality_prior_points(ctx), big);
    const auto q = cloud_json(big, m.scale, data);
    ctx.stats["samples_10000"] = q;
    const double band = q["share_in_band"].get<double>();

    // Each ring's share of the samples against its share of the held-out data (recorded).
    double ring_off = 0;
    for (int k = 0; k < data::kClasses; ++k) {
        const auto c = std::string(data::rings()[std::size_t(k)].colour);
        const double d = share_on_ring(data, m.scale, k);
        ctx.stats["data_share_per_ring"][c] = d;
        ring_off = std::max(ring_off, std::fabs(q["share_per_ring"][c].get<double>() - d));
    }
    // The seeds differ by sampling noise when their shares spread by less than four
    // binomial standard errors of a 1000-point panel.
    const auto [lo, hi] = std::minmax_element(shares.begin(), shares.end());
    const double se = std::sqrt(band * (1 - band) / double(kNfPanelPoints));
    const bool seeds_agree = ctx.verdict("seeds_agree",
                                         "the three panels' shares in a band spread by less than 4 binomial standard "
                                         "errors of 1000 points",
                                         {{"spread", *hi - *lo}, {"standard_error", se}}, *hi - *lo < 4 * se);
    ctx.stats["largest_ring_share_difference"] = ring_off;
    ctx.text = ctx.section() + fmt::format(
        R"(The three samples of {n} points, one seed each, all draw the five rings
(Figure~\ref{{fig:nf-q2-sampling}}); their shares in a band differ {agree} sampling noise.

Of {big} further samples, {gap} lie outside the bands. The model's mass there cannot be zero: $p(x) =
p_z(\phi^{{-1}}(x))\,|\det \partial\phi^{{-1}}/\partial x|$ with $p_z$ Gaussian, positive everywhere, and
$\phi$ a continuous bijection whose Jacobian never vanishes, so the density is positive at every
point, gaps included. Capacity and training set how much (Table~\ref{{tab:nf-q1-loss}}).

)",
        fmt::arg("n", kNfPanelPoints), fmt::arg("agree", seeds_agree ? "only by" : "by more than"),
        fmt::arg("big", report::tex_count((long long)kQualitySamples)),
        fmt::arg("gap", tex_percent(1.0 - band))) +
        ctx.figure_float(report::panel_grid(panels, 3),
                         fmt::format("Normalizing flow: {} samples per seed; titles: seed, share in a band.",
                                     kNfPanelPoints));
}

FLOWREPORT_CHAPTER("rings", "nf-q2-sampling", nullptr, nf_q2_sampling)

}  // namespace flow::chapters
