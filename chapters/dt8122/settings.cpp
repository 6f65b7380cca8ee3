// The settings tables and the learning-rate sweep of the two settings chapters
// (common.hpp).
#include "common.hpp"
#include <functional>

#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

double best_val(const Fit& f) { return *std::min_element(f.val_loss.begin(), f.val_loss.end()); }

std::string lr_text(double lr) { return fmt::format("{:g}", lr); }

}  // namespace

Sweep lr_sweep(Context& ctx, const std::string& method) {
    Sweep s;
    // Each rate scored by the lowest validation NLL its first fit reached, averaged over
    // the data sets: the family's own rate and its sweep's.
    std::vector<std::pair<double, double>> by_rate;  // (lr, score)
    const auto& sets = data_sets();
    const auto score = [&](const std::function<std::string(const std::string&)>& name_of) {
        double sum = 0, lr = 0;
        for (const auto& set : sets) {
            const Fit f = model::fit_of(name_of(set), ctx.load(name_of(set)));
            sum += best_val(f) / double(sets.size());
            lr = f.lr;
        }
        by_rate.emplace_back(lr, sum);
    };
    score([&](const std::string& set) { return first_fit(ctx, method, set); });
    s.used = by_rate.front().first;
    const std::size_t n = ctx.manifest().sweep(family(method, sets.front())).size();
    for (std::size_t k = 0; k < n; ++k)
        score([&](const std::string& set) { return ctx.manifest().sweep(family(method, set)).at(k)->name; });
    std::sort(by_rate.begin(), by_rate.end());
    std::vector<double> scores;
    for (const auto& [lr, v] : by_rate) {
        ctx.stats["lr_sweep"][method][lr_text(lr)] = v;
        scores.push_back(v);
    }
    s.best = std::min_element(by_rate.begin(), by_rate.end(), [](auto& x, auto& y) { return x.second < y.second; })->first;
    for (const auto& [lr, v] : by_rate)
        s.rates += fmt::format("{}{}", s.rates.empty() ? "" : ", ", lr == s.used ? "\\textbf{" + lr_text(lr) + "}" : lr_text(lr));
    // How far the runner-up is from the best, against the spread of the best validation
    // NLL over each data set's fits.
    std::sort(scores.begin(), scores.end());
    double sd = 0;
    for (const auto& set : sets) {
        std::vector<double> v;
        for (const auto& name : ctx.manifest().fits(family(method, set)))
            v.push_back(best_val(model::fit_of(name, ctx.load(name))));
        sd += spread(v).sd / double(sets.size());
    }
    s.margin = scores.size() > 1 ? scores[1] - scores[0] : 0.0;
    s.spread = sd;
    s.chosen_is_best = ctx.verdict("lr_chosen/" + method,
                                   "the learning rate every fit uses has the lowest mean best validation NLL of the "
                                   "rates tried on the first split and seed",
                                   {{"used", s.used}, {"best", s.best}}, s.used == s.best);
    return s;
}

std::string architecture(const Fit& f) {
    const auto& c = f.config;
    const auto hidden = [&](const char* key) {
        return fmt::format("{} hidden layers of {}", c.at("depth").get<int>() - 1, c.at(key).get<int>());
    };
    if (c.at("model") == "planar") return fmt::format("{} planar layers", c.at("layers").get<int>());
    if (c.at("model") == "cnf") return fmt::format("$v$: {}; {} RK4 steps", hidden("hidden"), c.at("steps").get<int>());
    return fmt::format("{} couplings; $s$, $t$: {}", c.at("couplings").get<int>(), hidden("hidden"));
}

std::string settings_table(Context& ctx, const std::vector<std::string>& which, const std::vector<Sweep>& sweeps,
                           const std::string& label) {
    std::string rows;
    std::size_t batch_all = 0;
    for (std::size_t m = 0; m < which.size(); ++m) {
        const std::string& method = which[m];
        std::vector<double> kept;
        std::size_t max_epochs = 0, patience = 0, batch = 0, params = 0, capped = 0;
        std::string arch;
        for (const auto& set : data_sets())
            for (const auto& name : ctx.manifest().fits(family(method, set))) {
                const Fit f = model::fit_of(name, ctx.load(name));
                kept.push_back(double(f.kept_epoch));
                max_epochs = f.epochs, batch = f.batch, params = f.parameters, arch = architecture(f);
                patience = f.config.value("patience", std::size_t(0));
                capped += f.val_loss.size() == f.epochs;
            }
        std::sort(kept.begin(), kept.end());
        ctx.stats["settings"][method] = {{"kept_epoch_median", kept[kept.size() / 2]}, {"fits", kept.size()},
                                         {"fits_at_epoch_limit", capped}};
        rows += fmt::format("    {} & {} & {} & {} & {:.0f}--{:.0f} & {} & {} \\\\\n", method_title(method), arch,
                            report::tex_count((long long)params), max_epochs, kept.front(), kept.back(), patience,
                            sweeps[m].rates);
        ctx.stats["settings"][method]["batch"] = batch;
        if (m > 0 && batch != batch_all) throw std::logic_error("the methods' batch sizes differ: the table needs a column");
        batch_all = batch;
    }
    return fmt::format(
        R"(\begin{{table}}[tbp]
  \centering\small\setlength{{\tabcolsep}}{{3pt}}
  \begin{{tabular}}{{llrrrrl}}
    \toprule
    & architecture & param. & epochs & best epoch & patience & learning rates \\
    \midrule
{}    \bottomrule
  \end{{tabular}}
  \caption{{Settings, the same for every data set (batches of {}). Best epoch: the range over fits of the epoch
  with the lowest validation NLL, whose parameters are kept; learning rates: those tried, the one used in bold.}}
  \label{{tab:{}}}
\end{{table}}
)",
        rows, batch_all, label);
}

}  // namespace flow::chapters::dt8122
