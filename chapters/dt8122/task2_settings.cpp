// task2-settings: Task 2, "details about hyperparameters and model choice" and "details
// about any assumptions or changes". Its settings are the last row of Task 1's table.
#include "cnf/train.hpp"
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {


namespace {

// When the fit that ran longest stopped, its cosine-decayed rate may be nearly spent: then
// the schedule, not only the validation NLL, ended it (verdict cnf_rate_spent).
std::string rate_clause(Context& ctx, const FitsSummary& fits) {
    const double r = rate_at_stop(ctx, {fits});
    return ctx.verdict("cnf_rate_spent", "the continuous flow's slowest fit stopped with its rate below a tenth of "
                                         "its start", {{"share", r}}, r < 0.1)
               ? fmt::format("but the slowest stopped with its rate at {} of its start, so the schedule as much as the "
                             "validation NLL ended it", report::tex_percent(r, 0))
               : fmt::format("and each stopped with its rate above {} of its start", report::tex_percent(r, 0));
}

void task2_settings(Context& ctx) {
    const Sweep s = lr_sweep(ctx, "cnf");
    const FitsSummary fits = summarise_fits(ctx, "cnf");
    const auto& cfg = ctx.load_as<cnf::Model>(first_fit(ctx, "cnf", data_sets().front())).config;
    ctx.text = ctx.section() + fmt::format(
        R"(Table~\ref{{tab:task1-settings}} gives the settings in its last row, chosen as in Task~1: {limit}, {rate};
{margin}{not_best}. Departures from Chen et al.: fixed-step RK4 instead of an adaptive solver; a plain $\tanh$ network, ours {h} units wide, with weights fixed in $t$ (theirs come from a second network). The trace is exact, as in their Section~4; FFJORD's stochastic trace estimator \cite{{grathwohl2019}} pays off
in high dimensions.

)",
        fmt::arg("limit", limit_clause(ctx, {"cnf"}, {fits})), fmt::arg("rate", rate_clause(ctx, fits)), fmt::arg("margin", margin_clause(ctx, {"cnf"}, {s})),
        fmt::arg("not_best", not_best_clause({"cnf"}, {s}).empty() ? "" : "; in these runs, though, " + not_best_clause({"cnf"}, {s})),
        fmt::arg("h", cfg.hidden));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-settings", nullptr, task2_settings)

}  // namespace flow::chapters::dt8122
