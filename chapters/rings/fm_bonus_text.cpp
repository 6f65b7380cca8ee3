// fm-bonus-target's text: the attempts, steering and the sixth class, from the measured
// numbers (fm_bonus.hpp).
#include "fm_bonus.hpp"
#include "report/latex.hpp"

namespace flow::chapters::bonus {

namespace {

using report::tex_fixed;
using report::tex_num;

// --- the answer ----------------------------------------------------------------------------
bool within(double d) { return d <= kClose; }

// True when key(v[i]) rises strictly along v.
template <class Key>
bool rising(const std::vector<const Steered*>& v, Key key) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(key(*v[i]) > key(*v[i - 1]))) return false;
    return true;
}

// The rows' parameters (tau or k), and a measure of each, for a verdict's record.
std::vector<double> params(const std::vector<const Steered*>& v) {
    std::vector<double> p;
    for (const auto* r : v) p.push_back(r->param);
    return p;
}
template <class Key>
std::vector<double> values(const std::vector<const Steered*>& v, Key key) {
    std::vector<double> p;
    for (const auto* r : v) p.push_back(key(*r));
    return p;
}

// The paragraph on steering, from the measured rows.
std::string steering_text(Context& ctx, const Steering& st) {
    std::vector<const Steered*> sw, pull;
    double sw_max = 0;
    for (const auto& r : st.rows) {
        (r.method == "switch" ? sw : pull).push_back(&r);
        if (r.method == "switch") sw_max = std::max(sw_max, r.miss.max);
    }
    const auto energy = [](const Steered& r) { return r.energy; };
    const auto worst = [](const Steered& r) { return r.miss.max; };
    const bool force_rises = ctx.verdict("pull_force_rises", "the pull's force against the field rises with k",
                                         {{"k", params(pull)}, {"force", values(pull, energy)}},
                                         rising(pull, energy));
    const bool miss_rises = ctx.verdict("pull_miss_rises", "the pull's largest distance to the target rises with k",
                                        {{"k", params(pull)}, {"largest", values(pull, worst)}}, rising(pull, worst));
    const bool switch_exact = ctx.verdict("switch_exact", "every switched run lands exactly on the target",
                                          {{"largest", sw_max}}, sw_max == 0.0);
    const bool switch_force_rises = ctx.verdict("switch_force_rises",
                                                "the switch's force against the field rises with tau",
                                                {{"tau", params(sw)}, {"force", values(sw, energy)}},
                                                rising(sw, energy));
    const std::string pull_miss =
        miss_rises ? fmt::format("and at a finite step it closes the gap less and less: the largest "
                                 "distance grows from {} at $k = {:g}$ to {} at $k = {:g}$",
                                 tex_num(pull.front()->miss.max, 2), pull.front()->param,
                                 tex_num(pull.back()->miss.max, 2), pull.back()->param)
                   : fmt::format("and its largest distance ranges from {} to {}", tex_num(pull.front()->miss.max, 2),
                                 tex_num(pull.back()->miss.max, 2));
    return fmt::format(
        R"(\emph{{Switching}} at $\tau$ ($w = 1$ from $\tau$ on) lands on $a$
{exact} for every $\tau$, because Euler's last step,
$y + \Delta t\,(a - y)/\Delta t$, is $a$. What $\tau$ trades is realism: the path is the
model's own until $\tau$ and must then cover the rest in $1 - \tau$, so the force spent
against the field, $\int |u - v|^2\,dt$, {trend} from {e_first} at $\tau = 0$ (the straight
path of Eq.~14 from $y_0$ to $a$, which ignores the model) to {e_last} at $\tau = {tau_last}$,
and the peak speed from {s_first} to {s_last}, against {own_speed} for the field alone.
A \emph{{pull}} $w = t^k$ hands over when $w = 1/2$, at $t = 2^{{-1/k}}$; {force}, {miss}.{opposed}
Neither method trains anything or evaluates
the field more often than sampling does (Figure~\ref{{fig:fm-bonus-target}}b).)",
        fmt::arg("exact", switch_exact ? std::string("exactly, in single precision")
                                        : fmt::format("to rounding (at most {})", tex_num(sw_max, 2))),
        fmt::arg("trend", switch_force_rises ? "grows" : "changes"),
        fmt::arg("e_first", tex_fixed(sw.front()->energy, 0)), fmt::arg("e_last", tex_fixed(sw.back()->energy, 0)),
        fmt::arg("tau_last", fmt::format("{:g}", sw.back()->param)),
        fmt::arg("s_first", tex_fixed(sw.front()->speed, 1)), fmt::arg("s_last", tex_fixed(sw.back()->speed, 0)),
        fmt::arg("own_speed", tex_fixed(st.own_speed, 1)),
        fmt::arg("force", force_rises ? "the later it hands over, the more force it needs"
                                      : "its force does not simply grow with $k$"),
        fmt::arg("miss", pull_miss),
        fmt::arg("opposed", miss_rises && force_rises
                                ? " For the pull, realism (a late hand-over) and accuracy pull in opposite directions."
                                : ""));
}

