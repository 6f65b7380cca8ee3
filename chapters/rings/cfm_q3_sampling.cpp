// cfm-q3-sampling: Conditional flow matching, Q3 "Sampling".
//
// "Plot a sampling of at least 3000 points from your trained conditional model. Plot
//  the sampled points coloring them by their classes."
//
// 3000 samples, 600 per class; for every class the share of its samples that lie in its
// own ring (and in any ring), measured with the ring geometry.
#include <xtensor/xview.hpp>

#include "data/olympic.hpp"
#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

// Every class's samples (rows k, k + K, ...): the figure's data and legend, the table's
// rows, and each class's statistics and share in its own ring.
struct Classes {
    std::vector<std::vector<double>> cols;
    std::vector<std::string> legend;
    std::string rows;
    nlohmann::json per;
    double own_total, min_own;
};
Classes per_class(const nn::Mat<float>& x, const data::Standardiser& scale, const data::PointSet& held,
                  const nn::Mat<float>& held_x, std::size_t n) {
    using report::tex_percent;
    const std::size_t K = data::kClasses;
    std::vector<std::vector<double>> cols(3);
    std::vector<std::string> legend;
    std::string rows;
    nlohmann::json per = nlohmann::json::object();
    double own_total = 0, min_own = 1;
    for (std::size_t k = 0; k < K; ++k) {
        std::vector<std::size_t> idx;
        for (std::size_t i = k; i < n; i += K) idx.push_back(i);
        for (std::size_t i : idx) {
            cols[0].push_back(x(i, 0));
            cols[1].push_back(x(i, 1));
            cols[2].push_back(double(k));
        }
        const auto& ring = data::rings()[k];
        const double own = share_on_ring(x, scale, int(k), idx);
        const double any = share_on_ring(x, scale, -1, idx);
        own_total += own * double(idx.size()) / double(n);
        min_own = std::min(min_own, own);
        auto j = report::cloud_stats(x, idx).to_json();
        j["label"] = k;
        j["share_own_ring"] = own;
        j["share_any_ring"] = any;
        std::vector<std::size_t> hk;
        for (std::size_t i = 0; i < held.labels.size(); ++i)
            if (std::size_t(held.labels(i)) == k) hk.push_back(i);
        j["sliced_w2_to_class_data"] = report::sliced_wasserstein(xt::view(x, xt::keep(idx), xt::all()),
                                                                 xt::view(held_x, xt::keep(hk), xt::all()));
        per[std::string(ring.colour)] = j;
        legend.push_back(std::string(ring.colour));
        rows += fmt::format("{} ({}) & {}\\\\\n", ring.colour, k, tex_percent(own));
    }
    return {cols, legend, rows, per, own_total, min_own};
}

}  // namespace

void cfm_q3_sampling(Context& ctx) {
    using report::tex_percent;
    fm::Model& m = fm_model(ctx, "cfm");
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t n = kClassSamples, K = data::kClasses;
    const nn::Mat<float> z = class_prior_points(ctx);
    const fm::Labels labels = cycling_labels(n);
    const nn::Mat<float> x = fm::forward_flow(m.field, z, how, &labels);
    // Held-out conditional data in the model's frame: each class's distance to its ring's.
    Rng held_rng = ctx.rng("held-out");
    const auto held = data::conditional_rings(5000, held_rng);
    const auto held_x = data::in_frame(held, m.scale);

    const Classes c = per_class(x, m.scale, held, held_x, n);
    const auto& [cols, legend, rows, per, own_total, min_own] = c;
    report::Files files{{"samples.dat", report::dat_table({"x", "y", "label"}, cols)}};
    ctx.figure("samples",
               class_cloud_tikz(cols, legend, "at={(0.5,1.03)}, anchor=south, nodes={text height=1.6ex, text depth=0.45ex}",
                                "samples.png", files),
               files);
    ctx.stats["figures"]["samples"] = {{"count", n}, {"classes", per}, {"share_own_ring", own_total},
                                       {"min_class_share_own_ring", min_own}};

    const bool still = ctx.verdict("worst_class_mostly_in_ring",
                                   "the worst class puts more than half of its samples in its own ring",
                                   {{"share", min_own}}, min_own > 0.5);
    ctx.text = ctx.section() + fmt::format(
        R"(Of {n} samples, {per_class} per class, {own} land in the ring of the class asked for, and the
worst class {still} puts {min_own} of its samples there (Figure~\ref{{fig:cfm-q3-sampling}},
Table~\ref{{tab:cfm-q3-sampling}}; {steps}).

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lc}}
    class & in its own ring\\\hline
{rows}  \end{{tabular}}
  \caption{{Conditional flow matching: share of each class's samples in its own ring.}}
  \label{{tab:cfm-q3-sampling}}
\end{{table}}

)",
        fmt::arg("n", report::tex_count((long long)n)), fmt::arg("per_class", n / K),
        fmt::arg("steps", integration_description(how)), fmt::arg("own", tex_percent(own_total)),
        fmt::arg("still", still ? "still" : "only"), fmt::arg("min_own", tex_percent(min_own)),
        fmt::arg("rows", rows)) +
        ctx.figure_float_of("samples", fmt::format("Conditional flow matching: {} samples coloured by the class "
                                                   "asked for.", report::tex_count((long long)n)));
}

FLOWREPORT_CHAPTER("rings", "cfm-q3-sampling", fm_flags, cfm_q3_sampling)

}  // namespace flow::chapters
