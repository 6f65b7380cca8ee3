// fm-q1-loss: Flow matching, Q1 "Loss".
//
// "Present the loss function (Eq. 16) over the training batches."
//
// Every batch's loss is kept in training. The figure reduces them faithfully: for each
// run of consecutive batches (about 1000 runs in all) the band from the smallest to the
// largest loss and the mean, with the validation loss after every epoch on top. The
// default trains longer than the exercise's 20 epochs; the chapter trains the recipe
// too and sets the two side by side.
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "report/latex.hpp"

namespace flow::chapters {

namespace {

double band_share(fm::Model& m, const nn::Mat<float>& z, const fm::Integration& how) {
    return report::share_on_ring(fm::forward_flow(m.field, z, how), m.scale, -1);
}

}  // namespace

void fm_q1_loss(Context& ctx) {
    using report::tex_fixed;
    fm::Model m = fm_model(ctx);
    const fm::Integration how = fm::Integration::from_flags(ctx.flags());
    const auto& bl = m.batch_loss;
    const std::size_t nb = bl.size();
    const std::size_t per_epoch = nb / m.history.size();

    // --- the figure: min-max band and mean per run of batches -------------------------
    const std::size_t run = std::max<std::size_t>(1, (nb + 999) / 1000);
    std::vector<std::vector<double>> band(2), mean(2), val(2);
    std::vector<std::pair<double, double>> lower;
    for (std::size_t s = 0; s < nb; s += run) {
        const std::size_t e = std::min(nb, s + run);
        double lo = bl[s], hi = bl[s], sum = 0;
        for (std::size_t i = s; i < e; ++i) {
            lo = std::min(lo, double(bl[i]));
            hi = std::max(hi, double(bl[i]));
            sum += bl[i];
        }
        const double mid = 0.5 * double(s + e) / double(per_epoch);  // in epochs
        band[0].push_back(mid);
        band[1].push_back(hi);
        lower.push_back({mid, lo});
        mean[0].push_back(mid);
        mean[1].push_back(sum / double(e - s));
    }
    for (auto it = lower.rbegin(); it != lower.rend(); ++it) {  // the band as one polygon
        band[0].push_back(it->first);
        band[1].push_back(it->second);
    }
    for (const auto& h : m.history) {
        val[0].push_back(double(h.epoch));
        val[1].push_back(h.val_loss);
    }
    const double lo_all = *std::min_element(bl.begin(), bl.end());
    const double hi_all = *std::max_element(bl.begin(), bl.end());
    const std::string tikz = fmt::format(R"(\begin{{tikzpicture}}
\begin{{axis}}[width=12cm, height=5cm, xlabel={{epoch (batches in units of an epoch of {per} batches)}},
  ylabel={{loss (Eq.~16)}}, xmin=0, xmax={xmax}, ymin={ymin}, ymax={ymax}, grid=major,
  grid style={{black!8}}, tick label style={{font=\small}}, label style={{font=\small}},
  legend style={{font=\small, at={{(0.98,0.98)}}, anchor=north east}}, legend cell align=left]
\addplot[fill=black!18, draw=none, area legend] table[x=t, y=loss] {{band.dat}};
\addlegendentry{{range of {run} consecutive batches}}
\addplot[thin, black] table[x=t, y=loss] {{mean.dat}};
\addlegendentry{{mean of {run} consecutive batches}}
\addplot[only marks, mark=*, mark size=1.3pt, red!75!black] table[x=t, y=loss] {{val.dat}};
\addlegendentry{{validation loss after each epoch}}
\end{{axis}}
\end{{tikzpicture}}
)",
                                         fmt::arg("per", per_epoch), fmt::arg("xmax", m.history.size()),
                                         fmt::arg("ymin", std::max(0.0, lo_all - 0.1)),
                                         fmt::arg("ymax", std::min(hi_all + 0.1, 6.0)), fmt::arg("run", run));
    ctx.figure("loss", tikz,
               {{"band.dat", report::dat_table({"t", "loss"}, band)},
                {"mean.dat", report::dat_table({"t", "loss"}, mean)},
                {"val.dat", report::dat_table({"t", "loss"}, val)}});

    // --- statistics ----------------------------------------------------------------------
    double first_epoch = 0, last_epoch = 0;
    for (std::size_t i = 0; i < per_epoch; ++i) {
        first_epoch += bl[i] / double(per_epoch);
        last_epoch += bl[nb - per_epoch + i] / double(per_epoch);
    }
    const auto best = std::min_element(m.history.begin(), m.history.end(),
                                       [](const auto& a, const auto& b) { return a.val_loss < b.val_loss; });
    ctx.stats["figures"]["loss"] = {{"batches", nb},       {"run", run},
                                    {"first", bl.front()}, {"last", bl.back()},
                                    {"min", lo_all},       {"max", hi_all},
                                    {"first_epoch_mean", first_epoch}, {"last_epoch_mean", last_epoch},
                                    {"val_first", m.history.front().val_loss},
                                    {"val_last", m.history.back().val_loss},
                                    {"val_min", best->val_loss}, {"val_min_epoch", best->epoch}};

