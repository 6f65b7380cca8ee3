// fm-q5-reverse: Flow matching, Q5 "Reversing the flow".
//
// "Pick the same 5 points from Q5 of Sec. 3.3. Insert them to the reverse sampling
//  process of your flow matching model, and plot their trajectories in a 2D space.
//  Compare this to Q5 of Sec. 3.3. Are the outputs the same? Re-enter the inverted
//  points back into the forward model. Did you get the same points? Would re-entering
//  the normalizing flow inversion into the normalizing flow give the same points?"
//
// Beyond the exercise: the flow-matching model's log-likelihood of the points, by
// integrating the divergence of the field along the reverse path, beside the
// normalizing flow's exact log p(x).
#include <cmath>

#include "data/olympic.hpp"
#include "fm_common.hpp"
#include "fm_q5.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

std::vector<config::FlagSpec> fm_q5_flags() {
    auto f = fm_flags();
    f.push_back(probes_flag());
    return f;
}

namespace {

using namespace fm_q5;
using report::tex_fixed;

// The reverse flow (Eq. 18) from t = 1 to t = 0 drawn with every path whole in the window,
// the latent points included. Returns the latent points.
nn::Mat<float> reverse_figure(Context& ctx, fm::Model& m, const nn::Mat<float>& x, const fm::Integration& how) {
    const std::size_t n = x.shape(0);
    Recorder rec(fm::step_count(0, 1, how.dt), 100);
    const nn::Mat<float> y0 = fm::reverse_flow(m.field, x, how, nullptr, rec.observer());
    const auto& drawn = rec.states;
    std::vector<const nn::Mat<float>*> states;
    for (const auto& st : drawn) states.push_back(&st);
    const report::Window win = report::window_for(states, 2.5, 12.0);
    std::vector<std::array<double, 2>> at;
    for (std::size_t i = 0; i < n; ++i) at.push_back({x(i, 0), x(i, 1)});
    ctx.figure("reverse",
               report::trajectories_tikz("fr cloud, width=6.5cm, xlabel={$x_1$}, ylabel={$x_2$}, " + win.axis_options(),
                                         "reverse.dat", n, drawn.size(), "", report::probe_labels(at)),
               {{"reverse.dat", report::trajectories_dat(drawn, rec.times)}});
    std::size_t cut = 0;  // states the window leaves out, over every path and step
    for (std::size_t o : win.outside) cut += o;
    ctx.stats["figures"]["reverse"] = {{"extent", win.extent}, {"states_outside_window", cut}};
    return y0;
}

// The table of both models' inversions and log-likelihoods of the probes.
std::string comparison_table(std::size_t n, const std::string& rows, const std::string& lrows) {
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \setlength{{\tabcolsep}}{{4pt}}
  \begin{{tabular}}{{llccccc}}
    & & FM $y_0$ & NF $z$ & $|y_0 - z|$ & FM round trip & NF round trip\\\hline
{rows}  \end{{tabular}}\\[1.2ex]
  \begin{{tabular}}{{lrrrrrr}}
    & FM $\log p_0(y_0)$ & FM $-\!\int_0^1 \nabla\cdot v\,dt$ & FM $\log p(x)$ & NF $\log p_z(z)$ & NF $\log|\det|$ & NF $\log p(x)$\\\hline
{lrows}  \end{{tabular}}
  \caption{{The {n} points inverted by flow matching (FM) and the normalizing flow (NF):
  the latent points, the error of inverting and re-entering them (standardised units), and
  each model's $\log p(x)$ with its two terms.}}
  \label{{tab:fm-q5-reverse}}
\end{{table}}
)",
        fmt::arg("n", report::count_words(n)), fmt::arg("rows", rows), fmt::arg("lrows", lrows));
}

// The paragraph on the two models' log-likelihoods, and the point where they differ most.
std::string likelihood_paragraph(Context& ctx, const Comparison& c, const nn::Mat<float>& y0, bool order_fm) {
    const auto& pts = c.pts;
    const std::size_t far = c.far;
    const double far_nf = std::hypot(pts[far]["nf_z"][0].get<double>(), pts[far]["nf_z"][1].get<double>());
    const double far_fm = std::hypot(y0(far, 0), y0(far, 1));
    const double far_lp0 = pts[far]["fm_log_p0"].get<double>(), far_div = pts[far]["fm_divergence_term"].get<double>();
    return fmt::format(
        R"(\emph{{Log-likelihoods.}} For flow matching, $\log p(x)$ comes from integrating the divergence
of the field along the reverse path (the instantaneous change of variables, exact from two
gradient passes in 2D). {order} The two models differ most at P{far}: the normalizing flow
sends it to $\lVert z\rVert = {far_nf}$, where $\log p_z$ alone is {far_lpz}, while the
reverse ODE carries it {only}to $\lVert y_0\rVert = {far_fm}$ ($\log p_0 = {far_lp0}$, and
{far_div} from the divergence). An ODE moves a point at the field's speed for one unit of
time, and the network's field grows at most linearly away from the data; a normalizing
flow's inverse multiplies the distance layer after layer
(Section~\ref{{sec:nf-q5-likelihood}}).

)",
        fmt::arg("order", order_fm ? "Flow matching, too, finds every inside point more likely than every "
                                     "outside one."
                                   : "Flow matching does not find every inside point more likely than "
                                     "every outside one."),
        fmt::arg("far", far + 1), fmt::arg("only", ctx.verdict("fm_latent_nearer", "flow matching's latent point of that probe is nearer the "
                                                         "origin than the flow's",
                                     {{"fm", far_fm}, {"nf", far_nf}}, far_fm < far_nf)
                             ? "only "
                             : ""),
        fmt::arg("far_nf", report::tex_num(far_nf, 3)),
        fmt::arg("far_lpz", report::tex_num(pts[far]["nf_log_pz"].get<double>(), 3)),
        fmt::arg("far_fm", tex_fixed(far_fm, 2)),
        fmt::arg("far_lp0", tex_fixed(far_lp0, 2)),
        fmt::arg("far_div", tex_fixed(far_div, 2)));
}

