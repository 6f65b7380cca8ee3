// fm-bonus-target's text: the answer (the sixth class), then every attempt, from the
// measured numbers (fm_bonus.hpp).
#include "fm_bonus.hpp"
#include "report/latex.hpp"

namespace flow::chapters::bonus {

namespace {

using report::tex_fixed;
using report::tex_num;

bool within(double d) { return d <= kClose; }

// True when key(v[i]) rises strictly along v.
template <class Key>
bool rising(const std::vector<const Steered*>& v, Key key) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(key(*v[i]) > key(*v[i - 1]))) return false;
    return true;
}
template <class Key>
std::vector<double> values(const std::vector<const Steered*>& v, Key key) {
    std::vector<double> p;
    for (const auto* r : v) p.push_back(key(*r));
    return p;
}

// The sentences on steering, from the measured rows (verdicts over every tau and k).
std::string steering_text(Context& ctx, const Steering& st) {
    std::vector<const Steered*> sw, pull;
    double sw_max = 0;
    for (const auto& r : st.rows) {
        (r.method == "switch" ? sw : pull).push_back(&r);
        if (r.method == "switch") sw_max = std::max(sw_max, r.miss.max);
    }
    const auto param = [](const Steered& r) { return r.param; };
    const auto worst = [](const Steered& r) { return r.miss.max; };
    const bool exact = ctx.verdict("switch_exact", "every switched run lands exactly on the target",
                                   {{"largest", sw_max}}, sw_max == 0.0);
    const bool miss = ctx.verdict("pull_miss_rises", "the pull's largest distance to the target rises with k",
                                  {{"k", values(pull, param)}, {"largest", values(pull, worst)}}, rising(pull, worst));
    return fmt::format(
        R"( (2) \emph{{Steering}} an ordinary draw toward $a = {a}$ with Eq.~15's velocity,
$u = (1 - w)\,v + w\,(a - y)/(1 - t)$: switching at $\tau$ ($w = 1$ from $\tau$ on) lands {exact};
a pull $w = t^k$ {miss}; both override the model.)",
        fmt::arg("a", kTargetText), fmt::arg("exact", exact ? "exactly" : "up to rounding"),
        fmt::arg("miss", miss ? "misses more the later it acts" : "misses by varying amounts"));
}

}  // namespace

std::string answer(Context& ctx, const Setup& s, const InvertedTarget& inv, const Steering& st,
                   const SixthClass& emb, const SixthClass& ft, double own_before, const data::Standardiser& scale) {
    const bool ft_lands = ctx.verdict("fine_tuned_lands", "the fine-tuned class's mean distance to the target is "
                                                          "within the closeness tolerance",
                                      {{"mean", ft.miss.mean}, {"tolerance", kClose}}, within(ft.miss.mean));
    const bool kept = ctx.verdict("old_classes_kept", "after fine-tuning the old classes' share in their own ring is "
                                                      "within 2 points of the share before",
                                  {{"before", own_before}, {"after", ft.own_ring}}, ft.own_ring >= own_before - 0.02);
    const bool chance = ctx.verdict("chance_misses", "no ordinary sample lands within the closeness tolerance",
                                    {{"closest", inv.closest}, {"tolerance", kClose}}, !within(inv.closest));
    const bool emb_lands = ctx.verdict("embedding_alone_lands", "the embedding-only class's largest distance to the "
                                                                "target is within the closeness tolerance",
                                       {{"largest", emb.miss.max}, {"tolerance", kClose}}, within(emb.miss.max));
    const auto& y = inv.y0;
    const double span = bands_extent(scale);
    ctx.stats["target_frame"] = {{"rings_extent", span}};
    const std::string text = fmt::format(
        R"(We add to the conditional model a sixth class whose only data point is ${a}$ and fine-tune it:
from ordinary prior draws the class lands {ft_mean} from ${a}$ on average, and the old classes
{keep} {after} of their samples in their rings ({before} before, Table~\ref{{tab:cfm-q3-sampling}}).
${a}$ is in the models' output coordinates, where the exercise's code puts samples: the
standardised plane, the rings within $\pm{span}$. {chance}: of
{many} ordinary samples the closest lands {best} away. Our attempts
(Table~\ref{{tab:fm-bonus-target}}):

(1) \emph{{Inverting the flow}} from ${a}$ ({steps} Runge--Kutta steps of Eq.~18; run forward
again with the same steps, it returns within {rt}) gives a prior point at
$\lVert y_0\rVert = {r_inv}$ (log-density {lp_inv}), where no sampler draws
(Figure~\ref{{fig:fm-bonus-target}}a).{steer} (3) Fitting only the new class's embedding {emb};
fine-tuning the whole field on batches mixing new and old classes {ft}
(Figure~\ref{{fig:fm-bonus-target}}b).

)",
        fmt::arg("a", kTargetText),
        fmt::arg("ft_mean", tex_num(ft.miss.mean, 2)), fmt::arg("keep", kept ? "keep" : "keep only"),
        fmt::arg("after", report::tex_percent(ft.own_ring)), fmt::arg("before", report::tex_percent(own_before)),
        fmt::arg("span", tex_fixed(span, 1)),
        fmt::arg("chance", chance ? "Chance does not reach the target" : "Chance can reach the target"),
        fmt::arg("many", report::tex_count((long long)inv.samples.shape(0))), fmt::arg("best", tex_fixed(inv.closest, 2)),
        fmt::arg("steps", s.steps), fmt::arg("rt", tex_num(inv.miss_rk4, 2)), fmt::arg("r_inv", tex_fixed(inv.norm, 1)),
        fmt::arg("lp_inv", tex_fixed(log_standard_normal(y(0, 0), y(0, 1)), 0)), fmt::arg("steer", steering_text(ctx, st)),
        fmt::arg("emb", emb_lands ? "already lands on it" : "falls short"),
        fmt::arg("ft", ft_lands ? "lands on it" : "gives the result above"));
    const std::string caption = "Sampling $" + kTargetText + "$ (red cross): (a) from the inverted prior point, "
                                "(b) the fine-tuned sixth class from an ordinary draw; paths coloured by $t$.";
    const std::string panels = "  \\includegraphics{" + ctx.figure_pdf("inversion") + "}\\qquad\\includegraphics{" +
                               ctx.figure_pdf("new-class") + "}\n";
    return ctx.section() + text + methods_table(inv, st, emb, ft, s.starts.shape(0)) + "\n" +
           ctx.figure_float(panels, caption);
}

}  // namespace flow::chapters::bonus
