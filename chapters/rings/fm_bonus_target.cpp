// fm-bonus-target: Flow matching, the optional bonus.
//
// "Make one of your flow matching models output the point (4, 5), which is far away
//  from the rings, as its sampled output. How did you do it? Describe your attempts
//  including unsuccessful ones. Trivial solutions will receive less points than more
//  clever ones. Plot the trajectory of the sampled point over time."
//
// The first attempt inverts the unconditional flow from (4, 5): exact, but from a prior
// point no sampler would draw. The others start from an ordinary prior draw: steering
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
void draw(Context& ctx, const InvertedTarget& inv, const Steering& st, const SixthClass& tuned,
          const data::Standardiser& cfm_scale) {
    // (a) the inversion, on a window that holds its whole path.
    double hi = 0;
    for (const auto& y : inv.path.states) hi = std::max({hi, std::fabs(double(y(0, 0))), std::fabs(double(y(0, 1)))});
    const nn::Mat<float> cloud = xt::view(inv.samples, xt::range(0, 2000), xt::all());
    ctx.figure("inversion",
               report::trajectories_tikz(fmt::format("fr cloud, width=5.3cm, colorbar=false, xlabel={{$x_1$}}, "
                                                     "ylabel={{$x_2$}}, xmin=-4, xmax={0:.0f}, ymin=-4, ymax={0:.0f}, "
                                                     "title={{(a) inverting from ${1}$}}",
                                                     std::ceil(hi / 10) * 10, kTargetText),
                                         "inversion.dat", 1, inv.path.states.size(), kCloud + kCross),
               {{"inversion.dat", report::trajectories_dat(inv.path.states, inv.path.times)},
                {"cloud.dat", report::points_dat(cloud)}});
    // (b) the distance to (4, 5) over time, from y0, for the field alone and four methods.
    const std::vector<std::string> cols = {"own", "tau0", "tau09", "pull4", "pull64"};
    const std::vector<std::string> styles = {"black, thick", "blue!70!black", "blue!70!black, densely dashed",
                                             "orange!90!black", "orange!90!black, densely dashed"};
    const std::vector<std::string> names = {"field alone", "switch, $\\tau = 0$", "switch, $\\tau = 0.9$",
                                            "pull, $w = t^4$", "pull, $w = t^{64}$"};
    std::vector<std::vector<double>> dist(cols.size() + 1);
    dist[0] = st.paths[0].times;
    std::string plots;
    for (std::size_t p = 0; p < cols.size(); ++p) {
        for (const auto& y : st.paths[p].states)
            dist[p + 1].push_back(std::hypot(y(0, 0) - kTarget[0], y(0, 1) - kTarget[1]));
        plots += fmt::format("\\addplot[{}] table[x=t, y={}] {{distance.dat}};\n\\addlegendentry{{{}}}\n", styles[p],
                             cols[p], names[p]);
    }
    std::vector<std::string> header = {"t"};
    header.insert(header.end(), cols.begin(), cols.end());
    ctx.figure("steered",
               std::string("\\begin{tikzpicture}\n\\begin{axis}[fr line chart, width=5.2cm, height=5cm, xmin=0, "
                           "xmax=1, ymin=0, ") +
               "xlabel={$t$}, ylabel={distance to $" + kTargetText + "$}, title={(b) steered, from $y_0$}, "
               "tick label style={font=\\scriptsize}, legend style={font=\\scriptsize, at={(0.03,0.03)}, "
               "anchor=south west, fill=white, fill opacity=0.85, text opacity=1}]\n" +
                   plots + "\\end{axis}\n\\end{tikzpicture}\n",
               {{"distance.dat", report::dat_table(header, dist)}});
    // (c) the fine-tuned sixth class, from y0, over the conditional model's data.
    Rng bg_rng = ctx.rng("background");
    const auto cbg = data::in_frame(data::conditional_rings(2000, bg_rng), cfm_scale);
    ctx.figure("new-class",
               report::trajectories_tikz("fr cloud, width=5.2cm, xlabel={$x_1$}, xmin=-2.5, xmax=5.5, ymin=-2.5, "
                                         "ymax=5.5, title={(c) a sixth class, from $y_0$}",
                                         "new-class.dat", 1, tuned.path.states.size(), kCloud + kCross),
               {{"new-class.dat", report::trajectories_dat(tuned.path.states, tuned.path.times)},
                {"cloud.dat", report::points_dat(cbg)}});
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

// The table of the methods that start from ordinary draws.
std::string methods_table(const Steering& st, const SixthClass& emb, const SixthClass& ft, std::size_t n) {
    std::string rows;
    for (const auto& r : st.rows)
        rows += fmt::format("    {} & {} & {} & {} & {} & {}\\\\\n",
                            r.method == "switch" ? fmt::format("switch at $\\tau = {:g}$", r.param)
                                                 : fmt::format("pull $w = t^{{{:g}}}$", r.param),
                            tex_fixed(r.handover(), 3), tex_num(r.miss.mean, 2), tex_num(r.miss.max, 2),
                            tex_fixed(r.energy, 0), tex_fixed(r.speed, 0));
    auto fit_row = [](const std::string& name, const SixthClass& f, const std::string& when) {
        return fmt::format("    sixth class: {} & & {} & {} & \\multicolumn{{2}}{{c}}{{fitted in {}\\,s{}}}\\\\\n",
                           name, tex_num(f.miss.mean, 2), tex_num(f.miss.max, 2),
                           tex_fixed(f.model.train_seconds, 1), when);
    };
    return "\\begin{table}[htbp]\n  \\centering\\small\\setlength{\\tabcolsep}{4pt}\n"
           "  \\begin{tabular}{lccccc}\n"
           "    method & hands over at & mean distance & largest & force $\\int|u - v|^2 dt$ & peak speed"
           "\\\\\\hline\n" +
           rows + "    \\hline\n" + fit_row("embedding only", emb, "") + fit_row("then fine-tuned", ft, " more") +
           "  \\end{tabular}\n" +
           fmt::format("  \\caption{{The methods that start from ordinary prior draws, over {} of them: distance of\n"
                       "  the sample to ${}$, force spent against the learned field, and peak speed.}}\n",
                       n, kTargetText) +
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

    draw(ctx, inv, st, fits.back(), cm.scale);
    record(ctx, s, inv, st, fits, own_before);
    ctx.text = answer(ctx, s, inv, st, fits.front(), fits.back(), own_before);
}

FLOWREPORT_CHAPTER("rings", "fm-bonus-target", fm_flags, fm_bonus_target)

}  // namespace flow::chapters
