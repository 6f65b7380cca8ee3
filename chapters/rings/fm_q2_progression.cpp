// fm-q2-progression: Flow matching, Q2 "Flow progression".
//
// "Sample 1000 points out of it, and plot them after each of t = 0, 0.2, 0.4, 0.6, 0.8,
//  1 in separate figures, showing how the distribution progresses. Compare this to Q3
//  of Sec. 3.3, in which aspects is the distribution flow different between the models?"
//
// The law of every panel is known: y_t ~ t x1 + (1 - t) x0, so each panel's measured
// covariance is checked against t^2 Cov(x1) + (1 - t)^2 I. Both models are measured on
// the same prior points (the flow's path starts at them, nf_path_from) at the same
// fractions of the way: share in a ring band and distance to held-out data.
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

// The answer, from the rows: verdicts on the course of both clouds.
std::string answer(Context& ctx, const Rows& r) {
    const std::size_t P = r.t.size();
    const auto& tr = r.trace;
    const std::size_t dip = std::size_t(std::min_element(tr.begin(), tr.end()) - tr.begin());
    const bool contracts = ctx.verdict(
        "cloud_contracts_first",
        "the total variance's smallest value, at a panel strictly between the first and the last, is below both "
        "ends' by more than 0.02",
        {{"first", tr.front()}, {"smallest", tr[dip]}, {"last", tr.back()}},
        dip > 0 && dip + 1 < P && tr[dip] < tr.front() - 0.02 && tr[dip] < tr.back() - 0.02);
    std::size_t from = P;  // the first panel from which on most points lie in a band
    for (std::size_t i = P; i-- > 0 && r.band_fm[i] > 0.5;) from = i;
    const bool late = ctx.verdict("rings_emerge_late",
                                  "more than half of the points lie in a ring band only from a panel at t >= 0.8 on",
                                  {{"bands", r.band_fm}, {"from_t", from < P ? r.t[from] : 2.0}},
                                  from < P && r.t[from] >= 0.8);
    const bool law = ctx.verdict("fm_follows_law", "every panel's covariance is within 4 standard errors of the law's",
                                 {{"max_standard_errors", r.worst_z}}, r.worst_z < 4);
    double inner = 0;
    for (std::size_t i = 1; i + 1 < P; ++i) inner = std::max(inner, r.sw_nf[i]);
    const bool nf_away = ctx.verdict(
        "nf_layers_leave_path", "some intermediate layer's distance to the data is above both the prior's and the output's",
        {{"largest_inner", inner}, {"prior", r.sw_nf.front()}, {"output", r.sw_nf.back()}},
        inner > std::max(r.sw_nf.front(), r.sw_nf.back()));
    double fm_inner = 0;
    for (std::size_t i = 1; i + 1 < P; ++i) fm_inner = std::max(fm_inner, r.sw_fm[i]);
    const bool nf_farther = ctx.verdict(
        "nf_layers_farther", "the flow's farthest intermediate layer is farther from the data than flow matching's "
                             "farthest intermediate time",
        {{"nf", inner}, {"fm", fm_inner}}, inner > fm_inner);
    const std::string both = fmt::format("; flow matching's cloud also moves away first, but {}, up to {} against {}",
                                         nf_farther ? "less far" : "as far or farther", tex_fixed(fm_inner, 2),
                                         tex_fixed(inner, 2));
    return fmt::format(
        R"(Flow matching changes the cloud gradually: at time $t$ it is the data shrunk by $t$ and blurred
by a Gaussian of width $1-t$, so it {contracts} and the rings {late}. The
normalizing flow's layers {nf_way} (Figure~\ref{{fig:nf-q3-layers}},
Table~\ref{{tab:fm-q2-progression}}). Each panel of Figure~\ref{{fig:fm-q2-progression}} {law} the
covariance of $y_t$, $t^2 \mathrm{{Cov}}(x_1) + (1-t)^2 I$.

Flow matching fits its field at every $t$ to the velocity of $y_t$ (Eq.~14--16), which pins the
cloud to the law of $y_t$; the flow is trained only through its output's likelihood (Eq.~9).

)",
        fmt::arg("contracts", contracts ? fmt::format("first contracts (total variance {} at $t = {}$)",
                                                      tex_fixed(tr[dip], 2), time_label(r.t[dip]))
                                        : std::string("does not clearly contract first")),
        fmt::arg("late", late ? fmt::format("sharpen only late, more than half the points lying in a band from $t = {}$ on "
                                            "({} at $t = {}$)",
                                            time_label(r.t[from]), report::tex_percent(r.band_fm[from], 0),
                                            time_label(r.t[from]))
                              : std::string("do not appear only at the end")),
        fmt::arg("nf_way", nf_away ? "pass through distributions farther from the data than the prior" + both
                                   : std::string("lie between the prior and the data, but follow no prescribed law")),
        fmt::arg("law", law ? std::string("matches")
                             : fmt::format("only roughly ({} standard errors at worst) matches", tex_fixed(r.worst_z, 1))));
}

}  // namespace

