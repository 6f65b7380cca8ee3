// nf-q1-loss's comparison with the exercise's recipe, and its sentence on the training
// loss against the validation loss (nf_common.hpp).
#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

struct Scores {
    double nll, band, train_seconds;
};

// Held-out NLL on the test set and the share of 10,000 samples inside a band.
Scores score(nf::Model& m, const xt::xtensor<float, 2>& test, Rng rng) {
    const auto x = nf::sample(m.flow, 10000, rng);
    return {nf::evaluate(m.flow, test).total, share_on_ring(x, m.scale, -1), m.train_seconds};
}


// The exercise's recipe, trained by make with every other setting of this run, against
// this run's model on the same test points: a paragraph when they differ.
}  // namespace

std::string nf_recipe_paragraph(Context& ctx, nf::Model& m, const xt::xtensor<float, 2>& test) {
    nf::Model& r = ctx.load_as<nf::Model>("nf-recipe");
    const nf::Config& recipe_cfg = r.config;
    const bool is_recipe = recipe_cfg.to_json() == m.config.to_json();
    const Rng sample_rng = ctx.rng("samples");
    const Scores ours = score(m, test, sample_rng);
    ctx.stats["default_vs_recipe"]["this_run"] = {{"nll", ours.nll}, {"share_in_band", ours.band},
                                                  {"train_seconds", ours.train_seconds}};
    if (is_recipe) return "";
    {
        const Scores rec = score(r, test, sample_rng);
        ctx.stats["default_vs_recipe"]["recipe"] = {{"config", recipe_cfg.to_json()},
                                                    {"nll", rec.nll}, {"share_in_band", rec.band},
                                                    {"train_seconds", rec.train_seconds}};
        const bool better = ctx.verdict("default_better_than_recipe",
                                        "this flow's test NLL is below the recipe's and its share of samples in a "
                                        "band above",
                                        {{"nll", ours.nll}, {"recipe_nll", rec.nll}, {"share", ours.band},
                                         {"recipe_share", rec.band}},
                                        ours.nll < rec.nll && ours.band > rec.band);
        return fmt::format(
            R"(

\paragraph{{This architecture and the exercise's.}} The exercise recommends {r_l} coupling
layers with networks of {r_d} linear layers of {r_h} units. Trained here with every other setting
of this run, that recipe reaches {r_nll} nats on the same test points, and {r_band} of
10\,000 samples fall inside a ring band, in {r_s}\,s of training; this run's model reaches
{o_nll} nats and {o_band}, in {o_s}\,s. {verdict})",
            fmt::arg("r_l", recipe_cfg.arch.couplings), fmt::arg("r_d", recipe_cfg.arch.depth),
            fmt::arg("r_h", recipe_cfg.arch.hidden), fmt::arg("r_nll", tex_fixed(rec.nll, 3)), fmt::arg("r_band", report::tex_percent(rec.band)),
            fmt::arg("r_s", tex_fixed(rec.train_seconds, 0)),
            fmt::arg("o_nll", tex_fixed(ours.nll, 3)), fmt::arg("o_band", report::tex_percent(ours.band)),
            fmt::arg("o_s", tex_fixed(ours.train_seconds, 0)),
            fmt::arg("verdict",
                     better ? fmt::format("This run's architecture is better on both counts; at the defaults "
                                          "({} couplings of {} layers of {} units) that is why they differ "
                                          "from the recipe.",
                                          m.config.arch.couplings, m.config.arch.depth, m.config.arch.hidden)
                            : "This run's architecture is not better on both counts."));
    }

}

// The training loss beside the validation loss in the last epoch, as a sentence.
std::string nf_train_val_sentence(Context& ctx, const nf::EpochRecord& l) {
    const double gap = l.val.total - l.train_loss;
    const std::string both = fmt::format("{} against {} nats in the last epoch", tex_fixed(l.train_loss, 3),
                                         tex_fixed(l.val.total, 3));
    const std::string side = ctx.verdict(
        "training_against_validation",
        "the last epoch's validation loss minus its training loss: within 0.05 nats, above, or below",
        {{"training", l.train_loss}, {"validation", l.val.total}},
        std::fabs(gap) < 0.05 ? "close" : gap > 0 ? "validation above" : "validation below");
    if (side == "close")
        return std::string("The training loss (the mean over each epoch's batches, the wide grey line) lies ") +
               (gap > 0 ? "under" : "just above") + " it, " + both + ": no sign of overfitting.";
    return "The training loss (the wide grey line) ends " + std::string(side == "validation above" ? "below" : "above") +
           " it, " + both +
           (side == "validation above" ? ": the flow fits its training points better than new ones."
                                       : " (an epoch's mean includes its early batches).");
}

}  // namespace flow::chapters
