// fm-q3-trajectories: Flow matching, Q3 "Point trajectory".
//
// "Sample 10 points of your choice from your model and present their forward process
//  as a 2D trajectory. Color the points according to their time t. Compare this to Q4
//  of Sec. 3.3. Which model's flow is more consistent over time?"
//
// What the learned paths do is measured on 1000 paths: the cloud's distance from the
// origin over t (it dips, as the law of t x1 + (1 - t) x0 says it must), where in time
// the paths turn, and how long they are. Consistency is compared with the normalizing
// flow from the same prior points: path length, total turning, and the largest single
// change of direction between consecutive states.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "fm_common.hpp"
#include "fm_q3.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using namespace fm_q3;
using report::tex_fixed;
constexpr std::size_t kDrawn = 10, kMeasured = 1000;  // paths the figure draws, and the measures average over

nlohmann::json model_json(const report::PathStats& r, const Turning& tu) {
    return nlohmann::json{{"mean_length", r.mean_length}, {"mean_straight", report::mean(r.straight)},
                          {"median_ratio", report::median(r.ratio)}, {"mean_ratio", r.mean_ratio},
                          {"max_ratio", r.max_ratio}, {"mean_turning_rad", tu.mean_total},
                          {"mean_largest_turn_rad", tu.mean_largest}};
}

// The comparison, sentence by sentence from the numbers.
std::string consistency(Context& ctx, const report::PathStats& fm_r, const Turning& fm_turn,
                        const report::PathStats& nf_r, const Turning& nf_turn) {
    const bool shorter = ctx.verdict("fm_paths_shorter", "flow matching's mean path length is below the flow's",
                                     {{"fm", fm_r.mean_length}, {"nf", nf_r.mean_length}},
                                     fm_r.mean_length < nf_r.mean_length);
    const bool less_turn = ctx.verdict("fm_turns_less", "flow matching's mean total turning is below the flow's",
                                       {{"fm", fm_turn.mean_total}, {"nf", nf_turn.mean_total}},
                                       fm_turn.mean_total < nf_turn.mean_total);
    const bool smoother = ctx.verdict("fm_turns_smaller",
                                      "flow matching's mean largest single turn is below the flow's",
                                      {{"fm", fm_turn.mean_largest}, {"nf", nf_turn.mean_largest}},
                                      fm_turn.mean_largest < nf_turn.mean_largest);
    const int wins = int(shorter) + int(less_turn) + int(smoother);
    return wins == 3 ? "By all three measures the flow-matching flow is the more consistent over time: "
                       "its field changes continuously with $t$ and was fitted at every $t$, while the "
                       "normalizing flow is trained only on its end points and each of its layers may move "
                       "a point anywhere along one axis."
           : wins == 0 ? "By all three measures the normalizing flow's paths are the more consistent ones in this run."
                       : fmt::format("The measures disagree in this run: flow matching's paths are {} and turn {} "
                                     "in all, with {} largest single turns.",
                                     shorter ? "shorter" : "longer", less_turn ? "less" : "more",
                                     smoother ? "smaller" : "larger");
}

// The figure: kDrawn paths, about 100 segments each (recorded). Returns how many
// integration steps apart the drawn states are.
std::size_t draw_paths(Context& ctx, fm::Model& m, const fm::Integration& how) {
    const std::size_t steps = fm::step_count(0, 1, how.dt);
    const nn::Mat<float> z10 = prior_sample(ctx, kDrawn, "samples");
    Recorder rec(steps, 100);
    fm::forward_flow(m.field, z10, how, nullptr, rec.observer());
    const auto& drawn = rec.states;
    ctx.figure("trajectories",
               report::trajectories_tikz("fr cloud, width=6.5cm, xlabel={$x_1$}, ylabel={$x_2$}",
                                         "trajectories.dat", kDrawn, drawn.size()),
               {{"trajectories.dat", report::trajectories_dat(drawn, rec.times)}});
    const report::PathStats r10 = report::path_stats(drawn);
    ctx.stats["figures"]["trajectories"] = {{"count", kDrawn}, {"states", drawn.size()},
                                            {"mean_ratio", r10.mean_ratio}, {"max_ratio", r10.max_ratio},
                                            {"mean_length", r10.mean_length}};
    return rec.every;
}

Paths measure_paths(Context& ctx, fm::Model& m, const nf::Model& nfm, const fm::Integration& how) {
    Paths p;
    const nn::Mat<float> z = prior_sample(ctx, kMeasured, "measure");
    fm::forward_flow(m.field, z, how, nullptr, [&](std::size_t, double t, const nn::Mat<float>& y) {
        p.all.push_back(y);
        p.all_t.push_back(t);
    });
    p.fm_r = report::path_stats(p.all);
    p.fm_turns = turns(p.all);
    p.fm_turn = turning(p.fm_turns);
    const std::vector<nn::Mat<float>> path = nf_layer_path(nfm, z);
    p.nf_r = report::path_stats(path);
    p.nf_turn = turning(turns(path));
    return p;
}

