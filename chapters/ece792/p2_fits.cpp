// p2-fits: Problem 2, the homework's three figures for every model of the grid.
//
// "Train an affine coupling flow with 1, 3 and 5 coupling layers (512 hidden units; then
// 1024) on two moons and two circles. For each, show the loss curve, the forward
// transformation (prior samples z and the model's samples against the data) and the
// inverse transformation (the data mapped to the latent space against the prior)."
//
// Compactly: one figure of the held-out loss curves of all twelve models, and one
// figure per data set whose columns are the numbers of couplings and whose rows are the
// forward and the inverse transformation at each width.
#include "p2_fits.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

// How far each curve still fell in its last fifth of the epochs (recorded), and the
// largest such fall with its model.
std::pair<double, const GridFit*> last_fifth_drop(Context& ctx, const std::vector<GridFit>& g) {
    double last_drop = 0;
    const GridFit* last_model = &g.front();
    for (const auto& f : g) {
        const auto& v = f.fit.val_loss;
        const std::size_t n = v.size(), from = n - std::max<std::size_t>(1, n / 5);
        const double drop = *std::min_element(v.begin(), v.begin() + long(from)) - v.back();
        ctx.stats["last_fifth_drop"][grid_name(f.set, f.couplings, f.hidden)] = drop;
        if (drop > last_drop) {
            last_drop = drop;
            last_model = &f;
        }
    }
    return {last_drop, last_model};
}

void p2_fits(Context& ctx) {
    const auto g = grid_fits(ctx);
    draw_fits(ctx, g);
    const auto [last_drop, last_model] = last_fifth_drop(ctx, g);
    const bool levelled = ctx.verdict("curves_levelled",
                                      "no model's held-out NLL falls by more than 0.02 nats over its last fifth of "
                                      "the epochs (below the lowest it reached before)",
                                      {{"largest_drop", last_drop},
                                       {"model", grid_name(last_model->set, last_model->couplings, last_model->hidden)}}, last_drop < 0.02);
    const auto& moons = data::dataset("moons");
    const auto& circles = data::dataset("circles");
    ctx.text = ctx.section() + fmt::format(
        R"(\paragraph{{Data.}} Moons: {}. Circles: {}. Each set is drawn once, {} training and {} held-out points,
whatever a model's seed; both densities are known exactly (the noise kernel averaged along the curves), so every
model below is also measured against the truth. Points are standardised by the training points' mean and standard
deviation, and every figure and NLL is in those coordinates, in nats.

\paragraph{{Models.}} An affine coupling flow (Real NVP): each coupling keeps one coordinate and scales and shifts
the other by networks of the kept one; the coordinates swap between couplings. {}. The homework gives the width of
the networks, not their depth; one hidden layer makes the width the only size that varies.

\paragraph{{Loss curves.}} Figure~\ref{{fig:{}-loss}} shows the held-out NLL after every epoch. The largest fall of any curve over its last fifth of epochs is {} nats
({}){}.
)",
        moons.description, circles.description, data::kShapeTrainRows, data::kShapeHeldRows, grid_settings(g),
        ctx.chapter().id, report::tex_fixed(std::max(last_drop, 0.0), 3), fmt::format("{}, {} couplings of {} units", last_model->set, last_model->couplings,
                                                                   last_model->hidden),
        levelled ? ": the curves have levelled off" : ": some curves still fall when training ends");
    ctx.text += "\\begin{figure}[htbp]\n  \\centering\n  \\includegraphics{" + ctx.figure_pdf("loss") +
                fmt::format("}}\n  \\caption{{Held-out NLL per epoch of every model (colour: couplings; solid {} and "
                            "dashed {} hidden units), and the true density's NLL on the same points (dotted): the "
                            "floor no model can pass except by chance.}}\n  \\label{{fig:{}-loss}}\n\\end{{figure}}\n\n",
                            grid_widths().front(), grid_widths().back(), ctx.chapter().id);
    ctx.text += fmt::format(
        "\\begin{{figure}}[htbp]\n  \\centering\n  \\includegraphics{{{}}}\n  \\caption{{The forward "
        "transformation (rows 1 and 3: the model's samples $\\hat x = g(z)$ in red over the training data in light "
        "blue; standardised data coordinates) and the inverse one (rows 2 and 4: the training data's image $f(X)$ in "
        "blue over the prior draws $z$ in light red; the latent square $[-{}, {}]^2$), {} points of each. Columns: "
        "data set and number of couplings; rows 1--2: {} hidden units, rows 3--4: {}.}}\n"
        "  \\label{{fig:{}-transforms}}\n\\end{{figure}}\n\n",
        ctx.figure_pdf("transforms"), kLatentExtent, kLatentExtent, kShown, grid_widths().front(),
        grid_widths().back(), ctx.chapter().id);
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-fits", nullptr, p2_fits)

}  // namespace flow::chapters::ece792
