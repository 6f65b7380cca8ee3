// fm-q1-loss: Flow matching, Q1 "Loss".
//
// "Present the loss function (Eq. 16) over the training batches."
//
// Every batch's loss is kept in training. The figure reduces them faithfully on a log
// batch axis: for each run of consecutive batches (runs growing geometrically, 300 in
// all) the band from the smallest to the largest loss and the mean, with the validation
// loss after every epoch at uniform times and at the training's times. The share of
// late times is counted from the training's own draws. We train longer than the
// exercise's 20 epochs, so the exercise's recipe is trained too and compared.
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "fm_q1.hpp"
#include "report/latex.hpp"

namespace flow::chapters {

namespace {

using namespace fm_q1;
using report::tex_fixed;

// The times the training drew: their statistics, and a sentence when they were drawn
// toward the data (log-uniform 1 - t).
std::string times_sentence(Context& ctx, const fm::Model& m) {
    const double late = m.time_counts.share_above(0.9);
    const double late_law = fm::time_share_above(m.config.time_sampling, m.config.time_floor, 0.9);
    ctx.stats["time_draws"] = {{"draws", m.time_counts.total()}, {"share_above_0.9", late},
                               {"law_share_above_0.9", late_law}};
    if (m.config.time_sampling != fm::TimeSampling::Log) return ".";
    return fmt::format(
        R"(, drawing $1 - t$ log-uniformly on $[{floor}, 1]$ so that {late} of the training times lie above
0.9: the minimiser of Eq.~16 is unchanged, but capacity moves to where a sample lands in a
band or beside it.)",
        fmt::arg("floor", fmt::format("{:g}", m.config.time_floor)), fmt::arg("late", report::tex_percent(late)));
}

// The batch losses at the start, the end of the first epoch and the last epoch, and the
// validation losses (recorded with the figure's statistics).
struct Losses {
    std::size_t nb, head;
    double first_batches, end_of_first, last_epoch;
    fm::EpochRecord best;
};
Losses loss_summary(Context& ctx, const fm::Model& m) {
    const auto& bl = m.batch_loss;
    const std::size_t nb = bl.size(), per_epoch = nb / m.history.size();
    const double first_epoch = mean_loss(bl, 0, per_epoch), last_epoch = mean_loss(bl, nb - per_epoch, nb);
    const std::size_t head = std::min<std::size_t>(10, per_epoch), tenth = std::max<std::size_t>(1, per_epoch / 10);
    const double first_batches = mean_loss(bl, 0, head), end_of_first = mean_loss(bl, per_epoch - tenth, per_epoch);
    const auto best = std::min_element(m.history.begin(), m.history.end(),
                                       [](const auto& a, const auto& b) { return a.val_loss < b.val_loss; });
    const auto& last = m.history.back();
    auto& fig = ctx.stats["figures"]["loss"];
    fig.update({{"first", bl.front()}, {"last", bl.back()},
                {"first_batches_mean", first_batches}, {"end_of_first_epoch_mean", end_of_first},
                {"first_epoch_mean", first_epoch}, {"last_epoch_mean", last_epoch},
                {"val_first", m.history.front().val_loss}, {"val_last", last.val_loss},
                {"val_train_times_last", last.val_loss_train_times},
                {"val_min", best->val_loss}, {"val_min_epoch", best->epoch}});
    return {nb, head, first_batches, end_of_first, last_epoch, *best};
}

void write_answer(Context& ctx, const fm::Model& m, const Losses& l, const std::string& times_txt,
                  const std::string& recipe_txt) {
    const auto& last = m.history.back();
    const bool on_curve = ctx.verdict("validation_on_training_curve",
                                      "the last validation loss at training's times is within 0.05 of the last "
                                      "epoch's training loss",
                                      {{"validation", last.val_loss_train_times}, {"training", l.last_epoch}},
                                      std::fabs(last.val_loss_train_times - l.last_epoch) < 0.05);
    ctx.text = ctx.section() + fmt::format(
        R"(The loss of Eq.~16, with $t$ drawn as in training (below), falls from {b0} (first {head} batches) to
{b1} by the end of the first epoch and ends at {e1} (Figure~\ref{{fig:fm-q1-loss}}); the validation loss at the
same times {sit} the training curve, and with the sheet's $t \sim U[0, 1]$ it ends at {u1}. It cannot reach zero:
the target $x_1 - x_0$ (a prior draw $x_0$, a data point $x_1$, $y_t = (1-t)\,x_0 + t\,x_1$) is not determined
by $(y_t, t)$, so the best field, its conditional mean, leaves the conditional variance as a floor.

We train {desc}{times}{recipe}

)",
        fmt::arg("b0", tex_fixed(l.first_batches, 2)), fmt::arg("head", l.head), fmt::arg("b1", tex_fixed(l.end_of_first, 2)),
        fmt::arg("e1", tex_fixed(l.last_epoch, 2)), fmt::arg("u1", tex_fixed(last.val_loss, 2)),
        fmt::arg("batch", m.config.batch), fmt::arg("sit", on_curve ? "lies on" : "lies near"),
        fmt::arg("desc", fm_description(m.config)), fmt::arg("times", times_txt), fmt::arg("recipe", recipe_txt)) +
        ctx.figure_float_of("loss", fmt::format("Flow matching: the loss of all {} training batches (range and mean "
                                                "over runs of consecutive batches), and the validation loss.",
                                                report::tex_count((long long)l.nb)));
}

}  // namespace

void fm_q1_loss(Context& ctx) {
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t longest = loss_figure(ctx, m);
    const Losses l = loss_summary(ctx, m);
    ctx.stats["figures"]["loss"]["longest_run"] = longest;
    const std::string times_txt = times_sentence(ctx, m);
    const std::string recipe_txt = recipe_paragraph(ctx, m, how);
    write_answer(ctx, m, l, times_txt, recipe_txt);
}

FLOWREPORT_CHAPTER("rings", "fm-q1-loss", fm_flags, fm_q1_loss)

}  // namespace flow::chapters
