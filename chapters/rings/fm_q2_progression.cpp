// fm-q2-progression: Flow matching, Q2 "Flow progression".
//
// "Sample 1000 points out of it, and plot them after each of t = 0, 0.2, 0.4, 0.6, 0.8,
//  1 in separate figures, showing how the distribution progresses. Compare this to Q3
//  of Sec. 3.3, in which aspects is the distribution flow different between the models?"
//
// The law of every panel is known: y_t ~ t x1 + (1 - t) x0, so each panel's measured
// covariance is set beside t^2 Cov(x1) + (1 - t)^2 I. The comparison with the normalizing
// flow rests on one measure for both models: the sliced Wasserstein distance of each
// intermediate cloud to held-out data, and the share inside a ring band, at the same
// fractions of the way (time for flow matching, layers for the flow).
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "fm_q2.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using namespace fm_q2;
using report::tex_fixed;

// How many of the moves between panels bring the cloud closer to the data.
int closer(const std::vector<double>& d) {
    int c = 0;
    for (std::size_t i = 1; i < d.size(); ++i) c += d[i] < d[i - 1];
    return c;
}

// The course of both clouds over the panels, as the text states it (recorded).
struct Course {
    std::size_t dip, far_fm, rings_from;
    int c_fm, c_nf;
    double max_fm, max_nf;
    bool rings_late, detour;
};
Course course(Context& ctx, const Rows& r, const std::vector<double>& at_t) {
    const std::size_t P = at_t.size();
    const auto& tr = r.trace;
    // The contraction: the total variance's smallest value along the way, and where.
    const std::size_t dip = std::size_t(std::min_element(tr.begin(), tr.end()) - tr.begin());
    const std::size_t far_fm = std::size_t(std::max_element(r.sw_fm.begin(), r.sw_fm.end()) - r.sw_fm.begin());
    const int c_fm = closer(r.sw_fm), c_nf = closer(r.sw_nf);
    // The first panel with most of its points in a ring band.
    std::size_t rings_from = P;
    for (std::size_t i = P; i-- > 0;)
        if (r.band_fm[i] > 0.5)
            rings_from = i;
        else
            break;
    const double max_fm = r.sw_fm[far_fm], max_nf = *std::max_element(r.sw_nf.begin(), r.sw_nf.end());
    const bool rings_late = ctx.verdict("rings_emerge",
                                        "more than half of the points lie in a ring band from some panel on",
                                        {{"bands", r.band_fm}}, rings_from < P);
    const bool detour = ctx.verdict("fm_moves_away_first",
                                    "the flow-matching cloud is farthest from the data at a panel strictly between "
                                    "the first and the last",
                                    {{"distances", r.sw_fm}}, far_fm > 0 && far_fm + 1 < P);
    ctx.stats["comparison"] = {{"fm_steps_closer", c_fm}, {"nf_steps_closer", c_nf},
                               {"fm_sw_max", max_fm}, {"nf_sw_max", max_nf}};
    ctx.stats["law"].update({{"max_abs_deviation", r.worst_dev}, {"max_standard_errors", r.worst_z},
                             {"min_trace", tr[dip]}, {"min_trace_t", at_t[dip]}});
    return {dip, far_fm, rings_from, c_fm, c_nf, max_fm, max_nf, rings_late, detour};
}

// The answer, from the rows and the course of the clouds.
std::string answer(Context& ctx, const Rows& r, const std::vector<double>& at_t, const fm::Integration& how,
                   std::size_t L, std::size_t n) {
    const std::size_t P = at_t.size();
    const Course c = course(ctx, r, at_t);
    const Clauses cl = clauses(ctx, r, at_t, c.dip);
    const auto& [dip, far_fm, rings_from, c_fm, c_nf, max_fm, max_nf, rings_late, detour] = c;
    return fmt::format(
        R"(Figure~\ref{{fig:fm-q2-progression}} pushes {n} prior samples through the learned flow
({steps}) and shows them at the exercise's six times and at $t = 0.9$ and $0.95$. What the
panels should show is known exactly. If the field is the one Eq.~13 defines, $y_t$ has the
law of $t x_1 + (1-t) x_0$ with $x_1$ from the data and $x_0 \sim N(0, I)$ independent: the
data shrunk by the factor $t$ and blurred by a Gaussian of standard deviation $1-t$, with
density $p_t(y) = \int q(x)\, N(y; t x, (1-t)^2 I)\, dx$. It is not a mixture of prior and
data, which would show full-size rings from the start. Its covariance is
$t^2 \mathrm{{Cov}}(x_1) + (1-t)^2 I$, and Table~\ref{{tab:fm-q2-progression}} holds every
panel's measured covariance beside it: the largest difference is {dev} (at $t = {tdev}${prior}),
{z} standard errors of a covariance of {n} points. {contraction} {rings}

{table}

The two flows differ in how they get there. Flow matching's intermediate clouds {blend}: {fm_way}; {c_fm} of the {moves} moves between panels bring it closer.
The normalizing flow's intermediate layers answer to no target, since only its output is
trained: they pass through distributions {nf_way} (Figure~\ref{{fig:nf-q3-layers}}), up to {max_nf} from the data, and {c_nf} of its {moves}
moves bring it closer.

)",
        fmt::arg("steps", integration_description(how)), fmt::arg("n", n),
        fmt::arg("dev", tex_fixed(r.worst_dev, 3)), fmt::arg("z", tex_fixed(r.worst_z, 1)),
        fmt::arg("tdev", time_label(r.worst_t)), fmt::arg("prior", r.worst_t == 0.0 ? ", the prior sample itself" : ""),
        fmt::arg("rings", rings_late ? fmt::format("The rings emerge late: more than half of the points "
                                                       "lie in a ring band only from $t = {}$ on.",
                                                       time_label(at_t[rings_from]))
                                         : std::string("Fewer than half of the points lie in a ring band even at $t = 1$.")),
        fmt::arg("contraction", cl.contraction), fmt::arg("blend", cl.blend), fmt::arg("nf_way", cl.nf_way),
        fmt::arg("table", table_tex(r, P, L)), fmt::arg("c_fm", c_fm), fmt::arg("c_nf", c_nf),
        fmt::arg("moves", P - 1), fmt::arg("max_nf", tex_fixed(max_nf, 2)),
        fmt::arg("fm_way", detour
                               ? fmt::format("the cloud moves away from the data while it contracts (farthest, "
                                             "{}, at $t = {}$) and then closes in",
                                             tex_fixed(max_fm, 2), time_label(at_t[far_fm]))
                               : fmt::format("the cloud is farthest from the data, {}, at $t = {}$",
                                             tex_fixed(max_fm, 2), time_label(at_t[far_fm]))));
}

}  // namespace

