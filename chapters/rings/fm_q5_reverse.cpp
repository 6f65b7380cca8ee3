// fm-q5-reverse: Flow matching, Q5 "Reversing the flow".
//
// "Pick the same 5 points from Q5 of Sec. 3.3. Insert them to the reverse sampling
//  process of your flow matching model, and plot their trajectories in a 2D space.
//  Compare this to Q5 of Sec. 3.3. Are the outputs the same? Re-enter the inverted
//  points back into the forward model. Did you get the same points? Would re-entering
//  the normalizing flow inversion into the normalizing flow give the same points?"
//
// The Euler round trip is measured at three steps to show its error is of first order.
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
using report::tex_num;

// The reverse flow (Eq. 18) from t = 1 to t = 0 over the rings, in the window of nf-q5's
// inverse paths (computed as it computes it, from the probes in the flow's frame xn): a
// path that leaves it is cut at its edge. Returns the latent points and the paths cut.
struct Reversed {
    nn::Mat<float> y0;
    std::vector<std::size_t> cut;
};
Reversed reverse_figure(Context& ctx, fm::Model& m, const nn::Mat<float>& x, const nn::Mat<float>& xn,
                        const fm::Integration& how) {
    Recorder rec(fm::step_count(0, 1, how.dt), 100);
    Reversed r{fm::reverse_flow(m.field, x, how, nullptr, rec.observer()), {}};
    double w = 4.0;
    for (std::size_t i = 0; i < xn.shape(0); ++i)
        w = std::max({w, std::fabs(double(xn(i, 0))) + 0.3, std::fabs(double(xn(i, 1))) + 0.3});
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        bool out = false;
        for (const auto& st : rec.states) out = out || std::fabs(st(i, 0)) > w || std::fabs(st(i, 1)) > w;
        if (out) r.cut.push_back(i);
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < x.shape(0); ++i) names.push_back(fmt::format("P{}", i + 1));
    report::Files files;
    report::RasterLayer layer = report::RasterLayer::equal_units({-w, w, -w, w}, 163.6);
    draw_ring_bands(layer, m.scale);
    ctx.figure("reverse",
               report::trajectories_tikz("fr cloud, xlabel={$x_1$}, ylabel={$x_2$}, colorbar style={title={time $t$}}",
                                         std::move(layer), rec.states, rec.times, x.shape(0), "reverse.png", files, labels_off_paths(rec.states, names, w)),
               files);
    ctx.stats["figures"]["reverse"] = {{"extent", w}, {"paths_leaving_window", r.cut}};
    return r;
}

// "; the path of P5 leaves the window", or nothing (a verdict).
std::string reverse_cut_text(Context& ctx, const std::vector<std::size_t>& cut) {
    ctx.verdict("paths_inside_window", "no reverse path of a probe leaves the figure's window", {{"cut", cut.size()}},
                cut.empty());
    std::string txt;
    for (std::size_t k = 0; k < cut.size(); ++k)
        txt += fmt::format("{}P{}", k == 0 ? "" : k + 1 == cut.size() ? " and " : ", ", cut[k] + 1);
    return cut.empty() ? std::string() : fmt::format("; the path{} of {} leave{} the window", cut.size() > 1 ? "s" : "",
                                                     txt, cut.size() > 1 ? "" : "s");
}

std::string tables(const Comparison& c, const RoundTrips& rt) {
    std::string rows;
    for (std::size_t i = 0; i < rt.dt.size(); ++i)
        rows += fmt::format("    {:g} & {}\\\\\n", rt.dt[i], tex_num(rt.mean[i], 3));
    return "\\begin{table}[htbp]\n  \\centering\\small\\setlength{\\tabcolsep}{4pt}\n"
           "  \\begin{tabular}{lccccc}\n"
           "    & & FM $\\lVert y_0\\rVert$ & NF $\\lVert z\\rVert$ & $\\lVert z - y_0\\rVert$ & FM round trip"
           "\\\\\\hline\n" +
           c.rows + "  \\end{tabular}\\\\[1ex]\n  \\begin{tabular}{cc}\n"
           "    $\\Delta t$ & FM round trip, mean\\\\\\hline\n" + rows +
           "  \\end{tabular}\n  \\caption{Top: the latent points of flow matching (FM, $y_0$) and the normalizing flow "
           "(NF, $z$): norms, distance, and FM's round-trip error. Bottom: that error's mean at three steps.}\n  \\label{tab:fm-q5-reverse}\n\\end{table}\n";
}

