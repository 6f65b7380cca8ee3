// nf-q1-loss: Normalizing flow, Q1 "Loss".
//
// "Present the validation loss over the training epochs. Additionally, plot the
//  log-determinant and the log(p_z(x)) components of this loss in separate lines at
//  the same figure."
//
// The validation loss and its components come from the training history (a held-out set
// never trained on); the test NLL, on fresh points, is set against the data's entropy.
//
// Our flow is larger than the exercise's recipe, which is trained alike and set beside it
// in a small table (nf_q1_recipe.cpp).
#include <algorithm>
#include <cmath>

#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

constexpr std::size_t kNfTestPoints = 50000;  // fresh test points for the NLL

// The figure, two panels: (a) the loss (validation, training, the entropy floor); (b)
// its two components, each on its own y-axis of the same span, so that the rise of the
// log-determinant and the flat log p_z are drawn to one scale (one axis for both would
// squash the 0.4-nat rise against the 3.5 nats between them).
void loss_figure(Context& ctx, const std::vector<nf::EpochRecord>& h, double floor) {
    std::vector<std::vector<double>> cols(5);
    double lo = floor, hi = floor, ld_lo = INFINITY, ld_hi = -INFINITY, pz_off = 0;
    const double ref = gaussian_mean_log_pz();
    for (const auto& e : h) {
        cols[0].push_back(double(e.epoch));
        cols[1].push_back(e.val.total);
        cols[2].push_back(e.val.log_pz);
        cols[3].push_back(e.val.logdet);
        cols[4].push_back(e.train_loss);
        lo = std::min({lo, e.val.total, e.train_loss}), hi = std::max({hi, e.val.total, e.train_loss});
        ld_lo = std::min(ld_lo, e.val.logdet), ld_hi = std::max(ld_hi, e.val.logdet);
        pz_off = std::max(pz_off, std::fabs(e.val.log_pz - ref));
    }
    // Both axes span the same nats; the lower fifth is left free for the legend.
    const double span = 1.6 * std::max(ld_hi - ld_lo, 2.0 * pz_off), mid = 0.5 * (ld_lo + ld_hi);
    const double pad = 0.08 * (hi - lo);
    const std::string tikz = fmt::format(R"(\begin{{tikzpicture}}
\pgfplotsset{{every axis/.append style={{fr line chart, width=7.6cm, height=5.2cm, xmin=0.5, xmax={xmax},
  xlabel={{epoch}}, legend style={{font=\scriptsize, fill=white, fill opacity=0.85, text opacity=1}}}}}}
\begin{{axis}}[name=a, title={{(a) loss (Eq.~9)}}, ylabel={{nats per point}}, ymin={lo}, ymax={hi},
  legend style={{at={{(0.97,0.97)}}, anchor=north east}}]
\addplot[line width=2.5pt, black!25] table[x=epoch, y=train_loss] {{loss.dat}};
\addlegendentry{{training}}
\addplot[thick, black, mark=*, mark size=1.2pt] table[x=epoch, y=val_loss] {{loss.dat}};
\addlegendentry{{validation}}
\addplot[thick, red!70!black, dashed, domain=0.5:{xmax}] {{{floor}}};
\addlegendentry{{entropy floor}}
\end{{axis}}
\begin{{axis}}[at={{(a.east)}}, anchor=west, xshift=1.4cm, title={{(b) its two components}},
  ymin={ld0}, ymax={ld1}, ylabel={{$\log|\det \partial\phi^{{-1}}/\partial x|$ (nats)}},
  ylabel style={{orange!85!black}}]
\addplot[thick, orange!85!black, mark=triangle*, mark size=1.5pt] table[x=epoch, y=val_logdet] {{loss.dat}};
\end{{axis}}
\begin{{axis}}[at={{(a.east)}}, anchor=west, xshift=1.4cm, axis y line*=right, axis x line=none, grid=none,
  ymin={pz0}, ymax={pz1}, ylabel={{$\log p_z(\phi^{{-1}}(x))$ (nats)}}, ylabel style={{blue!70!black}},
  legend style={{at={{(0.97,0.03)}}, anchor=south east}}]
\addlegendimage{{thick, orange!85!black, mark=triangle*, mark size=1.5pt}}
\addlegendentry{{$\log|\det|$}}
\addplot[thick, blue!70!black, mark=square*, mark size=1.2pt] table[x=epoch, y=val_log_pz] {{loss.dat}};
\addlegendentry{{$\log p_z$}}
\addplot[thin, blue!70!black, dashed, domain=0.5:{xmax}] {{{ref}}};
\addlegendentry{{$-(1+\ln 2\pi)$}}
\end{{axis}}
\end{{tikzpicture}}
)",
        fmt::arg("xmax", double(h.size()) + 0.5), fmt::arg("floor", floor), fmt::arg("ref", ref),
        fmt::arg("lo", lo - pad), fmt::arg("hi", hi + pad), fmt::arg("ld0", mid - 0.6 * span),
        fmt::arg("ld1", mid + 0.4 * span), fmt::arg("pz0", ref - 0.6 * span), fmt::arg("pz1", ref + 0.4 * span));
    ctx.figure("loss", tikz,
               {{"loss.dat", report::dat_table({"epoch", "val_loss", "val_log_pz", "val_logdet", "train_loss"},
                                               cols)}});
}

