// Every fit scored on its split, and the baselines of each split (common.hpp).
#include <cmath>

#include "common.hpp"
#include "density/baselines.hpp"

namespace flow::chapters::dt8122 {

namespace {

constexpr std::size_t kMaxComponents = 14;  // the mixtures tried: 1 to 14 components

using density::mean_nll;

double worst_nll(const std::vector<double>& lp) { return -*std::min_element(lp.begin(), lp.end()); }

}  // namespace

std::vector<Scored> score_family(Context& ctx, const std::string& method, const std::string& set) {
    std::vector<Scored> out;
    const std::string fam = family(method, set);
    const auto names = ctx.manifest().fits(fam);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto& decl = ctx.manifest().model(names[i]);
        Scored s;
        s.fit = model::fit_of(names[i], ctx.load(names[i]));
        s.split = decl.split;
        s.seed = decl.seed_index + 1;
        const Points pts = model::points_of(s.fit);
        const data::Dataset& d = data::dataset(s.fit.data);
        const Mat<float> val = data::in_frame(data::standardise(d.val_rows), s.fit.scale);
        s.held_log_p = s.fit.log_prob(pts.held);
        s.held_nll = mean_nll(s.held_log_p);
        s.worst = worst_nll(s.held_log_p);
        s.train_nll = mean_nll(s.fit.log_prob(pts.train));
        s.val_nll = mean_nll(s.fit.log_prob(val));
        s.offset = std::log(s.fit.scale.std[0] * s.fit.scale.std[1]);
        ctx.stats["fits"][fam][i] = {{"model", names[i]},       {"split", s.split},
                                     {"seed", s.seed},          {"held_out_nll", s.held_nll}, {"worst_point", s.worst},
                                     {"train_nll", s.train_nll}, {"val_nll", s.val_nll},
                                     {"kept_epoch", s.fit.kept_epoch}, {"epochs_run", s.fit.val_loss.size()},
                                     {"train_seconds", s.fit.train_seconds}};
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Baselines> baselines(Context& ctx, const std::string& set) {
    std::vector<Baselines> out;
    std::size_t splits = 0;  // as many as the fits use
    for (const auto& n : ctx.manifest().fits(family(methods().front(), set)))
        splits = std::max(splits, ctx.manifest().model(n).split);
    for (std::size_t k = 1; k <= splits; ++k) {
        const data::Dataset& d = data::dataset(data::split_name(set, k));
        const data::PointSet train = data::standardise(d.train_rows);
        const Mat<float> val = data::in_frame(data::standardise(d.val_rows), train.scale);
        const Mat<float> held = data::in_frame(data::standardise(d.held_rows), train.scale);
        Baselines b;
        b.gauss = mean_nll(density::standard_normal_log_prob(held));
        Rng rng = ctx.rng(fmt::format("mixture/{}/{}", set, k));
        const auto mix = density::choose_mixture(train.x, val, kMaxComponents, rng);
        b.mixture = mean_nll(mix.model.log_prob(held));
        b.components = mix.K;
        const auto kde = density::choose_kde(train.x, val);
        const auto kde_lp = kde.model.log_prob(held);
        b.kde = mean_nll(kde_lp);
        b.kde_worst = worst_nll(kde_lp);
        b.kde_scott = kde.scott_ratio;
        b.offset = std::log(train.scale.std[0] * train.scale.std[1]);
        ctx.stats["baselines"][set][k - 1] = {{"gaussian", b.gauss}, {"mixture", b.mixture},
                                              {"components", b.components}, {"kde", b.kde},
                                              {"kde_scott_ratio", b.kde_scott}, {"offset", b.offset},
                                              {"kde_worst_point", b.kde_worst}};
        out.push_back(b);
    }
    return out;
}

}  // namespace flow::chapters::dt8122