    // --- the exercise's recipe: 20 epochs, uniform times, everything else as this run -------
    fm::Config recipe_cfg = m.config;
    recipe_cfg.epochs = 20;
    recipe_cfg.time_sampling = fm::TimeSampling::Uniform;
    recipe_cfg.shape.depth = 5;
    recipe_cfg.shape.hidden = 64;
    std::string recipe_txt;
    const nn::Mat<float> z = prior_sample(ctx, 10000, "quality");
    const nn::Mat<float> x10k = fm::forward_flow(m.field, z, how);
    const double ours = report::share_on_ring(x10k, m.scale, -1);
    ctx.stats["samples_10000"] = cloud_json(x10k, m.scale, held_out(ctx, m.scale));
    ctx.stats["default_vs_recipe"]["this_run"] = {{"share_in_band", ours}, {"train_seconds", m.train_seconds},
                                                  {"val_loss", m.history.back().val_loss}};
    if (recipe_cfg.to_json() != m.config.to_json()) {
        fm::Model r = fm::obtain(recipe_cfg);
        const double rec = band_share(r, z, how);
        ctx.stats["default_vs_recipe"]["recipe"] = {{"config", recipe_cfg.to_json()}, {"share_in_band", rec},
                                                    {"train_seconds", r.train_seconds},
                                                    {"val_loss", r.history.back().val_loss}};
        recipe_txt = fmt::format(
            R"(

\paragraph{{This training and the exercise's.}} The exercise recommends 20 epochs of a
field of 5 layers of 64 units, with $t \sim U[0, 1]$. Trained so, with every other setting of this run, the field
reaches a validation loss of {r_val}, and {r_band} of 10\,000 samples ({steps}) land inside
a ring band, after {r_s}\,s of training. This run's field reaches {o_val} and {o_band}
after {o_s}\,s. {verdict})",
            fmt::arg("r_val", tex_fixed(r.history.back().val_loss, 4)),
            fmt::arg("r_band", report::tex_percent(rec)), fmt::arg("r_s", tex_fixed(r.train_seconds, 0)),
            fmt::arg("steps", integration_description(how)),
            fmt::arg("o_val", tex_fixed(m.history.back().val_loss, 4)),
            fmt::arg("o_band", report::tex_percent(ours)), fmt::arg("o_s", tex_fixed(m.train_seconds, 0)),
            fmt::arg("verdict",
                     ours <= rec ? "This run's field does not put more samples in the bands than the recipe's."
                     : m.history.back().val_loss < r.history.back().val_loss
                         ? "Small differences in the loss are large differences in where the samples land."
                         : "This run's field has the higher loss at uniform times and still puts more "
                           "samples in the bands: Eq.~16 weights every time alike, while whether a "
                           "sample lands in a band is decided near $t = 1$."));
    }

    std::string times_txt;
    if (m.config.time_sampling == fm::TimeSampling::Log) {
        // Under t = 1 - floor^u, P(t > 0.9) = log(0.1) / log(floor) (all of it when floor >= 0.1).
        const double late = std::min(1.0, std::log(0.1) / std::log(m.config.time_floor));
        times_txt = fmt::format(
            R"(

\paragraph{{Times drawn toward the data.}} Algorithm~1 draws $t \sim U[0, 1]$; this run draws
$1 - t$ log-uniformly on $[{floor}, 1]$, so that every factor of ten closer to the data gets
the same share of the batches: {late} of them have $t > 0.9$, where uniform times would give
10\,\%. At each $t$ the loss of Eq.~16 and the field that minimises it are the same; the
network's capacity moves toward the end of the path, where it is decided whether a sample
lands inside a band or just beside it. The batch losses in the figure are taken at these
times, the validation loss at uniform times, so the two measure different averages.)",
            fmt::arg("floor", fmt::format("{:g}", m.config.time_floor)),
            fmt::arg("late", report::tex_percent(late)));
        // The sampler's steps that start beyond the largest training time.
        const std::size_t n = fm::step_count(0, 1, how.dt);
        std::size_t beyond = 0;
        for (std::size_t k = 0; k < n; ++k) beyond += double(k) / double(n) > 1.0 - m.config.time_floor;
        if (beyond > 0)
            times_txt += fmt::format(" No time above {} is drawn, so the last {} of the sampler's {} "
                                     "steps evaluate the field where it was never trained.",
                                     fmt::format("{:g}", 1.0 - m.config.time_floor), beyond, n);
    }

    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:fm-q1-loss}}

The model is {desc}. Figure~\ref{{fig:fm-q1-loss}} shows the loss of Eq.~16 on every one of
the {nb} training batches, reduced faithfully: for each run of {run} consecutive batches the
band from the lowest to the highest loss and their mean; the dots are the loss on
{val_n} held-out points with their noise and times fixed once, after every epoch. The
mean batch loss falls from {e0} in the first epoch to {e1} in the last, and the validation
loss from {v0} to {v1} (lowest {vmin}, after epoch {vminep}). Batch to batch the loss
varies between {lo} and {hi}: a batch of 128 random times and noises is a noisy estimate,
and the loss cannot approach zero, because the target $x-\epsilon$ is not determined by
$(y, t)$: the field can only learn its conditional mean.{times}{recipe}

\begin{{figure}}[htbp]
  \centering
  \includegraphics{{{pdf}}}
  \caption{{Flow matching: the training loss over batches and the validation loss per epoch.}}
  \label{{fig:fm-q1-loss}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("desc", fm_description(m.config)),
        fmt::arg("nb", report::tex_count((long long)nb)), fmt::arg("run", run),
        fmt::arg("val_n", report::tex_count((long long)m.config.val_points)),
        fmt::arg("e0", tex_fixed(first_epoch, 3)), fmt::arg("e1", tex_fixed(last_epoch, 3)),
        fmt::arg("v0", tex_fixed(m.history.front().val_loss, 4)),
        fmt::arg("v1", tex_fixed(m.history.back().val_loss, 4)),
        fmt::arg("vmin", tex_fixed(best->val_loss, 4)), fmt::arg("vminep", best->epoch),
        fmt::arg("lo", tex_fixed(lo_all, 2)), fmt::arg("hi", tex_fixed(hi_all, 2)),
        fmt::arg("times", times_txt), fmt::arg("recipe", recipe_txt), fmt::arg("pdf", ctx.figure_pdf("loss")));
}

}  // namespace flow::chapters