// The claims of the answer, each a verdict: the loss fell (a), and all of the fall is
// the log-determinant's while log p_z sits at the value a standard Gaussian latent gives (b).
struct NfQ1Claims {
    bool fell, lowest_last, flat, logdet_all, above;
    double pz_off;  // the largest distance of an epoch's mean log p_z from its Gaussian value
};
NfQ1Claims nf_q1_claims(Context& ctx, const std::vector<nf::EpochRecord>& h, const nf::LossParts& t,
                        double floor) {
    const auto& f = h.front();
    const auto& l = h.back();
    const double ref = gaussian_mean_log_pz();
    NfQ1Claims c{};
    for (const auto& e : h) c.pz_off = std::max(c.pz_off, std::fabs(e.val.log_pz - ref));
    c.fell = ctx.verdict("validation_fell", "the last epoch's validation loss is below the first epoch's",
                         {{"first", f.val.total}, {"last", l.val.total}}, l.val.total < f.val.total);
    c.lowest_last = ctx.verdict("lowest_at_last_epoch", "no epoch's validation loss is below the last epoch's",
                                {{"last", l.val.total}},
                                std::all_of(h.begin(), h.end(), [&](auto& e) { return e.val.total >= l.val.total; }));
    // No trend: log p_z fluctuates with the weights while the learning rate is large, so
    // the test is on its mean over the epochs and its last value, not on every epoch.
    double mean = 0;
    for (const auto& e : h) mean += e.val.log_pz / double(h.size());
    c.flat = ctx.verdict("log_pz_flat",
                         "the mean over the epochs of the mean log p_z is within 0.02 nats of -(1 + log 2 pi), and "
                         "so is the last epoch's",
                         {{"mean", mean}, {"last", l.val.log_pz}, {"reference", ref}, {"largest_distance", c.pz_off}},
                         std::fabs(mean - ref) < 0.02 && std::fabs(l.val.log_pz - ref) < 0.02);
    c.logdet_all = ctx.verdict(
        "fall_is_logdet", "the log-determinant's rise is at least 95% of the validation loss's fall",
        {{"logdet_rise", l.val.logdet - f.val.logdet}, {"loss_fall", f.val.total - l.val.total}},
        l.val.logdet - f.val.logdet >= 0.95 * (f.val.total - l.val.total));
    c.above = ctx.verdict("above_entropy_floor", "the test NLL is above the data's differential entropy",
                          {{"nll", t.total}, {"floor", floor}}, t.total > floor);
    return c;
}

