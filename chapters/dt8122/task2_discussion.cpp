// task2-discussion: Task 2, "a short discussion on the advantages and disadvantages of
// continuous normalizing flows over coupling flows".
//
// The coupling flow is Real NVP. Quality: held-out NLL paired over the nine fits of each
// data set. Cost: training time per fit, field or network passes per sample, wall time
// of 1000 samples. Exactness: the round trip. Topology: the gap between the two blobs.
#include <chrono>

#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;

struct Cost {
    double train_seconds = 0, sample_seconds = 0, round_trip = 0, epoch_seconds = 0;
    std::size_t passes = 0;
};

Cost cost_of(Context& ctx, const std::string& method) {
    Cost c;
    std::size_t n = 0, epochs = 0;
    for (const auto& set : data_sets()) {
        for (const auto& name : ctx.manifest().fits(family(method, set))) {
            const Fit f = model::fit_of(name, ctx.load(name));
            c.train_seconds += f.train_seconds;
            epochs += f.val_loss.size();
            ++n;
        }
        const Fit f = model::fit_of(first_fit(ctx, method, set), ctx.load(first_fit(ctx, method, set)));
        const Mat<float> z = prior_draws(ctx, set);
        const auto start = std::chrono::steady_clock::now();
        const Mat<float> x = f.generate(z);
        c.sample_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 3;
        c.round_trip = std::max(c.round_trip, f.round_trip(model::points_of(f).held));
        c.passes = f.sample_passes;
    }
    c.epoch_seconds = c.train_seconds / double(epochs);
    c.train_seconds /= double(n);
    ctx.stats["cost"][method] = {{"train_seconds_per_fit", c.train_seconds}, {"sample_seconds", c.sample_seconds}, {"epoch_seconds", c.epoch_seconds},
                                 {"round_trip", c.round_trip}, {"passes_per_sample", c.passes}};
    return c;
}

// "It has a lower held-out NLL than Real NVP in every fit on the two moons and the two blobs,
// not on the boomerang (1 of 9)" (verdicts cnf_realnvp/<set>).
std::string quality(Context& ctx) {
    std::string won, lost;
    for (const auto& set : data_sets()) {
        const Paired p = paired(held(score_family(ctx, "cnf", set)), held(score_family(ctx, "realnvp", set)));
        const std::string o = paired_outcome(ctx, "cnf_realnvp/" + set, "cnf", "realnvp", p);
        if (o == "cnf lower in every fit") won += (won.empty() ? "the " : " and the ") + data_title(set);
        else lost += fmt::format("{}the {} (lower in {} of {})", lost.empty() ? "" : " or ", data_title(set),
                                 p.a_lower, p.diff.n);
    }
    if (won.empty()) return "It does not beat Real NVP in every fit on any data set: " + lost;
    return "It has a lower held-out NLL than Real NVP in every fit on " + won +
           (lost.empty() ? "" : ", not on " + lost);
}

void task2_discussion(Context& ctx) {
    const Cost c = cost_of(ctx, "cnf"), r = cost_of(ctx, "realnvp");
    const Gap gap = blob_gap(ctx);
    const std::string blobs = first_fit(ctx, "cnf", "two-blobs");
    const double band = gap.share(model::fit_of(blobs, ctx.load(blobs)).generate(prior_draws(ctx, "two-blobs")));
    ctx.stats["blob_gap"]["cnf"] = band;
    ctx.text = ctx.section() + fmt::format(
        R"(The continuous flow's advantage is freedom: $v$ is any smooth network, with no coordinate held
fixed and no triangular Jacobian, moving both coordinates at once. {quality}. Its price is cost and inexactness: a sample takes {cp} evaluations of $v$ against
Real NVP's {rp} network passes, an epoch of training {ce} s against {re} s, and differentiating through the solver
keeps every step in memory; its two directions are
separate numerical solves, inverse only to {ctrip} against {rtrip}. Nor can it tear the Gaussian{gap} {bc} of its
samples, against {bd} of the data.

)",
        fmt::arg("quality", quality(ctx)), fmt::arg("cp", c.passes), fmt::arg("rp", r.passes),
        fmt::arg("ce", tex_fixed(c.epoch_seconds, 3)), fmt::arg("re", tex_fixed(r.epoch_seconds, 4)),
        fmt::arg("ctrip", report::tex_num(c.round_trip, 1)), fmt::arg("rtrip", report::tex_num(r.round_trip, 1)),
        fmt::arg("gap", ctx.verdict("gap_crossed/cnf", "the continuous flow puts a larger share of its samples in "
                                                       "the gap than the data have there",
                                    {{"cnf", band}, {"data", gap.data_share}}, band > gap.data_share)
                            ? ": the strip between the blobs holds"
                            : ", though it thins the strip between the blobs to"),
        fmt::arg("bc", report::tex_percent(band, 1)), fmt::arg("bd", report::tex_percent(gap.data_share, 1)));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-discussion", nullptr, task2_discussion)

}  // namespace flow::chapters::dt8122