// The paragraph on the sixth class, from the two fitted models.
std::string sixth_class_text(Context& ctx, const SixthClass& emb, const SixthClass& ft, double own_before) {
    auto fitted = [](const SixthClass& f) {
        return fmt::format("lands on average {} from ${}$ (at most {}) after {} steps and {}\\,s of fitting",
                           tex_num(f.miss.mean, 2), kTargetText, tex_num(f.miss.max, 2), f.model.config.fit.steps,
                           tex_fixed(f.model.train_seconds, 1));
    };
    return fmt::format(
        R"(\emph{{A sixth class.}} The conditional model gets a new class whose data is the single point
${a}$ of its own coordinates, fitted by Eq.~16. Through its embedding alone, with the
network frozen, the class {emb}: {emb_verdict} Fine-tuning the whole field from there, on
batches that mix the new class with the old data, it {ft}
(Figure~\ref{{fig:fm-bonus-target}}c), and the old classes {keep} {own_after} of their samples in
their own ring (Section~\ref{{sec:cfm-q3-sampling}}'s measure; {own_before} before). Sampling
the new class is then an ordinary draw of a conditional model: the model itself outputs ${a}$
{ft_verdict}.)",
        fmt::arg("emb", fitted(emb)),
        fmt::arg("emb_verdict",
                 ctx.verdict("embedding_alone_lands", "the embedding-only class's largest distance to the target is "
                                                      "within the closeness tolerance",
                             {{"largest", emb.miss.max}, {"tolerance", kClose}}, within(emb.miss.max))
                     ? std::string("that alone is enough.")
                     : fmt::format("in this run the {} numbers of an embedding do not steer the network that far, and "
                                   "this attempt falls short.",
                                   report::count_words(emb.model.config.shape.embed_dim))),
        fmt::arg("a", kTargetText),
        fmt::arg("ft", fitted(ft)), fmt::arg("own_after", report::tex_percent(ft.own_ring)),
        fmt::arg("keep", ctx.verdict("old_classes_kept", "after fine-tuning the old classes' share in their own ring is "
                                                         "within 2 points of the share before",
                                     {{"before", own_before}, {"after", ft.own_ring}}, ft.own_ring >= own_before - 0.02)
                             ? "keep"
                             : "keep only"),
        fmt::arg("own_before", report::tex_percent(own_before)),
        fmt::arg("ft_verdict", ctx.verdict("fine_tuned_lands", "the fine-tuned class's mean distance to the target "
                                                               "is within the closeness tolerance",
                                           {{"mean", ft.miss.mean}, {"tolerance", kClose}}, within(ft.miss.mean))
                                   ? fmt::format("to within {:g} on average", kClose)
                                   : fmt::format("to {} on average", tex_num(ft.miss.mean, 2))));
}

}  // namespace

