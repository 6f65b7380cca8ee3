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
#include <chrono>
#include <cmath>

#include <xtensor/xview.hpp>

#include "fm/new_class.hpp"
#include "fm/steer.hpp"
#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;
using report::tex_num;
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The target, in each model's own standardised coordinates: where the exercise's data
// code puts it.
constexpr std::array<double, 2> kTarget = {4.0, 5.0};
// The target as the text writes it, "(4, 5)".
const std::string kTargetText = fmt::format("({:g}, {:g})", kTarget[0], kTarget[1]);
// A sample "lands on" the target within this distance.
constexpr double kClose = 0.01;
const std::string kCross = fmt::format(
    "\\addplot[only marks, mark=x, mark size=3pt, red!70!black, thick] coordinates {{({:g},{:g})}};\n", kTarget[0],
    kTarget[1]);
const std::string kCloud = "\\addplot[only marks, mark=*, mark size=0.3pt, black!20] table {cloud.dat};\n";

// Distances of each row of x from the target: their mean and largest.
struct Miss {
    double mean = 0, max = 0;
};
Miss misses(const nn::Mat<float>& x) {
    Miss m;
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const double d = std::hypot(x(i, 0) - kTarget[0], x(i, 1) - kTarget[1]);
        m.mean += d / double(x.shape(0));
        m.max = std::max(m.max, d);
    }
    return m;
}

// What the chapter measures every method on: one ordinary prior draw y0 (whose path the
// figures draw) and 200 more, and the integration the flags ask for.
struct Setup {
    fm::Integration euler;
    std::size_t steps;
    nn::Mat<float> y0, starts;
    Recorder recorder() const { return Recorder(steps, 200); }
};

// --- attempt 1: invert the flow from (4, 5) ------------------------------------------------
struct InvertedTarget {
    nn::Mat<float> samples;  // ordinary samples, for the closest one and the background
    double closest = 1e300, miss_euler = 0, miss_rk4 = 0, seconds = 0, norm = 0, log10_tail = 0;
    nn::Mat<float> y0;       // the inverted prior point
    Recorder path;
};

InvertedTarget invert(Context& ctx, fm::Model& m, const Setup& s) {
    InvertedTarget r{{}, 1e300, 0, 0, 0, 0, 0, {}, s.recorder()};
    const std::size_t many = 20000;
    r.samples = fm::forward_flow(m.field, prior_sample(ctx, many, "search"), {0.01, fm::Solver::Euler});
    for (std::size_t i = 0; i < many; ++i)
        r.closest = std::min(r.closest, std::hypot(r.samples(i, 0) - kTarget[0], r.samples(i, 1) - kTarget[1]));
    const nn::Mat<float> target = {{float(kTarget[0]), float(kTarget[1])}};
    const fm::Integration rk4{s.euler.dt, fm::Solver::RK4};
    r.miss_euler = misses(fm::forward_flow(m.field, fm::reverse_flow(m.field, target, s.euler), s.euler)).max;
    const auto t0 = Clock::now();
    r.y0 = fm::reverse_flow(m.field, target, rk4);
    r.miss_rk4 = misses(fm::forward_flow(m.field, r.y0, rk4, nullptr, r.path.observer())).max;
    r.seconds = since(t0);
    r.norm = std::hypot(double(r.y0(0, 0)), double(r.y0(0, 1)));
    r.log10_tail = -0.5 * r.norm * r.norm / std::log(10.0);  // P(|z| >= r) = exp(-r^2/2)
    return r;
}

// --- steering: switch to Eq. 15's field at tau, or pull with weight t^k ----------------------
struct Steered {
    std::string method;  // "switch" or "pull"
    double param;        // tau or k
    Miss miss;
    double energy, speed, seconds;
    // When the method hands the path over: tau, or the t at which w = t^k reaches 1/2.
    double handover() const { return method == "switch" ? param : std::pow(0.5, 1.0 / param); }
};

struct Steering {
    std::vector<Steered> rows;
    std::vector<Recorder> paths;  // from y0: the field alone, tau = 0, tau = 0.9, t^4, t^64
    double own_speed = 0;         // the field alone's mean peak speed
    nn::Mat<float> own_end;       // where the field alone takes y0
};

