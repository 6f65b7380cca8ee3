// p2-width: Problem 2, question 3, and the settings behind every fit.
//
// "What does the hidden size change?"
//
// The same cells with 512 and 1024 hidden units, seed by seed; what the width costs; the
// learning rate each width needs (chosen on validation rows from the manifest's sweep);
// and what our bound on the log-scale, |s| < 2, costs against a looser one.
#include <fmt/format.h>

#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

// Per width: the first seed's best validation NLL at each swept rate, averaged over the
// width's cells (recorded), as "rate: NLL" with the manifest's rate in bold; and whether
// the manifest's rate is within the fits' spread of the lowest mean: the standard
// deviation over seeds of a cell's best validation NLL, averaged over the width's cells.
struct Sweep {
    std::string text;
    bool ok = false;
    double spread = 0, gap = 0;
};
Sweep rate_sweep(Context& ctx, const std::vector<Cell>& g, std::size_t h) {
    std::map<double, std::vector<double>> by_rate;
    double chosen = 0, spread = 0, cells = 0;
    for (const auto& c : g) {
        if (c.hidden != h) continue;
        const Fit& first = c.fits.front().fit;
        chosen = first.lr;
        std::vector<double> bests;
        for (const auto& f : c.fits) bests.push_back(*std::min_element(f.fit.val_loss.begin(), f.fit.val_loss.end()));
        spread += model::spread(bests).sd;
        ++cells;
        by_rate[first.lr].push_back(*std::min_element(first.val_loss.begin(), first.val_loss.end()));
        for (const auto* s : ctx.manifest().sweep(c.name)) {
            const auto& v = ctx.load(s->name).record().val_loss;
            by_rate[std::stod(s->sweep_lr)].push_back(*std::min_element(v.begin(), v.end()));
        }
    }
    std::string text;
    double best_rate = 0, best = INFINITY;
    for (const auto& [rate, v] : by_rate) {
        const double m = model::spread(v).mean;
        ctx.stats["rate_sweep"][std::to_string(h)][fmt::format("{:g}", rate)] = m;
        if (m < best) best = m, best_rate = rate;
        const std::string r = fmt::format("{:g}", rate);
        text += fmt::format("{}{}: {}", text.empty() ? "" : ", ", rate == chosen ? "\\textbf{" + r + "}" : r,
                            tex_fixed(m, 3));
    }
    spread /= cells;
    const double gap = model::spread(by_rate.at(chosen)).mean - best;
    const bool ok = ctx.verdict("rate_" + std::to_string(h),
                                "the manifest's rate's mean best validation NLL is within twice the fits' spread across "
                                "seeds of the lowest",
                                {{"chosen", chosen}, {"best", best_rate}, {"gap", gap}, {"spread", spread}},
                                gap <= 2 * spread);
    return {text, ok, spread, gap};
}

// Doubling the width, cell by cell and seed by seed (recorded): in how many cells the
// wider fits are lower in every seed, higher in every seed, and the mean ratio of time per step.
struct Width {
    std::size_t lower = 0, higher = 0, cells = 0;
    double time_ratio = 0;
    std::string worse;  // the settings where the wider fits are all above: "circles with 3 couplings"
};
Width width_effects(Context& ctx, const std::vector<Cell>& g, std::size_t narrow, std::size_t wide) {
    Width w;
    const auto per_step = [](const Cell& x) {
        double s = 0;
        for (const auto& f : x.fits) s += f.fit.train_seconds / double(f.steps) / double(x.fits.size());
        return s;
    };
    for (const auto& set : grid_sets())
        for (std::size_t c : grid_couplings()) {
            const Cell& a = cell_of(g, set, c, narrow);
            const Cell& b = cell_of(g, set, c, wide);
            const Compared p = compare_excess(b, a);
            ++w.cells;
            w.lower += p.order == "a below";
            w.higher += p.order == "b below";
            if (p.order == "b below")
                w.worse += fmt::format("{}{} with {} coupling{}", w.worse.empty() ? "" : ", ", set, c, c == 1 ? "" : "s");
            ctx.stats["wide_minus_narrow"][set + "-c" + std::to_string(c)] = {
                {"mean", p.diff.mean}, {"sd", p.diff.sd}, {"order", p.order}};
            w.time_ratio += per_step(b) / per_step(a);
        }
    w.time_ratio /= double(w.cells);
    ctx.stats["width"] = {{"lower", w.lower}, {"higher", w.higher}, {"cells", w.cells}, {"time_per_step_ratio", w.time_ratio}};
    return w;
}

