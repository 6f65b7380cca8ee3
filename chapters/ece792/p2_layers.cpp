// p2-layers: Problem 2, question 1, and the grid's table.
//
// "How does the match between the samples and the data change with the number of coupling
// layers?"
//
// Measured three ways for every model: the held-out NLL and its excess over the true
// density's (an estimate of KL(data || model), with its standard error), and the sliced
// Wasserstein distance of 1000 samples to the held-out points. One coupling has a limit
// that can be computed: it passes its kept coordinate through unchanged, so that
// coordinate's marginal is exactly N(0, 1) and its excess is at least KL(p(x_1) || N(0, 1)).
#include "common.hpp"
#include "core/normal.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

// KL(p(x_1) || N(0, 1)) in the fit's frame, by its mean over the held-out points.
Difference one_coupling_floor(const GridFit& f) {
    const data::Shape shape = f.set == "moons" ? data::Shape::Moons : data::Shape::Circles;
    std::vector<double> truth, gauss;
    for (std::size_t i = 0; i < f.pts.held.shape(0); ++i) {
        const double u = f.pts.held(i, 0);
        const double raw = u * f.fit.scale.std[0] + f.fit.scale.mean[0];
        truth.push_back(data::shape_log_marginal(shape, 0, raw) + std::log(f.fit.scale.std[0]));
        gauss.push_back(-0.5 * u * u - 0.5 * std::log(2 * M_PI));
    }
    return model::paired_difference(truth, gauss);
}

std::string table(const std::vector<GridFit>& g, const std::string& label) {
    std::string rows;
    std::string last_set;
    for (const auto& f : g) {
        if (!last_set.empty() && f.set != last_set) rows += "    \\midrule\n";
        const bool first = f.set != last_set;
        last_set = f.set;
        rows += fmt::format("    {} & {} & {} & {} & ${}$ & {} & {} ({}) & {} & {} \\\\\n", first ? f.set : "",
                            f.hidden, f.couplings, tex_fixed(f.m.nll, 3), pm(f.excess), tex_fixed(f.m.mass, 3),
                            tex_fixed(f.m.sliced_w2, 3), tex_fixed(f.m.data_w2, 3),
                            report::tex_count((long long)f.fit.parameters), tex_fixed(f.fit.train_seconds, 1));
    }
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lrrrrrrrr}}
    \toprule
    set & hidden & couplings & NLL & excess over truth & mass & sliced $W_2$ (data) & parameters & train (s) \\
    \midrule
{}    \bottomrule
  \end{{tabular}}
  \caption{{Every model of the grid on the {} held-out points. NLL: nats; excess: the model's NLL minus the true
  density's on the same points, with its standard error (an estimate of $\mathrm{{KL}}(p_{{\text{{data}}}}\,\|\,
  p_\theta)$); mass: the density summed over a grid of the data's box widened by half its size each side; sliced
  $W_2$: 1000 samples against the held-out points (in brackets: the training points against them, the distance of
  two samples of the data); training time on one core.}}
  \label{{tab:{}}}
\end{{table}}
)",
        rows, data::kShapeHeldRows, label);
}

// The steps to more couplings, set by set and width by width: the NLLs, the paired gains
// (recorded), and how many gains are clear of how many steps.
struct Steps {
    std::string answer;
    std::size_t clear_gains = 0, steps = 0;
};
Steps depth_steps(Context& ctx, const std::vector<GridFit>& g) {
    Steps r;
    auto& answer = r.answer;
    auto& clear_gains = r.clear_gains;
    auto& steps = r.steps;
    for (const auto& set : grid_sets())
        for (std::size_t h : grid_widths()) {
            std::string seq, diffs;
            for (std::size_t k = 0; k < grid_couplings().size(); ++k) {
                const GridFit& f = grid_fit(g, set, grid_couplings()[k], h);
                seq += (k ? ", " : "") + tex_fixed(f.m.nll, 3);
                if (k == 0) continue;
                const GridFit& prev = grid_fit(g, set, grid_couplings()[k - 1], h);
                const Difference d = nll_difference(prev.m.held_log_p, f.m.held_log_p);
                ++steps;
                clear_gains += d.clear() && d.mean > 0;
                diffs += fmt::format("{}from {} to {}: ${}$", k > 1 ? ", " : "", prev.couplings, f.couplings, pm(d));
                ctx.stats["steps"][grid_name(set, f.couplings, h)] = {{"gain", d.mean}, {"se", d.se}};
            }
            std::string title = set;
            title[0] = char(std::toupper(title[0]));
            answer += fmt::format("{} with {} units: NLL {} for {} couplings (gains {}). ", title, h, seq,
                                  couplings_list(), diffs);
        }
    return r;
}