void write_answer(Context& ctx, const fm::Integration& how, std::size_t n, const Comparison& c, const RoundTrips& rt,
                  const std::string& cut) {
    const bool differ = ctx.verdict("latents_differ", "the smallest distance between the two models' latent points "
                                                      "of a probe is above 0.01",
                                    {{"smallest", c.min_gap}}, c.min_gap > 0.01);
    const bool fm_exact = ctx.verdict("fm_round_trip_exact", "flow matching's largest round-trip error is below 1e-5",
                                      {{"largest", c.max_rt_fm}}, c.max_rt_fm < 1e-5);
    const bool nf_exact = ctx.verdict("nf_round_trip_rounding", "the flow's largest round-trip error is below 1e-4",
                                      {{"largest", c.max_rt_nf}}, c.max_rt_nf < 1e-4);
    const double r1 = rt.mean[0] / rt.mean[1], r2 = rt.mean[1] / rt.mean[2];
    const bool first_order = ctx.verdict("round_trip_first_order", "each halving of the step divides the mean "
                                                                   "round-trip error by between 1.5 and 2.5",
                                         {{"ratios", {r1, r2}}}, r1 > 1.5 && r1 < 2.5 && r2 > 1.5 && r2 < 2.5);
    const bool stretches = ctx.verdict("nf_stretches_more", "the flow sends the farthest probe more than ten times as "
                                                            "far from the origin as flow matching does",
                                       {{"nf", c.far_nf}, {"fm", c.far_fm}}, c.far_nf > 10 * c.far_fm);
    ctx.text = ctx.section() + fmt::format(
        R"({same} Re-entered into the forward flow, flow matching's points come back {fm_back}, the
normalizing flow's {nf_back}.

{tables}
Many invertible maps push $N(0, I)$ onto the data, and each model learned its own. The gap is
largest for P{far}, off the rings: both
inverses can stretch distances (Gr\"onwall's inequality bounds the ODE's map by
$\exp\int_0^1 \mathrm{{Lip}}(v_t)\,dt$, the flow's inverse by the product of its couplings'
Lipschitz constants), and off the data the flow's constant is {larger}.

An Euler step backward in time (Eq.~18) uses the field at one end of a step, the forward step at the other: each
pair errs by $O(\Delta t^2)$, the $1/\Delta t$ pairs by $O(\Delta t)$, and {order} The flow's
couplings invert in closed form (Eq.~4).

)",
        fmt::arg("same", differ ? fmt::format("No: flow matching's reverse flow (Eq.~18) and the flow's inversion send the same point to "
                                  "latent points {} to {} apart (Table~\\ref{{tab:fm-q5-reverse}}, Figure~\\ref{{fig:fm-q5-reverse}}).",
                                  tex_num(c.min_gap, 3), tex_num(c.max_gap, 3))
                                : "Nearly: the two models' latent points almost coincide."),
        fmt::arg("fm_back", fm_exact ? "to rounding" : fmt::format("only approximately (up to {})", tex_num(c.max_rt_fm, 2))),
        fmt::arg("nf_back", nf_exact ? fmt::format("up to float rounding ({})", tex_num(c.max_rt_nf, 2))
                                     : fmt::format("up to {}", tex_num(c.max_rt_nf, 2))),
        fmt::arg("n", report::count_words(n)), fmt::arg("steps", integration_description(how)),
        fmt::arg("tables", tables(c, rt)), fmt::arg("larger", stretches ? "far larger" : "not clearly larger"),
        fmt::arg("far", c.far + 1),
        fmt::arg("order", first_order ? fmt::format("halving $\\Delta t$ halves the error (ratios {}, {}).",
                                                    tex_fixed(r1, 2), tex_fixed(r2, 2))
                                      : fmt::format("yet halving $\\Delta t$ divides the error by {} and {}, not two.",
                                                    tex_fixed(r1, 2), tex_fixed(r2, 2)))) +
        ctx.figure_float_of("reverse", fmt::format("Flow matching: the {} points run backward ({}) in the window of Figure~\\ref{{fig:nf-q5-likelihood}} "
                                                   "(left){}.",
                                                   report::count_words(n), integration_description(how), cut));
}

}  // namespace

void fm_q5_reverse(Context& ctx) {
    nf::Model& nfm = nf_comparison_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const auto probes = ctx.flags().points("probes");
    const nn::Mat<float> x = probes_in_frame(probes, m.scale), xn = probes_in_frame(probes, nfm.scale);
    const Reversed rev = reverse_figure(ctx, m, x, xn, how);
    const nn::Mat<float>& y0 = rev.y0;
    const nn::Mat<float> x_again = fm::forward_flow(m.field, y0, how);
    const Comparison c = compare(probes, probes_inside(probes), x, xn, y0, x_again, nfm);
    const RoundTrips rt = round_trips(m, x, how.dt);
    ctx.stats["probes"] = c.pts;
    ctx.stats["summary"] = {{"max_fm_round_trip", c.max_rt_fm}, {"max_nf_round_trip", c.max_rt_nf},
                            {"min_latent_distance", c.min_gap}, {"max_latent_distance", c.max_gap}};
    ctx.stats["round_trip_by_step"] = {{"dt", rt.dt}, {"mean", rt.mean}, {"max", rt.max}};
    write_answer(ctx, how, probes.size(), c, rt, reverse_cut_text(ctx, rev.cut));
}

FLOWREPORT_CHAPTER("rings", "fm-q5-reverse", fm_q5_flags, fm_q5_reverse)

}  // namespace flow::chapters
