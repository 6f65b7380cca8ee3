// p2-fits: Problem 2, the homework's three figures for every model of the grid.
//
// "Train an affine coupling flow with 1, 3 and 5 coupling layers (512 hidden units; then
// 1024) on two moons and two circles. For each, show the loss curve, the forward
// transformation (prior samples z and the model's samples against the data) and the
// inverse transformation (the data mapped to the latent space against the prior)."
//
// The data, the models and how they were trained; then one figure of the training and
// validation loss of each cell's first fit, and one of their transformations.
#include "p2_fits.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_count;

// How training ended, over every fit of the grid (recorded): how many fits their
// validation NLL stopped before the step limit, the lowest learning rate (a share of the
// first) at which one of them stopped, and for the rest the earliest kept step.
struct Ending {
    std::size_t stopped = 0, fits = 0, limit = 0, earliest_kept_at_limit = SIZE_MAX;
    double lowest_rate = 1;
};
Ending ending(Context& ctx, const std::vector<Cell>& g) {
    Ending e;
    for (const auto& c : g)
        for (const auto& f : c.fits) {
            ++e.fits;
            e.limit = f.fit.epochs * steps_per_epoch(f.fit);
            if (f.fit.val_loss.size() < f.fit.epochs) {
                ++e.stopped;
                e.lowest_rate = std::min(e.lowest_rate, f.stop_rate);
            } else {
                e.earliest_kept_at_limit = std::min(e.earliest_kept_at_limit, f.kept_step);
            }
        }
    ctx.stats["ending"] = {{"stopped_early", e.stopped}, {"fits", e.fits}, {"lowest_rate_share", e.lowest_rate},
                           {"earliest_kept_at_limit", e.stopped == e.fits ? 0 : e.earliest_kept_at_limit}};
    return e;
}

// Over the first fits: the largest gap between validation and training NLL at the best
// epoch (recorded), in a sentence with its setting.
std::string overfit(Context& ctx, const std::vector<Cell>& g) {
    double gap = -INFINITY;
    const Cell* at = &g.front();
    for (const auto& c : g) {
        const Fit& f = c.fits.front().fit;
        const double d = f.val_loss[f.kept_epoch - 1] - f.train_loss[f.kept_epoch - 1];
        if (d > gap) gap = d, at = &c;
    }
    ctx.stats["largest_overfit"] = {{"gap", gap}, {"setting", at->name}};
    const bool over = ctx.verdict("overfits", "the largest gap between validation and training NLL at a first fit's "
                                              "best epoch is above 0.1 nats",
                                  {{"gap", gap}}, gap > 0.1);
    return over ? fmt::format(" At the best step validation NLL exceeds training NLL by up to {} nats ({}, {} "
                              "couplings, {} units): it begins to overfit.",
                              report::tex_fixed(gap, 2), at->set, at->couplings, at->hidden)
                : fmt::format(" At the kept step validation and training NLL differ by at most {} nats: the "
                              "parameters that early stopping keeps have not overfitted, whatever the steps after "
                              "them did.", report::tex_fixed(std::max(gap, 0.0), 2));
}

void p2_fits(Context& ctx) {
    const auto g = grid_cells(ctx);
    draw_fits(ctx, g);
    const Ending e = ending(ctx, g);
    std::string stop_text = fmt::format("{} of the {} fits stopped early", e.stopped, e.fits);
    const std::string over = overfit(ctx, g);
    if (e.stopped < e.fits)
        stop_text += fmt::format("; the other {} used all {} steps and kept a step after {}: they may not have "
                                 "converged", e.fits - e.stopped, tex_count((long long)e.limit),
                                 tex_count((long long)e.earliest_kept_at_limit));
    ctx.text = ctx.section() + fmt::format(
        R"(\paragraph{{Data.}} Moons (noise {mn:g}) and circles (radii 1 and {cf:g}, noise {cn:g}), each drawn once: {train}
training points, {val} validation points (the last training draws, for stopping and rates) and {held} held-out
points that score each model once. Coordinates are standardised by the training points; NLLs are in nats.

\paragraph{{Models.}} Real NVP couplings, $z_2 = x_2 e^{{s(x_1)}} + t(x_1)$, alternating coordinates; $s$ and $t$
have one hidden layer of 512 or 1024 LeakyReLU units, start at zero (the identity), and $\lvert s\rvert < 2$ (our
bound; Section~\ref{{sec:p2-width}}). {settings}. 3 fits (seeds) per setting.

\paragraph{{Loss curves}} (Figure~\ref{{fig:{id}-loss}}). {stop}.{over}
)",
        fmt::arg("mn", data::spec(data::Shape::Moons).noise), fmt::arg("cf", data::spec(data::Shape::Circles).factor),
        fmt::arg("cn", data::spec(data::Shape::Circles).noise),
        fmt::arg("train", tex_count((long long)data::kShapeTrainRows)),
        fmt::arg("val", tex_count((long long)data::kShapeValRows)),
        fmt::arg("held", tex_count((long long)data::kShapeHeldRows)), fmt::arg("settings", grid_settings(g)),
        fmt::arg("id", ctx.chapter().id), fmt::arg("stop", stop_text), fmt::arg("over", over));
    ctx.text += "\\begin{figure}[htbp]\n  \\centering\n  \\includegraphics{" + ctx.figure_pdf("loss") +
                fmt::format("}}\n  \\caption{{Training and validation NLL (nats) of the first fit of each setting.}}\n"
                            "  \\label{{fig:{}-loss}}\n\\end{{figure}}\n\n",
                            ctx.chapter().id);
    ctx.text += fmt::format(
        "\\begin{{figure}}[htbp]\n  \\centering\n  \\includegraphics{{{}}}\n  \\caption{{Forward $z \\to x = g(z)$ "
        "(rows 1, 3) and inverse $x \\to z = f(x)$ (rows 2, 4) of each setting's first fit, {} points each.}}\n"
        "  \\label{{fig:{}-transforms}}\n\\end{{figure}}\n\n",
        ctx.figure_pdf("transforms"), kShown, ctx.chapter().id);
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-fits", nullptr, p2_fits)

}  // namespace flow::chapters::ece792