// The one-coupling limit, per set: the KL of the kept coordinate's marginal from N(0, 1)
// (recorded) against the one-coupling models' excess over the truth.
std::string one_coupling_floors(Context& ctx, const std::vector<GridFit>& g, std::size_t shallow) {
    std::string floors;
    for (const auto& set : grid_sets()) {
        const Difference floor = one_coupling_floor(grid_fit(g, set, shallow, grid_widths().front()));
        ctx.stats["one_coupling_floor"][set] = {{"kl", floor.mean}, {"se", floor.se}};
        double best = INFINITY;
        for (std::size_t h : grid_widths()) best = std::min(best, grid_fit(g, set, shallow, h).excess.mean);
        floors += fmt::format("{} ${}$ nats, where its one-coupling models are at least {} above the truth{}", set,
                              pm(floor), tex_fixed(best, 3), set == grid_sets().front() ? "; on " : "");
    }
    return floors;
}

void p2_layers(Context& ctx) {
    const auto g = grid_fits(ctx);
    const std::size_t shallow = grid_couplings().front(), deep = grid_couplings().back();
    const Steps st = depth_steps(ctx, g);
    const std::string& answer = st.answer;
    const std::size_t clear_gains = st.clear_gains, steps = st.steps;
    const std::string floors = one_coupling_floors(ctx, g, shallow);
    double worst_c5 = 0, best_c1 = INFINITY;
    for (const auto& f : g) {
        if (f.couplings == deep) worst_c5 = std::max(worst_c5, f.m.sliced_w2 / f.m.data_w2);
        if (f.couplings == shallow) best_c1 = std::min(best_c1, f.m.sliced_w2 / f.m.data_w2);
    }
    ctx.stats["sliced_ratio"] = {{"worst_5", worst_c5}, {"best_1", best_c1}};
    ctx.stats["clear_gains"] = {{"steps", steps}, {"clear", clear_gains}};
    const bool samples_separate = ctx.verdict(
        "samples_separate_depths",
        "the largest sliced-W2 ratio (samples against held-out points, over the data's own) of the deepest models is "
        "below the smallest of the one-coupling models",
        {{"worst_deep", worst_c5}, {"best_shallow", best_c1}}, worst_c5 < best_c1);
    double worst_mass = 0;
    for (const auto& f : g) worst_mass = std::max(worst_mass, std::fabs(f.m.mass - 1));
    ctx.stats["worst_mass_error"] = worst_mass;

    ctx.text = ctx.section() + fmt::format(
        R"(Table~\ref{{tab:{id}}} measures every model. Every density integrates to 1 within {mass} over the data's box,
{compare}. The held-out NLL falls with the number of couplings in {gains} of the {steps} steps between
{depths} couplings by more than two standard errors of the paired per-point differences: {answer}

{samples_lead} {sample_story}

\emph{{Why one coupling is not enough.}} A single coupling passes its kept coordinate through unchanged, $x_1 = z_1$,
so the model's marginal of $x_1$ is exactly $N(0, 1)$, whatever its networks. Its excess over the truth can
therefore not fall below $\mathrm{{KL}}(p(x_1)\,\|\,N(0,1))$, which the known density gives: on {floors}. The
coupling can only shape $x_2$ given $x_1$ (Figure~\ref{{fig:p2-fits-transforms}}, first column: the samples fill a band
of Gaussian width along $x_1$). A second coupling moves the other coordinate, and each further one refines both.

{table})",
        fmt::arg("id", ctx.chapter().id), fmt::arg("mass", report::tex_num(std::max(worst_mass, 1e-6), 1)),
        fmt::arg("compare", ctx.verdict("masses_integrate_to_1", "every density integrates to 1 over the data's box "
                                                                 "within the tolerance",
                                        {{"worst_error", worst_mass}, {"tolerance", model::kMassTolerance}},
                                        worst_mass <= model::kMassTolerance)
                                ? "so the NLLs compare"
                                : "so the NLLs compare only roughly"),
        fmt::arg("gains", clear_gains), fmt::arg("depths", couplings_list()), fmt::arg("steps", steps), fmt::arg("answer", answer),
        fmt::arg("samples_lead", samples_separate ? "The samples tell the same story:" : "The samples tell it less clearly:"),
        fmt::arg("sample_story",
                 samples_separate
                     ? fmt::format("the sliced $W_2$ distance of every {}-coupling model's samples to the held-out "
                                   "points is at most {} times the data's own, and that of every {}-coupling model at "
                                   "least {} times.",
                                   deep, tex_fixed(worst_c5, 2), shallow, tex_fixed(best_c1, 2))
                     : fmt::format("the sliced $W_2$ distance does not separate the depths as cleanly: the worst "
                                   "{}-coupling model's samples are {} times the data's own distance, the best "
                                   "{}-coupling model's {} times.",
                                   deep, tex_fixed(worst_c5, 2), shallow, tex_fixed(best_c1, 2))),
        fmt::arg("floors", floors), fmt::arg("table", table(g, ctx.chapter().id)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-layers", nullptr, p2_layers)

}  // namespace flow::chapters::ece792