void write_answer(Context& ctx, const fm::Integration& how, std::size_t every, const Paths& p, const Radius& rad,
                  const nf::Model& nfm) {
    const auto& [all, all_t, fm_r, nf_r, fm_turns, fm_turn, nf_turn] = p;
    const auto& ratio = rad.ratio;
    const std::size_t k_min = rad.k_min;
    const auto [window, peak] = turning_by_tenth(fm_turns, all_t);
    const double peak_share = window[peak] + window[peak + 1];
    ctx.stats["turning_by_tenth"] = window;
    ctx.stats["turning_peak"] = {{"from", double(peak) / 10}, {"to", double(peak + 2) / 10}, {"share", peak_share}};
    const double fm_len = fm_r.mean_length, nf_len = nf_r.mean_length;
    const auto [inward, short_paths, dips] = shape_verdicts(ctx, p, rad);
    // The law's ratio: sqrt(t^2 q^2 + (1 - t)^2) with q^2 = E|x1|^2 / E|x0|^2 (here from the
    // cloud's ends), smallest at t = 1 / (1 + q^2), where it is q / sqrt(1 + q^2); for
    // standardised data q = 1: 1/sqrt 2 at t = 1/2.
    const double q = rad.r1 / rad.r0;
    const double law_ratio = q / std::sqrt(1 + q * q), law_t = 1.0 / (1.0 + q * q);

    ctx.text = ctx.section() + fmt::format(
        R"(Figure~\ref{{fig:fm-q3-trajectories}} follows {drawn} prior samples along the learned flow
({steps}; the lines join every {every} state). Only the conditional paths of Eq.~14 are
straight. A learned path follows the field, which at $(y, t)$ is the average direction
$x_1 - x_0$ of all the conditional paths that pass through $y$ at time $t$, and that average
changes along the way. Measured on {measured} paths from the prior: the cloud's root-mean-square
distance from the origin {shrinks} {rmin} of its start at $t = {tmin}$ and {grows}
{rend} of it at $t = 1$ (the law of $t x_1 + (1-t) x_0$ gives a minimum of {law_min} at
$t = {law_t}$){inward} {peak} of all the turning happens at $t \in [{pa}, {pb}]$, a fifth of the
time. A path is {fm_len} standardised units long on average while its ends lie {fm_str} apart,
so the ratio of the two is {fm_med} at the median{short}.

The normalizing flow's paths from the same prior points through its {L} layers
(Figure~\ref{{fig:nf-q4-trajectories}}) are {nf_len} units long with ends {nf_str} apart, and
they move in axis-parallel jumps: the largest change of direction between consecutive layers
is {nf_big} radians on average over the paths, against {fm_big} between consecutive steps of
flow matching, and a path turns by {nf_turn} radians in all against {fm_turn}. {verdict}

)",
        fmt::arg("steps", integration_description(how)), fmt::arg("drawn", kDrawn),
        fmt::arg("measured", report::tex_count((long long)kMeasured)),
        fmt::arg("every", report::ordinal((long long)every)), fmt::arg("rmin", tex_fixed(ratio[k_min], 2)),
        fmt::arg("shrinks", dips ? "shrinks to" : "is smallest,"), fmt::arg("grows", dips ? "grows back to" : "is"),
        fmt::arg("tmin", tex_fixed(all_t[k_min], 2)), fmt::arg("rend", tex_fixed(ratio.back(), 2)),
        fmt::arg("law_min", tex_fixed(law_ratio, 2)), fmt::arg("law_t", tex_fixed(law_t, 2)),
        fmt::arg("inward", inward
                               ? ": points first move inward and then out to their rings."
                               : "."),
        fmt::arg("short", short_paths
                              ? ": large because a point ends near where it started, not because the path is long"
                              : ""),
        fmt::arg("peak", report::tex_percent(peak_share, 0)),
        fmt::arg("pa", tex_fixed(double(peak) / 10, 1)), fmt::arg("pb", tex_fixed(double(peak + 2) / 10, 1)),
        fmt::arg("fm_len", tex_fixed(fm_len, 2)), fmt::arg("fm_str", tex_fixed(report::mean(fm_r.straight), 2)),
        fmt::arg("fm_med", tex_fixed(report::median(fm_r.ratio), 2)), fmt::arg("L", nfm.flow.layers()),
        fmt::arg("nf_len", tex_fixed(nf_len, 2)), fmt::arg("nf_str", tex_fixed(report::mean(nf_r.straight), 2)),
        fmt::arg("nf_big", tex_fixed(nf_turn.mean_largest, 2)), fmt::arg("fm_big", tex_fixed(fm_turn.mean_largest, 2)),
        fmt::arg("nf_turn", tex_fixed(nf_turn.mean_total, 1)), fmt::arg("fm_turn", tex_fixed(fm_turn.mean_total, 1)),
        fmt::arg("verdict", consistency(ctx, fm_r, fm_turn, nf_r, nf_turn))) +
        ctx.figure_float_of("trajectories", fmt::format("Flow matching: forward trajectories of {} samples, coloured by $t$.", kDrawn));
}

}  // namespace

void fm_q3_trajectories(Context& ctx) {
    nf::Model& nfm = nf_comparison_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t every = draw_paths(ctx, m, how);
    const Paths p = measure_paths(ctx, m, nfm, how);
    const Radius rad = radius(p.all);
    ctx.stats["consistency"] = {{"paths", kMeasured}, {"fm", model_json(p.fm_r, p.fm_turn)},
                                {"nf", model_json(p.nf_r, p.nf_turn)}};
    ctx.stats["radius"] = {{"rms_start", rad.r0}, {"rms_end", rad.r1}, {"min_ratio", rad.ratio[rad.k_min]},
                           {"min_t", p.all_t[rad.k_min]}};
    write_answer(ctx, how, every, p, rad, nfm);
}

FLOWREPORT_CHAPTER("rings", "fm-q3-trajectories", fm_flags, fm_q3_trajectories)

}  // namespace flow::chapters