// Our bound |s| < 2 against |s| < 6 (the manifest's <set>-c5-h512-bound6), seed by seed.
std::pair<std::string, bool> bound_cost(Context& ctx, const std::vector<Cell>& g, std::size_t narrow) {
    std::string bounds;
    std::size_t looser_better = 0;
    for (const auto& set : grid_sets()) {
        const Cell& tight = cell_of(g, set, 5, narrow);
        const Cell loose = load_cell(ctx, set + "-c5-h512-bound6", set, 5, narrow);
        looser_better += compare_excess(loose, tight).order == "a below";
        bounds += fmt::format("{}${}$ against ${}$ on the {}", bounds.empty() ? "" : ", ", pm(tight.excess),
                              pm(loose.excess), set);
    }
    return {bounds, ctx.verdict("bound_costs", "on some set every fit with the looser bound is below every fit with ours",
                                {{"sets", looser_better}}, looser_better > 0)};
}

void p2_width(Context& ctx) {
    const auto g = grid_cells(ctx);
    const std::size_t narrow = grid_widths().front(), wide = grid_widths().back();
    const Width w = width_effects(ctx, g, narrow, wide);
    const std::size_t lower = w.lower, higher = w.higher, cells = w.cells;
    const double time_ratio = w.time_ratio;
    const bool better = ctx.verdict("wider_better",
                                    "all the wider fits are below all the narrower in more than half the settings",
                                    {{"lower", lower}, {"higher", higher}, {"cells", cells}}, 2 * lower > cells);
    const Sweep sn = rate_sweep(ctx, g, narrow), sw = rate_sweep(ctx, g, wide);
    const auto [bounds, bound_costs] = bound_cost(ctx, g, narrow);
    const double param_ratio = double(cell_of(g, "moons", 5, wide).fits.front().fit.parameters) /
                               double(cell_of(g, "moons", 5, narrow).fits.front().fit.parameters);
    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{{answer}}} With {w} units instead of {n}, all three fits are closer to the truth than all three
narrower ones in {lower} of the {cells} settings and further in {higher}{worse_list} (Table~\ref{{tab:p2-layers}}), each
width at its own chosen rate, for {pr} times the parameters and {tr} times the time per step.{why}

\emph{{Learning rates}} per width, by the mean best validation NLL of six first fits (chosen in bold): {n} units {rn}; {w} units {rw}.{edge}

\emph{{Our bound $\lvert s\rvert < 2$}} against $\lvert s\rvert < 6$ (5 couplings, {n} units): excess {bounds};
{bound_answer}
)",
        fmt::arg("answer", better ? "A wider network matches better." : "We found no gain from the wider network."),
        fmt::arg("worse_list", w.worse.empty() ? std::string() : ", " + w.worse),
        fmt::arg("why", better ? "" : " Depth limits the fit, not width (Section~\\ref{sec:p2-layers})."),
        fmt::arg("n", narrow), fmt::arg("w", wide), fmt::arg("lower", lower), fmt::arg("higher", higher),
        fmt::arg("cells", cells), fmt::arg("pr", tex_fixed(param_ratio, 2)), fmt::arg("tr", tex_fixed(time_ratio, 2)),
        fmt::arg("rn", sn.text), fmt::arg("rw", sw.text),
        fmt::arg("edge", !(sn.ok && sw.ok) ? std::string(" The sweep does not confirm every chosen rate.")
                         : sn.gap == 0 && sw.gap == 0
                             ? std::string(" Each chosen rate is the best of its three.")
                             : fmt::format(" Each chosen rate is within {} nats of the best, under twice the fits' "
                                           "spread across seeds ({}).",
                                           tex_fixed(std::max(sn.gap, sw.gap), 3),
                                           tex_fixed(2 * std::min(sn.spread, sw.spread), 3))),
        fmt::arg("bounds", bounds),
        fmt::arg("bound_answer", bound_costs ? "the looser bound is better there." : "the fits overlap, so no cost of "
                                                                                     "the bound is shown."));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-width", nullptr, p2_width)

}  // namespace flow::chapters::ece792
