// fm-q1-loss: Flow matching, Q1 "Loss".
//
// "Present the loss function (Eq. 16) over the training batches."
//
// Every batch's loss is kept in training. The figure reduces them faithfully on a log
// batch axis: for each run of consecutive batches (runs growing geometrically, 300 in
// all) the band from the smallest to the largest loss and the mean, with the validation
// loss after every epoch at uniform times and at the training's times. The share of
// late times is counted from the training's own draws. The default trains longer than
// the exercise's 20 epochs; the chapter trains the recipe too and sets the two side by
// side.
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "fm_q1.hpp"
#include "report/latex.hpp"

namespace flow::chapters {

namespace {

using namespace fm_q1;
using report::tex_fixed;

// The times the training drew: their statistics, and a paragraph when they were drawn
// toward the data.
std::string times_paragraph(Context& ctx, const fm::Model& m, const fm::Integration& how) {
    const double late = m.time_counts.share_above(0.9);
    const double late_law = fm::time_share_above(m.config.time_sampling, m.config.time_floor, 0.9);
    ctx.stats["time_draws"] = {{"draws", m.time_counts.total()}, {"share_above_0.9", late},
                               {"law_share_above_0.9", late_law}};
    if (m.config.time_sampling != fm::TimeSampling::Log) return "";
    std::string txt = fmt::format(
        R"(

\paragraph{{Times drawn toward the data.}} Algorithm~1 draws $t \sim U[0, 1]$; this run draws
$1 - t$ log-uniformly on $[{floor}, 1]$, so that every factor of ten closer to the data gets
the same share of the batches. Of the {draws} times the training drew, {late} are above 0.9
(the law gives $1 - \ln 10 / \ln(1/{floor}) = {law}$), where uniform times would give 10\,\%.
At each $t$ the loss of Eq.~16 and the field that minimises it are the same; the network's
capacity moves toward the end of the path, where it is decided whether a sample lands inside
a band or just beside it.)",
        fmt::arg("floor", fmt::format("{:g}", m.config.time_floor)),
        fmt::arg("draws", report::tex_count((long long)m.time_counts.total())),
        fmt::arg("late", report::tex_percent(late)), fmt::arg("law", report::tex_percent(late_law)));
    // The sampler's steps that start beyond the largest training time.
    const std::size_t n = fm::step_count(0, 1, how.dt);
    std::size_t beyond = 0;
    for (std::size_t k = 0; k < n; ++k) beyond += double(k) / double(n) > 1.0 - m.config.time_floor;
    if (beyond > 0)
        txt += fmt::format(" No time above {} is drawn, so the last {} of the sampler's {} "
                           "steps evaluate the field where it was never trained.",
                           fmt::format("{:g}", 1.0 - m.config.time_floor), beyond, n);
    return txt;
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

void write_answer(Context& ctx, const fm::Model& m, const Losses& l, std::size_t longest,
                  const std::string& times_txt, const std::string& recipe_txt) {
    const auto& [nb, head, first_batches, end_of_first, last_epoch, best_e] = l;
    const auto* best = &best_e;
    const auto& last = m.history.back();
    const auto& fig = ctx.stats["figures"]["loss"];
    const bool log_times = m.config.time_sampling == fm::TimeSampling::Log;
    ctx.text = ctx.section() + fmt::format(
        R"(The model is {desc}. Figure~\ref{{fig:fm-q1-loss}} shows the loss of Eq.~16 on every one of
the {nb} training batches, on a logarithmic batch axis so that the first epoch is as visible
as the last: for runs of consecutive batches (single batches at the start, up to {longest}
at the end), the band from the lowest to the highest loss and their mean. The mean of the
first {head} batches is {b0}; by the last tenth of the first epoch it is {b1}, and it ends
at {e1}, the mean of the last epoch. Batch to batch the loss varies between {lo} and {hi}:
a batch of {batch} random times and noises is a noisy estimate, and the loss cannot approach
zero, because the target $x-\epsilon$ is not determined by $(y, t)$: the field can only
learn its conditional mean.

The batches and the validation set measure different averages of the same loss, and the
figure shows both on equal terms. After every epoch, {val_n} held-out points with their
noise fixed once are scored at times drawn as the training draws them (squares), which
{sit} the batch means ({vt1} after the last epoch), and at $t \sim U[0, 1]$, the average
Eq.~16 states (dots), which {v_side} ({v0} after the first epoch, {v1} after the last,
lowest {vmin} after epoch {vminep}).{times}{recipe}

)",
        fmt::arg("desc", fm_description(m.config)), fmt::arg("batch", m.config.batch),
        fmt::arg("nb", report::tex_count((long long)nb)), fmt::arg("longest", longest),
        fmt::arg("head", head), fmt::arg("b0", tex_fixed(first_batches, 3)), fmt::arg("b1", tex_fixed(end_of_first, 3)),
        fmt::arg("val_n", report::tex_count((long long)m.config.val_points)),
        fmt::arg("e1", tex_fixed(last_epoch, 3)),
        fmt::arg("sit", ctx.verdict("validation_on_training_curve",
                                    "the last validation loss at training's times is within 0.05 of the last "
                                    "epoch's training loss",
                                    {{"validation", last.val_loss_train_times}, {"training", last_epoch}},
                                    std::fabs(last.val_loss_train_times - last_epoch) < 0.05)
                            ? "sit on" : "lie near"),
        fmt::arg("vt1", tex_fixed(last.val_loss_train_times, 3)),
        fmt::arg("v_side", !log_times ? "is the same law here"
                           : ctx.verdict("uniform_times_higher",
                                         "the last validation loss at uniform times is above the one at training's "
                                         "times",
                                         {{"uniform", last.val_loss}, {"training_times", last.val_loss_train_times}},
                                         last.val_loss > last.val_loss_train_times)
                               ? "lie higher" : "lie lower"),
        fmt::arg("v0", tex_fixed(m.history.front().val_loss, 3)), fmt::arg("v1", tex_fixed(last.val_loss, 3)),
        fmt::arg("vmin", tex_fixed(best->val_loss, 3)), fmt::arg("vminep", best->epoch),
        fmt::arg("lo", tex_fixed(fig["min"].get<double>(), 2)), fmt::arg("hi", tex_fixed(fig["max"].get<double>(), 2)),
        fmt::arg("times", times_txt), fmt::arg("recipe", recipe_txt)) +
        ctx.figure_float_of("loss", "Flow matching: the loss of every training batch and the validation loss after every epoch.");
}

}  // namespace

void fm_q1_loss(Context& ctx) {
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t longest = loss_figure(ctx, m);
    const Losses l = loss_summary(ctx, m);
    const std::string times_txt = times_paragraph(ctx, m, how);
    const std::string recipe_txt = recipe_paragraph(ctx, m, how);
    write_answer(ctx, m, l, longest, times_txt, recipe_txt);
}

FLOWREPORT_CHAPTER("rings", "fm-q1-loss", fm_flags, fm_q1_loss)

}  // namespace flow::chapters
