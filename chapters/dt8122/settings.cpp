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
    const auto best = std::min_element(by_rate.begin(), by_rate.end(), [](auto& x, auto& y) { return x.second < y.second; });
    s.best = best->first, s.best_score = best->second;
    for (const auto& [lr, v] : by_rate)
        if (lr == s.used) s.used_score = v;
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

FitsSummary summarise_fits(Context& ctx, const std::string& method) {
    FitsSummary f;
    f.method = method;
    std::vector<double> kept;
    for (const auto& set : data_sets())
        for (const auto& name : ctx.manifest().fits(family(method, set))) {
            const Fit fit = model::fit_of(name, ctx.load(name));
            kept.push_back(double(fit.kept_epoch));
            f.max_epochs = fit.epochs, f.batch = fit.batch, f.parameters = fit.parameters;
            f.architecture = architecture(fit);
            f.patience = fit.config.value("patience", std::size_t(0));
            f.capped += fit.val_loss.size() == fit.epochs;
            const double t = double(fit.val_loss.size()) / double(fit.epochs);
            f.lowest_rate_share = std::min(f.lowest_rate_share, 0.5 * (1 + std::cos(M_PI * t)));
        }
    std::sort(kept.begin(), kept.end());
    f.fits = kept.size();
    f.kept_first = kept.front(), f.kept_last = kept.back();
    ctx.stats["settings"][method] = {{"kept_epoch_median", kept[kept.size() / 2]}, {"fits", f.fits},
                                     {"fits_at_epoch_limit", f.capped}, {"batch", f.batch}};
    return f;
}

std::string settings_table(const std::vector<std::string>& which, const std::vector<FitsSummary>& fits,
                           const std::vector<Sweep>& sweeps, const std::string& label) {
    std::string rows;
    for (std::size_t m = 0; m < which.size(); ++m) {
        const FitsSummary& f = fits[m];
        rows += fmt::format("    {} & {} & {} & {} & {:.0f}--{:.0f} & {} & {} \\\\\n", method_title(which[m]),
                            f.architecture, report::tex_count((long long)f.parameters), f.max_epochs, f.kept_first,
                            f.kept_last, f.patience, sweeps[m].rates);
        if (f.batch != fits.front().batch) throw std::logic_error("the methods' batch sizes differ: the table needs a column");
    }
    const std::size_t batch_all = fits.front().batch;
    return fmt::format(
        R"(\begin{{table}}[htbp]
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

// "no fit reached its epoch limit" or "3 of the 27 planar-flow fits reached ...".
std::string limit_clause(Context& ctx, const std::vector<std::string>& which, const std::vector<FitsSummary>& fits) {
    std::string hit;
    for (const auto& f : fits)
        if (f.capped > 0)
            hit += fmt::format("{}{} of the {} {} fits", hit.empty() ? "" : " and ", f.capped, f.fits,
                               method_title(f.method));
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
    const std::string each = which.size() > 1 ? "each method's two best rates" : "the two best rates";
    return small ? fmt::format("{} are within {} nats, less than the {} standard deviation of the fits' best "
                               "validation NLL, so the choice matters little",
                               each, report::tex_fixed(margin, 3), report::tex_fixed(spread_min, 2))
                 : fmt::format("{} are up to {} nats apart, more than the {} standard deviation of the fits' best "
                               "validation NLL",
                               each, report::tex_fixed(margin, 3), report::tex_fixed(spread_min, 2));
}

std::string not_best_clause(const std::vector<std::string>& which, const std::vector<Sweep>& sweeps) {
    std::string out;
    for (std::size_t m = 0; m < which.size(); ++m) {
        const Sweep& s = sweeps[m];
        if (s.chosen_is_best) continue;
        out += fmt::format("{}{}'s {} scores {} nats below the {} used", out.empty() ? "" : " and ",
                           method_title(which[m]), lr_text(s.best), report::tex_fixed(s.used_score - s.best_score, 3),
                           lr_text(s.used));
    }
    return out;
}

// The lowest learning rate any fit had when it stopped, as a share of its start: the
// cosine schedule spans the epoch limit, which early stopping cuts short.
double rate_at_stop(Context& ctx, const std::vector<FitsSummary>& fits) {
    double lowest = 1;
    for (const auto& f : fits) lowest = std::min(lowest, f.lowest_rate_share);
    ctx.stats["lowest_rate_share_at_stop"] = lowest;
    return lowest;
}

}  // namespace flow::chapters::dt8122