void fm_q2_progression(Context& ctx) {
    nf::Model& nfm = nf_comparison_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t n = 1000;
    const nn::Mat<float> z = prior_sample(ctx, n, "samples");
    // The exercise's six times, and t = 0.9, where the rings sharpen.
    const Snapshots at = snapshots(m, z, how, {0, 0.2, 0.4, 0.6, 0.8, 0.9, 1});
    Rng held_rng = ctx.rng("held-out");
    const auto held = data::unconditional_rings(5000, held_rng);
    const auto data_fm = data::in_frame(held, m.scale), data_nf = data::in_frame(held, nfm.scale);
    const report::CloudStats data_cov = report::cloud_stats(data_fm);
    ctx.stats["law"]["data_cov"] = data_cov.to_json()["cov"];
    // The flow at the same fractions of its layers, from the same points.
    const std::vector<nn::Mat<float>> path = nf_path_from(nfm, z);
    const std::size_t L = nfm.flow.layers();
    std::vector<const nn::Mat<float>*> clouds;
    for (const auto& a : at.y) clouds.push_back(&a);
    // One window for all, holding every point with room for its mark.
    double need = 0;
    for (const auto* c : clouds)
        for (float v : *c) need = std::max(need, double(std::fabs(v)));
    const report::Window win = report::window_for(clouds, std::max(2.6, std::ceil((need + 0.1) * 2) / 2), 4.5);

    Rows r;
    std::vector<std::string> names, titles;
    std::vector<nn::Mat<float>> clouds_shown;
    for (std::size_t i = 0; i < at.t.size(); ++i) {
        const double t = at.t[i];
        const std::string name = fmt::format("t{:03d}", int(std::lround(100 * t)));
        titles.push_back("$t = " + time_label(t) + "$" +
                         (win.outside[i] > 0 ? fmt::format(" ({} outside)", win.outside[i]) : std::string()));
        names.push_back(name);
        clouds_shown.push_back(at.y[i]);
        auto j = cloud_json(at.y[i], m.scale, data_fm);
        j["t"] = t;
        j["outside_window"] = win.outside[i];
        compare_with_law(j, data_cov, t, n, r);
        const std::size_t layer = std::size_t(std::lround(t * double(L)));
        auto jn = cloud_json(path[layer], nfm.scale, data_nf);
        jn["layer"] = layer;
        r.t.push_back(t);
        r.band_fm.push_back(j["share_in_band"].get<double>());
        r.band_nf.push_back(jn["share_in_band"].get<double>());
        r.sw_fm.push_back(j["sliced_w2_to_data"].get<double>());
        r.sw_nf.push_back(jn["sliced_w2_to_data"].get<double>());
        ctx.stats["figures"][name] = j;
        ctx.stats["nf_layers"][name] = jn;
    }
    ctx.stats["law"]["max_standard_errors"] = r.worst_z;
    // Same points at t = 0; the distances can still differ, by the two standardisations.
    const bool same_start = ctx.verdict("same_start", "both models' t = 0 distances to the data agree to 0.005",
                                        {{"fm", r.sw_fm.front()}, {"nf", r.sw_nf.front()}},
                                        std::fabs(r.sw_fm.front() - r.sw_nf.front()) < 0.005);
    report::Files files;
    ctx.figure("progression", cloud_panels_tikz(clouds_shown, names, titles, win.extent, 4, 3.4, files), files);  // 4 + 3
    ctx.text = ctx.section() + answer(ctx, r) + table_tex(r, L, same_start) + "\n\n" +
               ctx.figure_float_of("progression", fmt::format("Flow matching: {} samples at {} times.", n,
                                                              report::count_words(at.t.size())));
}

FLOWREPORT_CHAPTER("rings", "fm-q2-progression", fm_flags, fm_q2_progression)

}  // namespace flow::chapters
