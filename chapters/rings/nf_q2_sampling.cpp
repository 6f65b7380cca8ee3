// nf-q2-sampling: Normalizing flow, Q2 "Sampling".
//
// "Present 3 figures with different samplings of 1000 points, using 3 different seeds."
//
// Each figure draws z ~ N(0, I) from its own seed and pushes it through the flow. The
// sample quality is measured on those samples and on 10,000 more: the share inside a
// ring band, and per ring.
#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters {


void nf_q2_sampling(Context& ctx) {
    using report::tex_percent;
    nf::Model& m = nf_model(ctx);
    const std::uint64_t seed = ctx.flags().seed();

    const auto data = held_out(ctx, m.scale);
    std::string panels, shares;
    for (int i = 1; i <= 3; ++i) {
        const std::uint64_t s = seed + std::uint64_t(i);
        Rng rng(s, "nf-q2-sampling/samples");
        const auto x = nf::sample(m.flow, 1000, rng);
        const std::string name = fmt::format("seed{}", i);
        ctx.figure(name, report::cloud_tikz(fmt::format("fr panel, title={{seed {}}}", s), name + ".dat"),
                   {{name + ".dat", report::points_dat(x)}});
        const auto q = cloud_json(x, m.scale, data);
        ctx.stats["figures"][name] = q;
        ctx.stats["figures"][name]["seed"] = s;
        panels += fmt::format("  \\includegraphics{{{}}}{}\n", ctx.figure_pdf(name), i < 3 ? "\\hfill" : "");
        shares += fmt::format("{}{}", i == 1 ? "" : (i == 3 ? " and " : ", "),
                              tex_percent(q["share_in_band"].get<double>()));
    }
    Rng big_rng = ctx.rng("quality");
    const auto big = nf::sample(m.flow, 10000, big_rng);
    const auto q = cloud_json(big, m.scale, data);
    ctx.stats["samples_10000"] = q;

    std::string per_ring;
    double lo = 1, hi = 0;
    for (int k = 0; k < data::kClasses; ++k) {
        const auto c = std::string(data::rings()[std::size_t(k)].colour);
        const double v = q["share_per_ring"][c].get<double>();
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        per_ring += fmt::format("{}{} {}", k ? ", " : "", c, tex_percent(v));
    }
    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:nf-q2-sampling}}

Figure~\ref{{fig:nf-q2-sampling}} shows three samples of 1000 points, each drawn from the
prior with its own seed and pushed through the flow. {shares} of their points lie inside a
ring band. On 10\,000 further samples the share is {share}; by ring (bands overlap, so a
point may count twice): {per_ring}. The remaining {outside} lie between the bands: the flow
is a continuous, invertible map of a Gaussian, which cannot tear the plane apart, so it
cannot empty the gaps between and inside the rings entirely.

\begin{{figure}}[htbp]
  \centering
{panels}  \caption{{Normalizing flow: three samples of 1000 points, one seed each.}}
  \label{{fig:nf-q2-sampling}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("shares", shares),
        fmt::arg("share", tex_percent(q["share_in_band"].get<double>())),
        fmt::arg("per_ring", per_ring),
        fmt::arg("outside", tex_percent(1.0 - q["share_in_band"].get<double>())), fmt::arg("panels", panels));
}

FLOWREPORT_CHAPTER("rings", "nf-q2-sampling", nullptr, nf_q2_sampling)

}  // namespace flow::chapters