void write_answer(Context& ctx, const nf::Model& m, const nf::LossParts& t, double floor, double area,
                  const std::string& recipe_txt) {
    const auto& h = m.history;
    const auto& f = h.front();
    const auto& l = h.back();
    const double ref = gaussian_mean_log_pz();
    const NfQ1Claims c = nf_q1_claims(ctx, h, t, floor);
    const auto [fell, lowest_last, flat, logdet_all, above, pz_off] = c;
    ctx.text = ctx.section() + fmt::format(
        R"(The validation loss {trend} over the {epochs} epochs{lowest} (Figure~\ref{{fig:nf-q1-loss}}a).
{split} (Figure~\ref{{fig:nf-q1-loss}}b).

{why} {train_val}

Our test NLL (Table~\ref{{tab:nf-q1-loss}}) is {gap} the lowest possible, the data's entropy
$\log(A/\sigma_1\sigma_2) = {floor}$ nats ($A = {area}$: the support's area; $\sigma_i$: our
standardising scales). {recipe}

)",
        fmt::arg("trend", fell ? fmt::format("falls from {} to {} nats", tex_fixed(f.val.total, 2),
                                             tex_fixed(l.val.total, 2))
                               : "does not fall"),
        fmt::arg("epochs", h.size()), fmt::arg("lowest", lowest_last ? " and is lowest after the last" : ""),
        fmt::arg("split", flat && logdet_all
                              ? fmt::format("The fall is all in the log-determinant: $\\log p_z$ has no trend, "
                                            "fluctuating around $-(1+\\ln 2\\pi) = {}$ nats and ending there",
                                            tex_fixed(ref, 2))
                              : fmt::format("The log-determinant rises by {} nats; $\\log p_z$ ends {} nats from "
                                            "$-(1+\\ln 2\\pi)$", tex_fixed(l.val.logdet - f.val.logdet, 2),
                                            tex_fixed(std::fabs(l.val.log_pz - ref), 2))),
        fmt::arg("why", flat ? "As $\\mathbb{E}\\log p_z(z) = -\\mathbb{E}\\lVert z\\rVert^2/2 - \\ln 2\\pi$, that value "
                               "means $\\mathbb{E}\\lVert z\\rVert^2 = 2$, the prior's spread: the loss falls only as "
                               "the inverse flow stretches the thin bands over more of the plane."
                             : ""),
        fmt::arg("train_val", nf_train_val_sentence(ctx, h)),
        fmt::arg("gap", above ? tex_fixed(t.total - floor, 2) + " nats above"
                              : "below (an estimate's error, since no model can be there)"),
        fmt::arg("floor", tex_fixed(floor, 2)), fmt::arg("area", tex_fixed(area, 3)), fmt::arg("recipe", recipe_txt)) +
        ctx.figure_float_of("loss", fmt::format("Normalizing flow: (a) loss per epoch on {} held-out points; (b) its "
                                                "two components, each on its own axis of equal span.",
                                                report::tex_count((long long)m.config.val_points)));
}

}  // namespace

void nf_q1_loss(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const auto& h = m.history;

    // --- the held-out test set and the floor ------------------------------------------
    Rng test_rng = ctx.rng("test");
    const auto test_set = data::unconditional_rings(kNfTestPoints, test_rng);
    const auto test = data::in_frame(test_set, m.scale);
    const nf::LossParts t = nf::evaluate(m.flow, test);
    const double area = data::union_area();
    const double floor = data::entropy_floor(m.scale, area);

    const std::string recipe_txt = nf_recipe_comparison(ctx, m, test);
    loss_figure(ctx, h, floor);

    // --- statistics ---------------------------------------------------------------------
    const auto best = std::min_element(h.begin(), h.end(), [](const auto& a, const auto& b) {
        return a.val.total < b.val.total;
    });
    ctx.stats["figures"]["loss"] = {
        {"epochs", h.size()}, {"first", h.front().val.total}, {"last", h.back().val.total},
        {"min", best->val.total}, {"min_epoch", best->epoch}, {"last_log_pz", h.back().val.log_pz},
        {"last_logdet", h.back().val.logdet}, {"first_log_pz", h.front().val.log_pz},
        {"first_logdet", h.front().val.logdet}, {"first_train_loss", h.front().train_loss},
        {"last_train_loss", h.back().train_loss}, {"gaussian_log_pz", gaussian_mean_log_pz()}};
    ctx.stats["test"] = {{"points", test.shape(0)}, {"nll", t.total}, {"log_pz", t.log_pz},
                         {"logdet", t.logdet}, {"entropy_floor", floor}, {"union_area", area}};

    write_answer(ctx, m, t, floor, area, recipe_txt);
}

FLOWREPORT_CHAPTER("rings", "nf-q1-loss", nullptr, nf_q1_loss)

}  // namespace flow::chapters
