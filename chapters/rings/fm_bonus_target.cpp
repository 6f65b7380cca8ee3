// fm-bonus-target: Flow matching, the optional bonus.
//
// "Make one of your flow matching models output the point (4, 5), which is far away
//  from the rings, as its sampled output. How did you do it? Describe your attempts
//  including unsuccessful ones. Trivial solutions will receive less points than more
//  clever ones. Plot the trajectory of the sampled point over time."
//
// The first attempt inverts the unconditional flow from (4, 5) (RK4 steps, back within
// their error), but from a prior point no sampler would draw. The others start from an ordinary prior draw: steering
// the sampler with Eq. 15's conditional field toward (4, 5) (switched on at tau, or as a
// pull that grows with t), and a sixth class of the conditional model, fitted through
// its embedding alone or then fine-tuned (two models of the manifest, fitted on the
// conditional one). Every attempt is measured: where it lands, the prior log-density of
// its start, the force it applies against the learned field, and what it costs.
#include <xtensor/xview.hpp>

#include "fm_bonus.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using namespace bonus;

// --- the figures ---------------------------------------------------------------------------
void draw(Context& ctx, const InvertedTarget& inv, const SixthClass& tuned,
          const data::Standardiser& fm_scale, const data::Standardiser& cfm_scale) {
    // (a) the inversion, on a window that holds its whole path.
    double hi = 0;
    for (const auto& y : inv.path.states) hi = std::max({hi, std::fabs(double(y(0, 0))), std::fabs(double(y(0, 1)))});
    report::Files files;
    const double top = std::ceil(hi / 10) * 10;
    report::RasterLayer a = report::RasterLayer::equal_units({-4, top, -4, top}, 85.1);
    draw_ring_bands(a, fm_scale);
    ctx.figure("inversion",
               report::trajectories_tikz("fr cloud, colorbar=false, xlabel={$x_1$}, ylabel={$x_2$}, title={(a)}",
                                         std::move(a), inv.path.states, inv.path.times, 1, "inversion.png", files, kCross),
               files);
    // (b) the fine-tuned sixth class, from an ordinary draw, over the conditional model's rings.
    files.clear();
    report::RasterLayer b = report::RasterLayer::equal_units({-2.5, 5.5, -2.5, 5.5}, 82.6);
    draw_ring_bands(b, cfm_scale);
    ctx.figure("new-class",
               report::trajectories_tikz("fr cloud, colorbar style={title={time $t$}}, xlabel={$x_1$}, ylabel={$x_2$}, "
                                         "title={(b)}",
                                         std::move(b), tuned.path.states, tuned.path.times, 1, "new-class.png", files,
                                         kCross),
               files);
}

// --- the numbers behind it -----------------------------------------------------------------
void record(Context& ctx, const Setup& s, const InvertedTarget& inv, const Steering& st,
            const std::vector<SixthClass>& fits, double own_before) {
    nlohmann::json steering = nlohmann::json::array(), fitted = nlohmann::json::array();
    for (const auto& r : st.rows)
        steering.push_back({{"method", r.method}, {"param", r.param}, {"mean_distance", r.miss.mean},
                            {"max_distance", r.miss.max}, {"override_energy", r.energy},
                            {"peak_speed", r.speed}, {"seconds", r.seconds}});
    for (const auto& f : fits)
        fitted.push_back({{"method", f.method}, {"mean_distance", f.miss.mean}, {"max_distance", f.miss.max},
                          {"final_loss", f.final_loss}, {"fit_seconds", f.model.train_seconds},
                          {"steps", f.model.config.fit.steps}, {"old_share_own_ring", f.own_ring}});
    const auto& y = inv.y0;
    ctx.stats["attempts"] = {
        {"closest_of_samples", {{"samples", inv.samples.shape(0)}, {"dt", 0.01}, {"distance", inv.closest}}},
        {"euler_inverse_euler_sample", {{"dt", s.euler.dt}, {"distance", inv.miss_euler}}},
        {"rk4_inverse_rk4_sample", {{"dt", s.euler.dt}, {"distance", inv.miss_rk4}, {"seconds", inv.seconds}}}};
    ctx.stats["result"] = {{"target", kTarget}, {"y0", {y(0, 0), y(0, 1)}}, {"distance", inv.miss_rk4},
                           {"y0_norm", inv.norm}, {"log_prior", log_standard_normal(y(0, 0), y(0, 1))},
                           {"log10_tail_probability", inv.log10_tail}};
    ctx.stats["ordinary_start"] = {
        {"y0", {s.y0(0, 0), s.y0(0, 1)}}, {"norm", std::hypot(double(s.y0(0, 0)), double(s.y0(0, 1)))},
        {"log_prior", log_standard_normal(s.y0(0, 0), s.y0(0, 1))}, {"starts", s.starts.shape(0)},
        {"field_alone_peak_speed", st.own_speed}, {"field_alone_end", {st.own_end(0, 0), st.own_end(0, 1)}}};
    ctx.stats["steering"] = steering;
    ctx.stats["new_class"] = {{"old_share_own_ring_before", own_before}, {"fits", fitted}};
}

}  // namespace