Steering steer(fm::Model& m, const Setup& s) {
    Steering r;
    r.paths.assign(5, s.recorder());
    r.own_end = fm::forward_flow(m.field, s.y0, s.euler, nullptr, r.paths[0].observer());
    auto run = [&](const std::string& method, double param, std::function<double(double)> w, Recorder* rec) {
        const fm::Steering how{kTarget, std::move(w)};
        const auto t0 = Clock::now();
        const fm::SteeredRun out = fm::steered_flow(m.field, s.starts, s.euler.dt, how);
        const double secs = since(t0);
        r.rows.push_back({method, param, misses(out.end), report::mean(out.override_energy),
                          report::mean(out.peak_speed), secs});
        if (rec) fm::steered_flow(m.field, s.y0, s.euler.dt, how, nullptr, rec->observer());
    };
    for (double tau : {0.0, 0.5, 0.8, 0.9, 0.95, 0.99})
        run("switch", tau, [tau](double t) { return t >= tau ? 1.0 : 0.0; },
            tau == 0.0 ? &r.paths[1] : tau == 0.9 ? &r.paths[2] : nullptr);
    for (double k : {1.0, 4.0, 16.0, 64.0, 256.0})
        run("pull", k, [k](double t) { return std::pow(t, k); },
            k == 4.0 ? &r.paths[3] : k == 64.0 ? &r.paths[4] : nullptr);
    const fm::SteeredRun alone = fm::steered_flow(m.field, s.starts, s.euler.dt, {kTarget, [](double) { return 0.0; }});
    r.own_speed = report::mean(alone.peak_speed);
    return r;
}

// --- a sixth class of the conditional model (fitted by make: two models) -------------------
struct SixthClass {
    std::string method;
    fm::NewClassModel model;
    Miss miss;
    double final_loss, own_ring;
    Recorder path;
};

// The old classes' share of samples in their own ring (as cfm-q3 measures it).
double own_ring_share(Context& ctx, fm::VectorField<float>& f, const data::Standardiser& scale, const Setup& s) {
    const nn::Mat<float> z = prior_sample(ctx, 3000, "old-classes");
    const fm::Labels labels = cycling_labels(3000);
    const nn::Mat<float> x = fm::forward_flow(f, z, s.euler, &labels);
    double share = 0;
    for (int k = 0; k < data::kClasses; ++k) {
        std::vector<std::size_t> idx;
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels(i) == k) idx.push_back(i);
        share += share_on_ring(x, scale, k, idx) * double(idx.size()) / double(labels.size());
    }
    return share;
}

SixthClass sixth_class(Context& ctx, const std::string& model, const std::string& method, const Setup& s) {
    SixthClass r{method, ctx.load_as<fm::NewClassModel>(model), {}, 0, 0, s.recorder()};
    auto& f = r.model.field;
    const int label = int(f.shape.classes) - 1;
    fm::Labels many = fm::Labels::from_shape({s.starts.shape(0)});
    many.fill(label);
    const fm::Labels one = {label};
    r.miss = misses(fm::forward_flow(f, s.starts, s.euler, &many));
    const std::size_t last = std::min<std::size_t>(100, r.model.loss.size());
    r.final_loss = report::mean(std::vector<double>(r.model.loss.end() - long(last), r.model.loss.end()));
    r.own_ring = own_ring_share(ctx, f, r.model.scale, s);
    fm::forward_flow(f, s.y0, s.euler, &one, r.path.observer());
    return r;
}

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
(Figure~\ref{{fig:fm-bonus-target}}c), and the old classes keep {own_after} of their samples in
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
        fmt::arg("own_before", report::tex_percent(own_before)),
        fmt::arg("ft_verdict", ctx.verdict("fine_tuned_lands", "the fine-tuned class's mean distance to the target "
                                                               "is within the closeness tolerance",
                                           {{"mean", ft.miss.mean}, {"tolerance", kClose}}, within(ft.miss.mean))
                                   ? fmt::format("to within {:g} on average", kClose)
                                   : fmt::format("to {} on average", tex_num(ft.miss.mean, 2))));
}

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

std::string answer(Context& ctx, const Setup& s, const InvertedTarget& inv, const Steering& st,
                   const SixthClass& emb, const SixthClass& ft, double own_before) {
    const auto& y = inv.y0;
    const std::string intro = fmt::format(
        R"(The target ${a}$ is taken in the coordinates the models are trained in, since the
exercise's data code returns standardised points; there it lies far outside the rings.
Chance does not reach it: of {many} ordinary samples the closest lands {best} away.

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
        fmt::arg("best", tex_fixed(inv.closest, 2)), fmt::arg("m_euler", tex_num(inv.miss_euler, 2)),
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

}  // namespace

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
