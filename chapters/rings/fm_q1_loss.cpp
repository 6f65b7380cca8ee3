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
#include "report/latex.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

double band_share(fm::Model& m, const nn::Mat<float>& z, const fm::Integration& how) {
    return share_on_ring(fm::forward_flow(m.field, z, how), m.scale, -1);
}

double mean_loss(const std::vector<float>& bl, std::size_t a, std::size_t b) {  // over [a, b)
    double sum = 0;
    for (std::size_t i = a; i < b; ++i) sum += bl[i];
    return sum / double(b - a);
}

// The figure: the min-max band and mean per run of batches, on a log batch axis, with the
// validation losses. Runs grow geometrically (each one at least a batch), so that the
// first epoch's fall is as visible as the last epochs' plateau. Returns the longest run.
std::size_t loss_figure(Context& ctx, const fm::Model& m) {
    const auto& bl = m.batch_loss;
    const std::size_t nb = bl.size(), per_epoch = nb / m.history.size(), runs = 300;
    std::vector<std::vector<double>> band(2), mean(2), val(2), val_train(2);
    std::vector<std::pair<double, double>> lower;
    std::size_t s = 0, longest = 1;
    for (std::size_t r = 1; s < nb; ++r) {
        const auto edge = std::size_t(std::llround(std::pow(double(nb), double(r) / double(runs))));
        const std::size_t e = std::min(nb, std::max(s + 1, edge));
        const auto [lo, hi] = std::minmax_element(bl.begin() + long(s), bl.begin() + long(e));
        const double mid = std::sqrt(double(s + 1) * double(e));  // batches numbered from 1
        band[0].push_back(mid);
        band[1].push_back(*hi);
        lower.push_back({mid, *lo});
        mean[0].push_back(mid);
        mean[1].push_back(mean_loss(bl, s, e));
        longest = std::max(longest, e - s);
        s = e;
    }
    for (auto it = lower.rbegin(); it != lower.rend(); ++it) {  // the band as one polygon
        band[0].push_back(it->first);
        band[1].push_back(it->second);
    }
    for (const auto& h : m.history) {
        for (auto* v : {&val, &val_train}) (*v)[0].push_back(double(h.epoch * per_epoch));
        val[1].push_back(h.val_loss);
        val_train[1].push_back(h.val_loss_train_times);
    }
    const auto [lo_all, hi_all] = std::minmax_element(bl.begin(), bl.end());
    const double ymin = std::max(0.0, *lo_all - 0.1), ymax = std::min(*hi_all + 0.1, 6.0);
    std::string epochs;  // a dashed line at the end of epochs 1, 10, 100, ... before the last
    for (std::size_t e = 1; e < m.history.size(); e *= 10)
        epochs += fmt::format("\\draw[densely dashed, black!35] (axis cs:{0},{1}) -- (axis cs:{0},{2}) "
                              "node[pos=1, anchor=south, font=\\scriptsize, black!60] {{epoch {3}}};\n",
                              e * per_epoch, ymin, ymax, e);
    const bool log_times = m.config.time_sampling == fm::TimeSampling::Log;
    const std::string tikz = fmt::format(R"(\begin{{tikzpicture}}
\begin{{axis}}[fr line chart, width=10cm, xmode=log, xlabel={{training batch (log scale; an epoch is {per} batches)}},
  ylabel={{loss (Eq.~16)}}, xmin=1, xmax={xmax}, ymin={ymin}, ymax={ymax}, clip=false,
  legend style={{at={{(1.03,1)}}, anchor=north west}}]
\addplot[fill=black!18, draw=none, area legend] table[x=t, y=loss] {{band.dat}};
\addlegendentry{{batches: range}}
\addplot[thin, black] table[x=t, y=loss] {{mean.dat}};
\addlegendentry{{batches: mean}}
\addplot[only marks, mark=square*, mark size=1.2pt, blue!70!black] table[x=t, y=loss] {{val_train.dat}};
\addlegendentry{{validation, {train_law}}}
\addplot[only marks, mark=*, mark size=1.3pt, red!75!black] table[x=t, y=loss] {{val.dat}};
\addlegendentry{{validation, $t \sim U[0, 1]$}}
{epochs}\end{{axis}}
\end{{tikzpicture}}
)",
                                         fmt::arg("per", per_epoch), fmt::arg("xmax", nb),
                                         fmt::arg("ymin", ymin), fmt::arg("ymax", ymax),
                                         fmt::arg("train_law", log_times ? "training's $t$" : "training's draws"),
                                         fmt::arg("epochs", epochs));
    ctx.figure("loss", tikz,
               {{"band.dat", report::dat_table({"t", "loss"}, band)},
                {"mean.dat", report::dat_table({"t", "loss"}, mean)},
                {"val.dat", report::dat_table({"t", "loss"}, val)},
                {"val_train.dat", report::dat_table({"t", "loss"}, val_train)}});
    ctx.stats["figures"]["loss"] = {{"batches", nb}, {"runs", band[0].size() / 2}, {"min", *lo_all}, {"max", *hi_all}};
    return longest;
}

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

}  // namespace

void fm_q1_loss(Context& ctx) {
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t longest = loss_figure(ctx, m);

    // The batch losses at the start, the end of the first epoch and the last epoch.
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
    const std::string times_txt = times_paragraph(ctx, m, how);
    const std::string recipe_txt = recipe_paragraph(ctx, m, how);
    const bool log_times = m.config.time_sampling == fm::TimeSampling::Log;

    ctx.text = ctx.section() + fmt::format(
        R"(The model is {desc}. Figure~\ref{{fig:fm-q1-loss}} shows the loss of Eq.~16 on every one of
the {nb} training batches, on a logarithmic batch axis so that the first epoch is as visible
as the last: for runs of consecutive batches (single batches at the start, up to {longest}
at the end), the band from the lowest to the highest loss and their mean. The mean of the
first {head} batches is {b0}; by the last tenth of the first epoch it is {b1}, and it ends
at {e1}, the mean of the last epoch. Batch to batch the loss varies between {lo} and {hi}:
a batch of 128 random times and noises is a noisy estimate, and the loss cannot approach
zero, because the target $x-\epsilon$ is not determined by $(y, t)$: the field can only
learn its conditional mean.

The batches and the validation set measure different averages of the same loss, and the
figure shows both on equal terms. After every epoch, {val_n} held-out points with their
noise fixed once are scored at times drawn as the training draws them (squares), which
{sit} the batch means ({vt1} after the last epoch), and at $t \sim U[0, 1]$, the average
Eq.~16 states (dots), which {v_side} ({v0} after the first epoch, {v1} after the last,
lowest {vmin} after epoch {vminep}).{times}{recipe}

)",
        fmt::arg("desc", fm_description(m.config)),
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

FLOWREPORT_CHAPTER("rings", "fm-q1-loss", fm_flags, fm_q1_loss)

}  // namespace flow::chapters