void write_answer(Context& ctx, const fm::Integration& how, std::size_t n, const Comparison& c,
                  const nn::Mat<float>& y0, bool order_fm) {
    ctx.text = ctx.section() + fmt::format(
        R"(Figure~\ref{{fig:fm-q5-reverse}} runs the {n} points of Section~\ref{{sec:nf-q5-likelihood}}
backward through the flow-matching model, from $t = 1$ to $t = 0$ with Eq.~18 ({steps}).
Table~\ref{{tab:fm-q5-reverse}} sets the results beside the normalizing flow's inversion of
the same points.

{table}
\emph{{Are the outputs the same?}} {same}: the latent points of the two models lie between
{gmin} and {gmax} apart. Both models map the same prior to the same data, but the map
between them is not unique; each model learned its own, the normalizing flow through its
composition of couplings, flow matching by following the field whose paths come from
straight noise-to-data interpolations. Nothing ties the noise one model assigns to a point
to the noise the other assigns.

\emph{{Re-entered into the forward flow, do the points come back?}} {rt_verdict}: the
largest distance between a point and its round trip is {rt_fm} standardised units. The
exact flow of an ODE is invertible, but each Euler step follows the field at its own start,
backward from $t$ and forward from $t - \Delta t$, so the two discretisations are not each
other's inverse; the error shrinks with $\Delta t$.

\emph{{And the normalizing flow?}} Its inversion re-entered into it gives the points back
to {rt_nf}{rounding}: each coupling is inverted in closed form, so the inverse is exact by
construction and not an approximation.

{likelihoods})",
        fmt::arg("steps", integration_description(how)), fmt::arg("likelihoods", likelihood_paragraph(ctx, c, y0, order_fm)),
        fmt::arg("table", comparison_table(n, c.rows, c.lrows)), fmt::arg("n", report::count_words(n)),
        fmt::arg("same", ctx.verdict("latents_differ", "the smallest distance between the two methods' latent "
                                                       "points of a probe is above 0.01",
                                     {{"smallest", c.min_gap}}, c.min_gap > 0.01) ? "No" : "Not exactly"), fmt::arg("gmin", report::tex_num(c.min_gap, 3)),
        fmt::arg("gmax", report::tex_num(c.max_gap, 3)),
        fmt::arg("rt_verdict", ctx.verdict("fm_round_trip_exact", "flow matching's largest round-trip error is "
                                                                  "below 1e-5",
                                           {{"largest", c.max_rt_fm}}, c.max_rt_fm < 1e-5)
                                   ? "Yes, to rounding" : "Nearly, not exactly"),
        fmt::arg("rt_fm", report::tex_num(c.max_rt_fm, 2)), fmt::arg("rt_nf", report::tex_num(c.max_rt_nf, 2)),
        fmt::arg("rounding", ctx.verdict("nf_round_trip_rounding", "the flow's largest round-trip error is below 1e-4",
                                         {{"largest", c.max_rt_nf}}, c.max_rt_nf < 1e-4)
                                 ? " (single-precision rounding)" : "")) +
        ctx.figure_float_of("reverse", fmt::format("Flow matching: the {} points run backward from the data ($t = 1$) to the prior ($t = 0$).", report::count_words(n)));
}

}  // namespace

void fm_q5_reverse(Context& ctx) {
    nf::Model& nfm = nf_comparison_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const auto probes = ctx.flags().points("probes");
    const std::size_t n = probes.size();
    const nn::Mat<float> x = probes_in_frame(probes, m.scale), xn = probes_in_frame(probes, nfm.scale);
    const std::vector<bool> inside = probes_inside(probes);

    // The reverse flow, and back again; the log-likelihood along the reverse path.
    const nn::Mat<float> y0 = reverse_figure(ctx, m, x, how);
    const nn::Mat<float> x_again = fm::forward_flow(m.field, y0, how);
    nn::Mat<double> y0d;
    const std::vector<double> lp_fm = fm::log_likelihood(m.field, x, how, nullptr, &y0d);
    double lowest_inside = INFINITY, highest_outside = -INFINITY;
    for (std::size_t i = 0; i < n; ++i)
        (inside[i] ? lowest_inside : highest_outside) = inside[i] ? std::min(lowest_inside, lp_fm[i])
                                                                  : std::max(highest_outside, lp_fm[i]);
    const bool order_fm = ctx.verdict("fm_orders_probes",
                                      "flow matching's lowest log-likelihood of a probe inside a band is above its "
                                      "highest of a probe outside",
                                      {{"lowest_inside", lowest_inside}, {"highest_outside", highest_outside}},
                                      lowest_inside > highest_outside);
    const Comparison c = compare(probes, inside, x, xn, y0, y0d, lp_fm, x_again, nfm);
    ctx.stats["probes"] = c.pts;
    ctx.stats["summary"] = {{"max_fm_round_trip", c.max_rt_fm}, {"max_nf_round_trip", c.max_rt_nf},
                            {"min_latent_distance", c.min_gap}, {"max_latent_distance", c.max_gap},
                            {"fm_inside_more_likely", order_fm}};
    write_answer(ctx, how, n, c, y0, order_fm);
}

FLOWREPORT_CHAPTER("rings", "fm-q5-reverse", fm_q5_flags, fm_q5_reverse)

}  // namespace flow::chapters
