// nf-q1-loss: Normalizing flow, Q1 "Loss".
//
// "Present the validation loss over the training epochs. Additionally, plot the
//  log-determinant and the log(p_z(x)) components of this loss in separate lines at
//  the same figure."
//
// The validation loss and its components come from the training history (a held-out
// set drawn from its own stream, never trained on); the held-out NLL is measured here
// on a further fresh test set, against the entropy floor of the data.
//
// The default architecture is wider and deeper than the exercise's recipe (15 couplings
// of 5x8). The chapter trains the recipe too, with every other setting of the run, and
// sets the two side by side, so the report shows why the default differs.
#include <algorithm>
#include <cmath>

#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

// The figure: the validation loss per epoch, its two components, the training loss
// (drawn first and wide, since it lies close to the validation loss) and the entropy
// floor.
void loss_figure(Context& ctx, const std::vector<nf::EpochRecord>& h, double floor) {
    std::vector<std::vector<double>> cols(5);
    for (const auto& e : h) {
        cols[0].push_back(double(e.epoch));
        cols[1].push_back(e.val.total);
        cols[2].push_back(e.val.log_pz);
        cols[3].push_back(e.val.logdet);
        cols[4].push_back(e.train_loss);
    }
    const std::string tikz = fmt::format(R"(\begin{{tikzpicture}}
\begin{{axis}}[fr line chart, width=12cm, xlabel={{epoch}}, ylabel={{nats per point}},
  xmin=0.5, xmax={xmax}, legend style={{at={{(1.02,0.5)}}, anchor=west}}]
\addplot[line width=2.5pt, black!25] table[x=epoch, y=train_loss] {{loss.dat}};
\addlegendentry{{training loss (epoch mean)}}
\addplot[thick, black, mark=*, mark size=1.2pt] table[x=epoch, y=val_loss] {{loss.dat}};
\addlegendentry{{validation loss (Eq.~9)}}
\addplot[thick, blue!70!black, mark=square*, mark size=1.2pt] table[x=epoch, y=val_log_pz] {{loss.dat}};
\addlegendentry{{$\log p_z(\phi^{{-1}}(x))$}}
\addplot[thick, orange!85!black, mark=triangle*, mark size=1.5pt] table[x=epoch, y=val_logdet] {{loss.dat}};
\addlegendentry{{$\log|\det \partial\phi^{{-1}}/\partial x|$}}
\addplot[thin, red!70!black, dotted, domain=0.5:{xmax}] {{{floor}}};
\addlegendentry{{entropy floor {floor_txt}}}
\end{{axis}}
\end{{tikzpicture}}
)",
                                         fmt::arg("xmax", double(h.size()) + 0.5),
                                         fmt::arg("floor", floor),
                                         fmt::arg("floor_txt", tex_fixed(floor, 3)));
    ctx.figure("loss", tikz,
               {{"loss.dat", report::dat_table({"epoch", "val_loss", "val_log_pz", "val_logdet",
                                                "train_loss"}, cols)}});

}

// How the loss and its parts moved from the first epoch to the last, as verdicts.
struct Moves {
    std::string trend, best_txt;
    bool lowest_last, logdet_rose, log_pz_rose, stretches;
};
Moves moves(Context& ctx, const nf::EpochRecord& f, const nf::EpochRecord& l, const nf::EpochRecord& best_e) {
    const auto* best = &best_e;
    const std::string trend =
        ctx.verdict("validation_fell", "the last epoch's validation loss is below the first epoch's",
                    {{"first", f.val.total}, {"last", l.val.total}}, l.val.total < f.val.total)
            ? fmt::format("fell from {} after the first epoch to {} after the last",
                          tex_fixed(f.val.total, 3), tex_fixed(l.val.total, 3))
            : fmt::format("did not fall: {} after the first epoch, {} after the last",
                          tex_fixed(f.val.total, 3), tex_fixed(l.val.total, 3));
    const bool lowest_last = ctx.verdict("lowest_at_last_epoch", "the validation loss is lowest after the last epoch",
                                         {{"best_epoch", best->epoch}, {"last_epoch", l.epoch}},
                                         best->epoch == l.epoch);
    const std::string best_txt =
        lowest_last ? std::string("its lowest value")
                               : fmt::format("its lowest value was {} after epoch {}",
                                             tex_fixed(best->val.total, 3), best->epoch);
    const bool logdet_rose = ctx.verdict("logdet_rose", "the mean log-determinant after the last epoch is above its "
                                                        "value after the first",
                                         {{"first", f.val.logdet}, {"last", l.val.logdet}},
                                         l.val.logdet > f.val.logdet);
    const bool log_pz_rose = ctx.verdict("log_pz_rose", "the mean log p_z after the last epoch is above its value "
                                                        "after the first",
                                         {{"first", f.val.log_pz}, {"last", l.val.log_pz}},
                                         l.val.log_pz > f.val.log_pz);
    const bool stretches = ctx.verdict("inverse_stretches", "the last mean log-determinant is positive",
                                       {{"last", l.val.logdet}}, l.val.logdet > 0);
    return {trend, best_txt, lowest_last, logdet_rose, log_pz_rose, stretches};
}