namespace bonus {

using report::tex_fixed;
using report::tex_num;

// The table of the attempts: the inversion (one point), the steering the figure draws, the
// two fits of a sixth class (over the ordinary draws).
std::string methods_table(const InvertedTarget& inv, const Steering& st, const SixthClass& emb, const SixthClass& ft,
                          std::size_t n) {
    auto row = [](const std::string& name, double mean) { return fmt::format("    {} & {}\\\\\n", name, tex_num(mean, 2)); };
    std::string rows = row("(1) inverting the flow", inv.miss_rk4);
    for (const auto& r : st.rows)
        if ((r.method == "switch" && (r.param == 0.0 || r.param == 0.9)) ||
            (r.method == "pull" && (r.param == 4.0 || r.param == 64.0)))
            rows += row(r.method == "switch" ? fmt::format("(2) switch at $\\tau = {:g}$", r.param)
                                             : fmt::format("(2) pull $w = t^{{{:g}}}$", r.param),
                        r.miss.mean);
    rows += row("(3) sixth class, embedding only", emb.miss.mean);
    rows += row("(3) sixth class, fine-tuned", ft.miss.mean);
    return "\\begin{table}[htbp]\n  \\centering\\small\n  \\begin{tabular}{lc}\n"
           "    attempt & mean distance\\\\\\hline\n" +
           rows + "  \\end{tabular}\n" +
           fmt::format("  \\caption{{Distance to ${}$; (2) and (3): mean over {} ordinary prior draws.}}\n",
                       kTargetText, n) +
           "  \\label{tab:fm-bonus-target}\n\\end{table}\n";
}

}  // namespace bonus

void fm_bonus_target(Context& ctx) {
    fm::Model& m = fm_model(ctx);
    fm::Model& cm = cfm_comparison_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const Setup s{{how.dt, fm::Solver::Euler}, fm::step_count(0, 1, how.dt), prior_sample(ctx, 1, "start"),
                  prior_sample(ctx, 200, "starts")};

    const InvertedTarget inv = invert(ctx, m, s);
    const Steering st = steer(m, s);
    const double own_before = own_ring_share(ctx, cm.field, cm.scale, s);
    const std::vector<SixthClass> fits = {sixth_class(ctx, "cfm-sixth-embedding", "embedding", s),
                                          sixth_class(ctx, "cfm-sixth", "fine-tune", s)};

    draw(ctx, inv, fits.back(), m.scale, cm.scale);
    record(ctx, s, inv, st, fits, own_before);
    ctx.text = answer(ctx, s, inv, st, fits.front(), fits.back(), own_before, m.scale);
}

FLOWREPORT_CHAPTER("rings", "fm-bonus-target", fm_flags, fm_bonus_target)

}  // namespace flow::chapters