std::string answer(Context& ctx, const Setup& s, const InvertedTarget& inv, const Steering& st,
                   const SixthClass& emb, const SixthClass& ft, double own_before) {
    const auto& y = inv.y0;
    const std::string intro = fmt::format(
        R"(The target ${a}$ is taken in the coordinates the models are trained in, since the
exercise's data code returns standardised points; there it lies far outside the rings.
{chance} of {many} ordinary samples the closest lands {best} away.

\emph{{First attempt: invert the flow.}} A flow is invertible, so integrating it backward from
${a}$ (Eq.~18) gives the prior point $y_0$ whose path ends there. With the exercise's Euler
steps the round trip misses by {m_euler} {euler_verdict}; with fourth-order Runge--Kutta
steps it lands {m_inv} away, in {inv_s}\,s. But this $y_0 = ({ix}, {iy})$ lies at
$\lVert y_0\rVert = {r_inv}$, prior log-density {lp_inv}: the prior puts a mass of
$10^{{{tail}}}$ beyond it, so no sampler would ever draw it (Figure~\ref{{fig:fm-bonus-target}}a).
It answers the question without using what the model does with ordinary noise.

\emph{{From an ordinary draw.}} The other methods start from $y_0 = ({ox}, {oy})$, a prior draw
with $\lVert y_0\rVert = {r0}$ and log-density {lp0}, and are measured over {n} such draws
(Table~\ref{{tab:fm-bonus-target}}). Left alone, the field carries this $y_0$ to
$({ex}, {ey})$. \emph{{Steering}} replaces the velocity by
$u = (1 - w(t))\,v(y, t) + w(t)\,(a - y)/(1 - t)$, where $(a - y)/(1-t)$ is Eq.~15's velocity
of the straight conditional path toward $a = {a}$; equivalently, the field plus $w(t)$ times
the pull $(a - \hat y_1)/(1-t)$ toward $a$ of the field's own predicted end point
$\hat y_1 = y + (1-t)\,v$. )",
        fmt::arg("many", report::tex_count((long long)inv.samples.shape(0))),
        fmt::arg("best", tex_fixed(inv.closest, 2)),
        fmt::arg("chance", ctx.verdict("chance_misses", "no ordinary sample lands within the closeness tolerance",
                                       {{"closest", inv.closest}, {"tolerance", kClose}}, !within(inv.closest))
                               ? "Chance does not reach it:"
                               : "Chance can reach it:"), fmt::arg("m_euler", tex_num(inv.miss_euler, 2)),
        fmt::arg("a", kTargetText),
        fmt::arg("euler_verdict", ctx.verdict("euler_round_trip_lands",
                                              "Euler's inverse then forward run from the target ends within the "
                                              "closeness tolerance of it",
                                              {{"distance", inv.miss_euler}, {"tolerance", kClose}},
                                              within(inv.miss_euler))
                                      ? fmt::format("(within {:g})", kClose)
                                      : std::string("(Euler's backward and forward steps are not each "
                                                           "other's inverse, Section~\\ref{sec:fm-q5-reverse})")),
        fmt::arg("m_inv", tex_num(inv.miss_rk4, 2)), fmt::arg("inv_s", tex_fixed(inv.seconds, 2)),
        fmt::arg("ix", tex_fixed(y(0, 0), 1)), fmt::arg("iy", tex_fixed(y(0, 1), 1)),
        fmt::arg("r_inv", tex_fixed(inv.norm, 1)),
        fmt::arg("lp_inv", tex_fixed(log_standard_normal(y(0, 0), y(0, 1)), 0)),
        fmt::arg("tail", tex_fixed(inv.log10_tail, 0)), fmt::arg("ox", tex_fixed(s.y0(0, 0), 2)),
        fmt::arg("oy", tex_fixed(s.y0(0, 1), 2)),
        fmt::arg("r0", tex_fixed(std::hypot(double(s.y0(0, 0)), double(s.y0(0, 1))), 2)),
        fmt::arg("lp0", tex_fixed(log_standard_normal(s.y0(0, 0), s.y0(0, 1)), 2)),
        fmt::arg("n", s.starts.shape(0)), fmt::arg("ex", tex_fixed(st.own_end(0, 0), 2)),
        fmt::arg("ey", tex_fixed(st.own_end(0, 1), 2)));
    const std::string caption =
        "Sampling $" + kTargetText + "$ (red cross); paths in (a) and (c) coloured by $t$. (a) From the inverted prior\n"
        "  point, far outside the prior. (b) From an ordinary $y_0$, the distance to $" + kTargetText + "$ over time: the\n"
        "  field alone, switched to Eq.~15 at $\\tau = 0$ and $0.9$, pulled with $w = t^4$ and $t^{64}$. (c) The "
        "fine-tuned sixth class of the\n  conditional model, from the same $y_0$.";
    const std::string panels = "  \\includegraphics{" + ctx.figure_pdf("inversion") + "}\\hfill\\includegraphics{" +
                               ctx.figure_pdf("steered") + "}\\hfill\\includegraphics{" +
                               ctx.figure_pdf("new-class") + "}\n";
    return ctx.section() + intro + steering_text(ctx, st) + "\n\n" + sixth_class_text(ctx, emb, ft, own_before) + "\n\n" +
           methods_table(st, emb, ft, s.starts.shape(0)) + "\n" + ctx.figure_float(panels, caption);
}

}  // namespace flow::chapters::bonus