void fm_q2_progression(Context& ctx) {
    nf::Model& nfm = nf_comparison_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t n = 1000;
    const nn::Mat<float> z = prior_sample(ctx, n, "samples");

    // The exercise's six times, and t = 0.9 and 0.95, where the rings, shrunk by t and
    // blurred by 1 - t, become visible again.
    const Snapshots at = snapshots(m, z, how, {0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1});
    const std::size_t P = at.t.size();
    Rng held_rng = ctx.rng("held-out");
    const auto held = data::unconditional_rings(5000, held_rng);
    const auto data_fm = data::in_frame(held, m.scale);
    const auto data_nf = data::in_frame(held, nfm.scale);
    const report::CloudStats data_cov = report::cloud_stats(data_fm);
    ctx.stats["law"]["data_cov"] = data_cov.to_json()["cov"];

    // The normalizing flow at the same fractions of its layers, from the same z.
    const std::vector<nn::Mat<float>> path = nf_layer_path(nfm, z);
    const std::size_t L = nfm.flow.layers();

    // One window for every panel, wide enough for the prior's tail.
    std::vector<const nn::Mat<float>*> clouds;
    for (const auto& a : at.y) clouds.push_back(&a);
    const report::Window win = report::window_for(clouds, 2.6, 4.0);

    Rows r;
    for (std::size_t i = 0; i < P; ++i) {
        const double t = at.t[i];
        const std::string name = fmt::format("t{:03d}", int(std::lround(100 * t)));
        std::string title = "$t = " + time_label(t) + "$";
        if (win.outside[i] > 0) title += fmt::format(" ({} outside)", win.outside[i]);
        ctx.figure(name, report::cloud_tikz("fr panel, width=4.1cm, " + win.axis_options() + ", title={" + title + "}",
                                            name + ".dat"),
                   {{name + ".dat", report::points_dat(at.y[i])}});
        r.panels.push_back(fmt::format("\\includegraphics{{{}}}", ctx.figure_pdf(name)));
        auto j = cloud_json(at.y[i], m.scale, data_fm);
        j["t"] = t;
        j["outside_window"] = win.outside[i];
        compare_with_law(j, data_cov, t, n, r);
        const std::size_t layer = std::size_t(std::lround(t * double(L)));
        auto jn = cloud_json(path[layer], nfm.scale, data_nf);
        jn["layer"] = layer;
        r.band_fm.push_back(j["share_in_band"].get<double>());
        r.sw_fm.push_back(j["sliced_w2_to_data"].get<double>());
        r.sw_nf.push_back(jn["sliced_w2_to_data"].get<double>());
        r.head += " & " + time_label(t);
        r.fm += " & " + tex_fixed(r.sw_fm.back(), 2);
        r.nf += " & " + tex_fixed(r.sw_nf.back(), 2);
        r.fm_band += " & " + report::tex_percent(j["share_in_band"].get<double>(), 0);
        r.nf_band += " & " + report::tex_percent(jn["share_in_band"].get<double>(), 0);
        ctx.stats["figures"][name] = j;
        ctx.stats["nf_layers"][name] = jn;
    }
    ctx.text = ctx.section() + answer(ctx, r, at.t, how, L, n) +
               ctx.figure_float(report::panel_grid(r.panels, 4), fmt::format("Flow matching: {} samples at {} times.", n,
                                                                                report::count_words(P)));
}

FLOWREPORT_CHAPTER("rings", "fm-q2-progression", fm_flags, fm_q2_progression)

}  // namespace flow::chapters
