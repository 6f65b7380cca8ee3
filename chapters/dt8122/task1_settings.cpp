// task1-settings: Task 1, "details about hyperparameters and model choice" and "details
// about any assumptions or changes".
//
// The settings come from the fits' own configurations; the learning rate from the sweep
// on the validation rows; the rest are stated as the choices they are.
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

std::string capitalised(std::string s) {
    if (!s.empty()) s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

void task1_settings(Context& ctx) {
    const std::vector<std::string> all{"planar", "realnvp", "cnf"}, task1{"planar", "realnvp"};
    std::vector<Sweep> sweeps;
    for (const auto& m : all) sweeps.push_back(lr_sweep(ctx, m));
    std::vector<FitsSummary> fits, task1_fits;
    for (const auto& m : all) fits.push_back(summarise_fits(ctx, m));
    task1_fits = {fits[0], fits[1]};
    const std::string table = settings_table(all, fits, sweeps, "task1-settings");
    const std::string choice = not_best_clause(task1, {sweeps[0], sweeps[1]});
    ctx.text = ctx.section() + table + fmt::format(
        R"(Table~\ref{{tab:task1-settings}} lists the settings. Each fit trains with Adam, its learning rate
cosine-annealed over the epoch limit, until its validation NLL has not improved for a set number of epochs (the
patience), and keeps its best epoch: each method is trained to its own validation optimum. {limit_cap}; each stopped with its rate above {rate} of its start. {choice}; {margin}. Depth and width
were not tuned. Planar flows run in the normalizing direction (the paper's is generative, for variational inference) with an added inverse; each Real NVP coupling starts as the identity map, and $s$ is bounded so that $e^{{s}}$ cannot overflow.

)",
        fmt::arg("limit_cap", capitalised(limit_clause(ctx, task1, task1_fits))),
        fmt::arg("rate", report::tex_percent(rate_at_stop(ctx, task1_fits), 0)),
        fmt::arg("choice", choice.empty() ? "The learning rate is the best, by validation NLL averaged over the data "
                                            "sets, of those tried on the first split and seed"
                                          : "Rates were compared on the first split and seed by validation NLL averaged "
                                            "over the data sets; " + choice),
        fmt::arg("margin", margin_clause(ctx, task1, {sweeps[0], sweeps[1]})));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-settings", nullptr, task1_settings)

}  // namespace flow::chapters::dt8122
