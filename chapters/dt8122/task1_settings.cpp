// task1-settings: Task 1, "details about hyperparameters and model choice" and "details
// about any assumptions or changes".
//
// The settings come from the fits' own configurations; the learning rate from the sweep
// on the validation rows; the rest are stated as the choices they are.
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

// "no fit reached its epoch limit" or "3 of the 27 planar-flow fits reached ...".
std::string limit_clause(Context& ctx, const std::vector<std::string>& which) {
    std::string hit;
    for (const auto& m : which) {
        const auto& s = ctx.stats["settings"][m];
        const auto n = s["fits_at_epoch_limit"].get<std::size_t>();
        if (n > 0) hit += fmt::format("{}{} of the {} {} fits", hit.empty() ? "" : " and ", n,
                                      s["fits"].get<std::size_t>(), method_title(m));
    }
    return ctx.verdict("epoch_limit/" + which.front(), "no fit trained until its epoch limit", {{"hit", hit}},
                       hit.empty())
               ? "no fit reached the limit"
               : hit + " reached the epoch limit before their validation NLL stopped improving";
}

// Whether the learning rate mattered: the runner-up against the spread over fits.
std::string margin_clause(Context& ctx, const std::vector<std::string>& which, const std::vector<Sweep>& sweeps) {
    double margin = 0, spread_min = INFINITY;
    for (const auto& s : sweeps) margin = std::max(margin, s.margin), spread_min = std::min(spread_min, s.spread);
    const bool small = ctx.verdict("lr_margin_small/" + which.front(),
                                   "the runner-up rate scores within the spread of the best validation NLL over fits",
                                   {{"margin", margin}, {"spread", spread_min}}, margin < spread_min);
    return small ? fmt::format("the runner-up is within {} nats, less than the {} standard deviation of the fits' "
                               "best validation NLL, so the choice matters little",
                               report::tex_fixed(margin, 3), report::tex_fixed(spread_min, 2))
                 : fmt::format("the runner-up is up to {} nats worse, more than the {} standard deviation of the "
                               "fits' best validation NLL",
                               report::tex_fixed(margin, 3), report::tex_fixed(spread_min, 2));
}

// The lowest learning rate any fit had when it stopped, as a share of its start: the
// cosine schedule spans the epoch limit, which early stopping cuts short.
double rate_at_stop(Context& ctx, const std::vector<std::string>& which) {
    double lowest = 1;
    for (const auto& m : which)
        for (const auto& set : data_sets())
            for (const auto& name : ctx.manifest().fits(family(m, set))) {
                const Fit f = model::fit_of(name, ctx.load(name));
                const double t = double(f.val_loss.size()) / double(f.epochs);
                lowest = std::min(lowest, 0.5 * (1 + std::cos(M_PI * t)));
            }
    ctx.stats["lowest_rate_share_at_stop"] = lowest;
    return lowest;
}

namespace {

std::string capitalised(std::string s) {
    if (!s.empty()) s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}


void task1_settings(Context& ctx) {
    const std::vector<std::string> all{"planar", "realnvp", "cnf"}, task1{"planar", "realnvp"};
    std::vector<Sweep> sweeps;
    for (const auto& m : all) sweeps.push_back(lr_sweep(ctx, m));
    const std::string table = settings_table(ctx, all, sweeps, "task1-settings");  // records the limits read below
    ctx.text = ctx.section() + table + fmt::format(
        R"(Table~\ref{{tab:task1-settings}} lists the settings. Each fit trains with Adam, its learning rate
cosine-annealed over the epoch limit, until its validation NLL has not improved for a set number of epochs (the
patience), and keeps its best epoch: each method is trained to its own validation optimum, not for a common
number of steps. {limit_cap}; each stopped with its rate above {rate} of its start. The learning rate is the best, by validation NLL
averaged over the data sets, of those tried on the first split and seed; {margin}. Depth and width
were not tuned. Planar flows run in the normalizing direction (the paper's is generative, for variational inference) with an added inverse; each Real NVP coupling starts as the identity map, and $s$ is bounded so that $e^{{s}}$ cannot overflow.

)",
        fmt::arg("limit_cap", capitalised(limit_clause(ctx, task1))),
        fmt::arg("rate", report::tex_percent(rate_at_stop(ctx, task1), 0)),
        fmt::arg("margin", margin_clause(ctx, task1, {sweeps[0], sweeps[1]})));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-settings", nullptr, task1_settings)

}  // namespace flow::chapters::dt8122
