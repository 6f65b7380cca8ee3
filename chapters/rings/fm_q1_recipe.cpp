// fm-q1-loss's comparison with the exercise's recipe (fm_q1.hpp).
#include "fm_q1.hpp"
#include "report/latex.hpp"

namespace flow::chapters::fm_q1 {

// The exercise's recipe, trained with every other setting of ours, against our field on
// the same 10000 prior points (the quality samples every section uses): a sentence when
// they differ.
std::string recipe_paragraph(Context& ctx, fm::Model& m, const fm::Integration& how) {
    fm::Model& r = ctx.load_as<fm::Model>("fm-recipe");
    const nn::Mat<float> z = quality_prior_points(ctx);
    const nn::Mat<float> x = fm::forward_flow(m.field, z, how);
    const double ours = share_on_ring(x, m.scale, -1);
    ctx.stats["samples_10000"] = cloud_json(x, m.scale, quality_held_out(ctx, m.scale));
    ctx.stats["default_vs_recipe"]["ours"] = {{"share_in_band", ours}, {"train_seconds", m.train_seconds},
                                              {"val_loss", m.history.back().val_loss}};
    if (r.config.to_json() == m.config.to_json()) return "";
    const double rec = share_on_ring(fm::forward_flow(r.field, z, how), r.scale, -1);
    ctx.stats["default_vs_recipe"]["recipe"] = {{"config", r.config.to_json()}, {"share_in_band", rec},
                                                {"train_seconds", r.train_seconds},
                                                {"val_loss", r.history.back().val_loss}};
    const bool better = ctx.verdict("ours_more_in_bands",
                                    "our field puts a larger share of the same 10000 samples in a band than the "
                                    "recipe's",
                                    {{"ours", ours}, {"recipe", rec}}, ours > rec);
    return fmt::format(
        R"( With the exercise's recipe, which changes both the epochs ({r_e}) and the law of $t$ ($U[0, 1]$),
{r_band} of 10\,000 samples land in a band, with ours {o_band}{verdict} (one training seed each).)",
        fmt::arg("r_e", r.config.epochs), fmt::arg("r_band", report::tex_percent(rec, 1)),
        fmt::arg("o_band", report::tex_percent(ours, 1)),
        fmt::arg("verdict", better ? "" : ": our changes do not pay"));
}

}  // namespace flow::chapters::fm_q1
