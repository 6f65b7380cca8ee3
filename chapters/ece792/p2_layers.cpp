// p2-layers: Problem 2, question 1, and the grid's table.
//
// "How does the match between the samples and the data change with the number of coupling
// layers?"
//
// Every cell is measured by its fits' held-out NLL and its excess over the true density's
// (an estimate of KL(data || model)), mean and standard deviation over seeds; a step to
// more couplings is a gain only when it lowers the excess in every seed. One coupling has
// a limit that can be computed (p2_layers_floor.cpp): the best any one-coupling flow can
// reach.
#include "common.hpp"
#include "p2_layers.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

std::string table(const std::vector<Cell>& g, const std::string& label) {
    std::string rows, last_set, truths;
    for (const auto& set : grid_sets())
        truths += fmt::format("{}{} {}{}", truths.empty() ? "" : ", ", set,
                              tex_fixed(cell_of(g, set, 1, grid_widths().front()).fits.front().truth_nll, 3),
                              set == grid_sets().back() ? " nats" : "");
    for (const auto& c : g) {
        if (!last_set.empty() && c.set != last_set) rows += "    \\midrule\n";
        const bool first = c.set != last_set;
        last_set = c.set;
        std::vector<double> kept;
        for (const auto& f : c.fits) kept.push_back(double(f.kept_step));
        rows += fmt::format("    {} & {} & {} & ${}$ & {} \\\\\n", first ? c.set : "", c.hidden, c.couplings,
                            pm(c.excess), report::tex_count((long long)std::lround(model::spread(kept).mean)));
    }
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lrrrr}}
    \toprule
    set & units & couplings & excess over truth & best step \\
    \midrule
{}    \bottomrule
  \end{{tabular}}
  \caption{{Excess over the truth on the {} held-out points (true NLL: {}), mean $\pm$ sd over 3 fits; mean Adam
  step of the lowest validation NLL.}}
  \label{{tab:{}}}
\end{{table}}
)",
        rows, report::tex_count((long long)data::kShapeHeldRows), truths, label);
}

// Steps to more couplings, set by set and width by width (recorded): how many lower the
// excess in every seed.
struct Steps {
    std::size_t gains = 0, steps = 0;
    std::string exceptions;  // "circles with 1024 units from 3 to 5 couplings (lower in 2 of 3 seeds)"
};
Steps depth_steps(Context& ctx, const std::vector<Cell>& g) {
    Steps r;
    for (const auto& set : grid_sets())
        for (std::size_t h : grid_widths())
            for (std::size_t k = 1; k < grid_couplings().size(); ++k) {
                const Cell& prev = cell_of(g, set, grid_couplings()[k - 1], h);
                const Cell& next = cell_of(g, set, grid_couplings()[k], h);
                const Compared p = compare_excess(next, prev);
                ++r.steps;
                r.gains += p.order == "a below";
                if (p.order != "a below")
                    r.exceptions += fmt::format("{}{}, {} units, {} to {} couplings", r.exceptions.empty() ? "" : "; ",
                                                set, h, prev.couplings, next.couplings);
                ctx.stats["steps"][next.name] = {{"mean", p.diff.mean}, {"sd", p.diff.sd}, {"order", p.order}};
            }
    return r;
}

// Per set (recorded): the best any one-coupling flow can reach and the best one-coupling
// fit, as "0.477 nats on the moons and 0.992 on the circles" and "0.485 and 1.012".
std::pair<std::string, std::string> one_coupling(Context& ctx, const std::vector<Cell>& g) {
    std::string floor_list, best_list;
    for (const auto& set : grid_sets()) {
        const double floor = one_coupling_floor(ctx, set, cell_of(g, set, 1, grid_widths().front()).fits.front());
        double best = INFINITY;
        for (std::size_t h : grid_widths())
            for (const auto& f : cell_of(g, set, 1, h).fits) best = std::min(best, f.excess);
        ctx.stats["one_coupling"][set] = {{"floor", floor}, {"best_fit", best}};
        const char* sep = floor_list.empty() ? "" : " and ";
        floor_list += fmt::format("{}{} {}", sep, tex_fixed(floor, 3), floor_list.empty() ? "nats on the " + set : "on the " + set);
        best_list += sep + tex_fixed(best, 3);
    }
    return {floor_list, best_list};
}

void p2_layers(Context& ctx) {
    const auto g = grid_cells(ctx);
    const Steps st = depth_steps(ctx, g);
    const std::size_t gains = st.gains, steps = st.steps;
    const bool most = ctx.verdict("depth_helps",
                                  "at least three quarters of the steps to more couplings put all their fits' excess "
                                  "over the truth below all the fits' with fewer",
                                  {{"gains", gains}, {"steps", steps}}, 4 * gains >= 3 * steps);
    const std::string answer = fmt::format(
        "\\emph{{{}}} {} of the {} increases in depth from {} couplings put the excess over the truth of all 3 fits below all 3 "
        "with fewer (Table~\\ref{{tab:{}}}){}.",
        most ? "More couplings match the data better:" : "More couplings do not always match the data better:", gains,
        steps, couplings_list(), ctx.chapter().id, st.exceptions.empty() ? "" : "; the fits overlap for " + st.exceptions);
    const auto [floor_list, best_list] = one_coupling(ctx, g);
    ctx.text = ctx.section() + answer + fmt::format(
        R"( Figure~\ref{{fig:p2-fits-transforms}} shows the samples.

\emph{{Why one coupling is not enough.}} It passes one coordinate through, $x_1 = z_1 \sim N(0, 1)$, and is affine
in $z_2$ given $x_1$, so $p(x_2 \mid x_1)$ is one Gaussian. The true conditional has up to two modes on the moons and
four on the circles. The best any one-coupling flow can do (the truth's $x_1$ marginal
replaced by $N(0, 1)$, each conditional by the Gaussian of its mean and variance) is {floors} above the truth;
the best fits reach {bests}.

{table})",
        fmt::arg("floors", floor_list), fmt::arg("bests", best_list), fmt::arg("table", table(g, ctx.chapter().id)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-layers", nullptr, p2_layers)

}  // namespace flow::chapters::ece792
