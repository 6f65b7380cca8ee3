// p2-width: Problem 2, question 3.
//
// "What does the hidden size change?"
//
// The same flows with 512 and 1024 hidden units per coupling network, every other
// setting equal: the paired difference of held-out NLL, and what the width costs in
// parameters and training time.
#include <fmt/format.h>

#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

// Doubling the width, case by case (set x couplings): the paired difference of held-out
// NLL (recorded), how often it is clear either way, and the mean ratio of training times.
struct Width {
    std::size_t better = 0, worse = 0, cases = 0;
    std::string list;
    double time_ratio = 0;
};
Width width_effects(Context& ctx, const std::vector<GridFit>& g, std::size_t narrow, std::size_t wide) {
    Width w;
    auto& better = w.better;
    auto& worse = w.worse;
    auto& cases = w.cases;
    auto& list = w.list;
    auto& time_ratio = w.time_ratio;
    for (const auto& set : grid_sets())
        for (std::size_t c : grid_couplings()) {
            const GridFit& a = grid_fit(g, set, c, narrow);
            const GridFit& b = grid_fit(g, set, c, wide);
            const Difference d = nll_difference(b.m.held_log_p, a.m.held_log_p);  // wide - narrow
            ++cases;
            better += d.clear() && d.mean < 0;
            worse += d.clear() && d.mean > 0;
            list += fmt::format("{}{} with {}: ${}$", list.empty() ? "" : "; ", set, c, pm(d));
            ctx.stats["wide_minus_narrow"][set + "-c" + std::to_string(c)] = {{"mean", d.mean}, {"se", d.se}};
            time_ratio += b.fit.train_seconds / a.fit.train_seconds;
        }
    time_ratio /= double(cases);
    return w;
}

// Depth against width: how many steps to more couplings lower the NLL clearly, of how many.
std::pair<std::size_t, std::size_t> depth_effects(const std::vector<GridFit>& g) {
    std::size_t depth_gains = 0, depth_steps = 0;
    for (const auto& set : grid_sets())
        for (std::size_t h : grid_widths())
            for (std::size_t k = 1; k < grid_couplings().size(); ++k) {
                const Difference d = nll_difference(grid_fit(g, set, grid_couplings()[k], h).m.held_log_p,
                                                    grid_fit(g, set, grid_couplings()[k - 1], h).m.held_log_p);
                ++depth_steps;
                depth_gains += d.clear() && d.mean < 0;
            }
    return {depth_gains, depth_steps};
}

void p2_width(Context& ctx) {
    const auto g = grid_fits(ctx);
    const std::size_t narrow = grid_widths().front(), wide = grid_widths().back();
    const Width w = width_effects(ctx, g, narrow, wide);
    const std::size_t better = w.better, worse = w.worse, cases = w.cases;
    const std::string& list = w.list;
    const double time_ratio = w.time_ratio;
    const auto [depth_gains, depth_steps] = depth_effects(g);
    // The shares depth_gains / depth_steps and better / cases, compared without division.
    const bool depth_more = ctx.verdict(
        "depth_moves_more",
        "the share of steps to more couplings that lower the held-out NLL by more than two standard errors is above "
        "the share of doublings of the width that do",
        {{"depth_clear", depth_gains}, {"depth_steps", depth_steps}, {"width_clear", better}, {"width_cases", cases}},
        depth_gains * cases > better * depth_steps);
    const std::string depth_sentence =
        depth_more
            ? fmt::format("Depth moves the numbers more: {} of the {} steps to more couplings lower the NLL clearly "
                          "(Table~\\ref{{tab:p2-layers}}).", depth_gains, depth_steps)
            : fmt::format("Here depth does not move the numbers more than width: {} of the {} steps to more couplings "
                          "lower the NLL clearly (Table~\\ref{{tab:p2-layers}}).", depth_gains, depth_steps);
    const auto& a = grid_fit(g, grid_sets().front(), grid_couplings().back(), narrow);
    const auto& b = grid_fit(g, grid_sets().front(), grid_couplings().back(), wide);
    const double param_ratio = double(b.fit.parameters) / double(a.fit.parameters);
    ctx.stats["cases"] = {{"better", better}, {"worse", worse}, {"total", cases}};
    std::string verdict;
    const bool width_moves = ctx.verdict("width_moves_nll",
                                         "some doubling of the width moves the held-out NLL by more than two standard "
                                         "errors of the paired per-point differences",
                                         {{"lower", better}, {"higher", worse}, {"cases", cases}},
                                         better > 0 || worse > 0);
    if (!width_moves)
        verdict = fmt::format("Doubling the width from {} to {} units changes the held-out NLL by less than two "
                              "standard errors in every one of the {} cases.", narrow, wide, cases);
    else
        verdict = fmt::format("Doubling the width from {} to {} units lowers the held-out NLL clearly (by more than two "
                              "standard errors) in {} of the {} cases and raises it clearly in {}.",
                              narrow, wide, better, cases, worse);
    ctx.text = ctx.section() + fmt::format(
        R"({verdict} The differences, {wide} units minus {narrow}, in nats (negative: the wider model is better), by
data set and number of couplings: {list}. The width costs {pr} times the parameters and {tr} times the training
time on average.

What the width cannot change is visible in the same table: a coupling network here maps one coordinate to a
scale and a shift, and with one hidden layer of LeakyReLU units it is a piecewise-linear function of one variable
with up to {pieces} pieces already. The limits found in questions 1 and 2 are limits of the flow's structure, not of
its networks: one coupling keeps a Gaussian coordinate however wide its networks are, and no width lets a few
couplings tear the plane. {depth}
)",
        fmt::arg("verdict", verdict), fmt::arg("depth", depth_sentence), fmt::arg("pieces", narrow + 1), fmt::arg("wide", wide), fmt::arg("narrow", narrow), fmt::arg("list", list),
        fmt::arg("pr", tex_fixed(param_ratio, 2)), fmt::arg("tr", tex_fixed(time_ratio, 2)));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-width", nullptr, p2_width)

}  // namespace flow::chapters::ece792