void write_answer(Context& ctx, const nf::Model& m, const nf::EpochRecord& best, const nf::LossParts& t,
                  double floor, double area, std::size_t n_test, const std::string& recipe_txt) {
    const auto& f = m.history.front();
    const auto& l = m.history.back();
    const Moves mv = moves(ctx, f, l, best);
    const auto& [trend, best_txt, lowest_last, logdet_rose, log_pz_rose, stretches] = mv;
    auto direction = [](bool rose) { return rose ? "rose" : "fell"; };
    ctx.text = ctx.section() + fmt::format(
        R"(The flow has {desc}. Figure~\ref{{fig:nf-q1-loss}} shows, after every epoch, the loss of
Eq.~9 on {val} held-out validation points and its two components, whose negated sum it is.
The validation loss {trend}{best}. {train_val}
The two components move in {same_or_opposite}: the mean log-determinant of the inverse
{ld_dir} from {ld0} to {ld1} nats ({ld_why}), and the mean $\log p_z$ of the inverted
points {lp_dir} from {lp0} to {lp1} ({lp_why}).
On {test} fresh test points the negative log-likelihood is {nll} nats, {gap} {side} the
differential entropy of the data, {floor} nats, which no model can go below (the logarithm
of the support's area, {area}, measured on a fine grid, over the standardisation's scales).{recipe}

)",
        fmt::arg("desc", nf_description(m.config)),
        fmt::arg("val", report::tex_count((long long)m.config.val_points)),
        fmt::arg("trend", trend), fmt::arg("train_val", nf_train_val_sentence(ctx, l)),
        fmt::arg("best", lowest_last ? std::string(", its lowest value") : "; " + best_txt),
        fmt::arg("same_or_opposite",
                 logdet_rose == log_pz_rose
                     ? "the same direction" : "opposite directions"),
        fmt::arg("ld_dir", direction(logdet_rose)),
        fmt::arg("ld0", tex_fixed(f.val.logdet, 3)), fmt::arg("ld1", tex_fixed(l.val.logdet, 3)),
        fmt::arg("ld_why", stretches ? "positive: the inverse flow stretches the thin rings over the plane"
                                            : "the inverse flow does not, on average, stretch the data"),
        fmt::arg("lp_why", !log_pz_rose ? "those points spread over the prior"
                                                       : "those points gather toward the prior's centre"),
        fmt::arg("lp_dir", direction(log_pz_rose)),
        fmt::arg("lp0", tex_fixed(f.val.log_pz, 3)), fmt::arg("lp1", tex_fixed(l.val.log_pz, 3)),
        fmt::arg("test", report::tex_count((long long)n_test)),
        fmt::arg("nll", tex_fixed(t.total, 3)), fmt::arg("gap", tex_fixed(std::fabs(t.total - floor), 3)),
        fmt::arg("side", ctx.verdict("above_entropy_floor", "the test NLL is above the data's differential entropy",
                                     {{"nll", t.total}, {"floor", floor}}, t.total > floor)
                             ? "above"
                             : "below (an estimate's error: no model can be there)"),
        fmt::arg("floor", tex_fixed(floor, 3)), fmt::arg("area", tex_fixed(area, 3)),
        fmt::arg("recipe", recipe_txt)) +
        ctx.figure_float_of(
            "loss", "Normalizing flow: validation loss per epoch, its components, and the training loss (grey).");
}

}  // namespace

void nf_q1_loss(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const auto& h = m.history;

    // --- the held-out test set and the floor ------------------------------------------
    Rng test_rng = ctx.rng("test");
    const auto test_set = data::unconditional_rings(50000, test_rng);
    const auto test = data::in_frame(test_set, m.scale);
    const nf::LossParts t = nf::evaluate(m.flow, test);
    const double area = data::union_area();
    const double floor = data::entropy_floor(m.scale, area);

    const std::string recipe_txt = nf_recipe_paragraph(ctx, m, test);
    loss_figure(ctx, h, floor);

    // --- statistics ---------------------------------------------------------------------
    const auto best = std::min_element(h.begin(), h.end(), [](const auto& a, const auto& b) {
        return a.val.total < b.val.total;
    });
    ctx.stats["figures"]["loss"] = {{"epochs", h.size()},
                                    {"first", h.front().val.total},
                                    {"last", h.back().val.total},
                                    {"min", best->val.total},
                                    {"min_epoch", best->epoch},
                                    {"last_log_pz", h.back().val.log_pz},
                                    {"last_logdet", h.back().val.logdet},
                                    {"first_log_pz", h.front().val.log_pz},
                                    {"first_logdet", h.front().val.logdet},
                                    {"last_train_loss", h.back().train_loss}};
    ctx.stats["test"] = {{"points", test.shape(0)}, {"nll", t.total}, {"log_pz", t.log_pz},
                         {"logdet", t.logdet}, {"entropy_floor", floor}, {"union_area", area}};

    write_answer(ctx, m, *best, t, floor, area, test.shape(0), recipe_txt);
}

FLOWREPORT_CHAPTER("rings", "nf-q1-loss", nullptr, nf_q1_loss)

}  // namespace flow::chapters
