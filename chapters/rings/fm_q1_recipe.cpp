// fm-q1-loss's comparison with the exercise's recipe (fm_q1.hpp).
#include "fm_q1.hpp"
#include "report/latex.hpp"

namespace flow::chapters::fm_q1 {

namespace {

using report::tex_fixed;

double band_share(fm::Model& m, const nn::Mat<float>& z, const fm::Integration& how) {
    return share_on_ring(fm::forward_flow(m.field, z, how), m.scale, -1);
}

}  // namespace

// The exercise's recipe, trained by make with every other setting of this run, against
// this run's field: a paragraph when they differ.
std::string recipe_paragraph(Context& ctx, fm::Model& m, const fm::Integration& how) {
    fm::Model& r = ctx.load_as<fm::Model>("fm-recipe");
    const fm::Config& recipe_cfg = r.config;
    const nn::Mat<float> z = prior_sample(ctx, 10000, "quality");
    const nn::Mat<float> x10k = fm::forward_flow(m.field, z, how);
    const double ours = share_on_ring(x10k, m.scale, -1);
    ctx.stats["samples_10000"] = cloud_json(x10k, m.scale, held_out(ctx, m.scale));
    ctx.stats["default_vs_recipe"]["this_run"] = {{"share_in_band", ours}, {"train_seconds", m.train_seconds},
                                                  {"val_loss", m.history.back().val_loss}};
    if (recipe_cfg.to_json() == m.config.to_json()) return "";
    const double rec = band_share(r, z, how);
    ctx.stats["default_vs_recipe"]["recipe"] = {{"config", recipe_cfg.to_json()}, {"share_in_band", rec},
                                                {"train_seconds", r.train_seconds},
                                                {"val_loss", r.history.back().val_loss}};
    const std::string ours_vs_recipe = ctx.verdict(
        "default_against_recipe",
        "this field's share of samples in a band against the recipe's, and its last validation loss against the "
        "recipe's",
        {{"share", ours}, {"recipe_share", rec}, {"val_loss", m.history.back().val_loss},
         {"recipe_val_loss", r.history.back().val_loss}},
        ours <= rec ? "not more in bands"
        : m.history.back().val_loss < r.history.back().val_loss ? "lower loss, more in bands"
                                                                 : "higher loss, more in bands");
    return fmt::format(
        R"(

\paragraph{{This training and the exercise's.}} The exercise recommends {r_e} epochs of a
field of {r_d} layers of {r_h} units, with {r_t}. Trained so, with every other setting of this run, the field
reaches a validation loss of {r_val}, and {r_band} of 10\,000 samples ({steps}) land inside
a ring band, after {r_s}\,s of training. This run's field reaches {o_val} and {o_band}
after {o_s}\,s. {verdict})",
        fmt::arg("r_e", recipe_cfg.epochs), fmt::arg("r_d", recipe_cfg.shape.depth),
        fmt::arg("r_h", recipe_cfg.shape.hidden), fmt::arg("r_t", time_sampling_description(recipe_cfg)),
        fmt::arg("r_val", tex_fixed(r.history.back().val_loss, 4)),
        fmt::arg("r_band", report::tex_percent(rec)), fmt::arg("r_s", tex_fixed(r.train_seconds, 0)),
        fmt::arg("steps", integration_description(how)),
        fmt::arg("o_val", tex_fixed(m.history.back().val_loss, 4)),
        fmt::arg("o_band", report::tex_percent(ours)), fmt::arg("o_s", tex_fixed(m.train_seconds, 0)),
        fmt::arg("verdict",
                 ours_vs_recipe == "not more in bands"
                     ? "This run's field does not put more samples in the bands than the recipe's."
                 : ours_vs_recipe == "lower loss, more in bands"
                     ? "Small differences in the loss are large differences in where the samples land."
                     : "This run's field has the higher loss at uniform times and still puts more "
                       "samples in the bands: Eq.~16 weights every time alike, while whether a "
                       "sample lands in a band is decided near $t = 1$."));
}

}  // namespace flow::chapters::fm_q1
