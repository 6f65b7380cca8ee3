// fm-q3-trajectories: Flow matching, Q3 "Point trajectory".
//
// "Sample 10 points of your choice from your model and present their forward process
//  as a 2D trajectory. Color the points according to their time t. Compare this to Q4
//  of Sec. 3.3. Which model's flow is more consistent over time?"
//
// Consistency is measured for both models on 1000 paths from the same prior points: a
// path's length over the straight distance between its ends (1 for a straight path),
// and how much the direction of motion turns along the way.
#include <cmath>

#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

// Mean over points of the total turning angle (radians) of the path's segments.
double mean_turning(const std::vector<nn::Mat<float>>& s) {
    const std::size_t n = s.front().shape(0);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double prev = NAN;
        for (std::size_t k = 1; k < s.size(); ++k) {
            const double dx = s[k](i, 0) - s[k - 1](i, 0), dy = s[k](i, 1) - s[k - 1](i, 1);
            if (std::hypot(dx, dy) < 1e-12) continue;
            const double a = std::atan2(dy, dx);
            if (!std::isnan(prev)) total += std::fabs(std::remainder(a - prev, 2 * M_PI));
            prev = a;
        }
    }
    return total / double(n);
}

}  // namespace

void fm_q3_trajectories(Context& ctx) {
    using report::tex_fixed;
    nf::Model nfm = nf_comparison_model(ctx);  // first: a bad --nf-model fails before any training
    fm::Model m = fm_model(ctx);
    const fm::Integration how = fm::Integration::from_flags(ctx.flags());
    const std::size_t steps = fm::step_count(0, 1, how.dt);
    const std::size_t every = std::max<std::size_t>(1, steps / 100);  // about 100 segments drawn

    // The figure: 10 paths, states kept every few steps (and the last).
    const nn::Mat<float> z10 = prior_sample(ctx, 10, "samples");
    std::vector<nn::Mat<float>> drawn;
    std::vector<double> times;
    fm::forward_flow(m.field, z10, how, nullptr, [&](std::size_t k, double t, const nn::Mat<float>& y) {
        if (k % every == 0 || k == steps) {
            drawn.push_back(y);
            times.push_back(t);
        }
    });
    ctx.figure("trajectories",
               report::trajectories_tikz("fr cloud, width=8cm, xlabel={$x_1$}, ylabel={$x_2$}",
                                         "trajectories.dat", 10, drawn.size()),
               {{"trajectories.dat", report::trajectories_dat(drawn, times)}});
    const report::PathStats r10 = report::path_stats(drawn);

    // The measure, on 1000 paths with every step, for both models.
    const nn::Mat<float> z = prior_sample(ctx, 1000, "measure");
    std::vector<nn::Mat<float>> all;
    fm::forward_flow(m.field, z, how, nullptr,
                     [&](std::size_t, double, const nn::Mat<float>& y) { all.push_back(y); });
    const report::PathStats fm_r = report::path_stats(all);
    const double fm_turn = mean_turning(all);
    std::vector<nn::Mat<float>> path;
    nn::Mat<float> x_nf;
    nfm.flow.forward(z, x_nf, &path);
    nf::to_output_frame(path);
    const report::PathStats nf_r = report::path_stats(path);
    const double nf_turn = mean_turning(path);

    ctx.stats["figures"]["trajectories"] = {{"count", 10}, {"states", drawn.size()},
                                            {"mean_ratio", r10.mean_ratio}, {"max_ratio", r10.max_ratio},
                                            {"mean_length", r10.mean_length}};
    ctx.stats["consistency"] = {
        {"paths", 1000},
        {"fm", {{"mean_ratio", fm_r.mean_ratio}, {"max_ratio", fm_r.max_ratio}, {"mean_length", fm_r.mean_length},
                {"mean_turning_rad", fm_turn}}},
        {"nf", {{"mean_ratio", nf_r.mean_ratio}, {"max_ratio", nf_r.max_ratio}, {"mean_length", nf_r.mean_length},
                {"mean_turning_rad", nf_turn}}}};
    const bool fm_more = fm_r.mean_ratio < nf_r.mean_ratio && fm_turn < nf_turn;

    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:fm-q3-trajectories}}

Figure~\ref{{fig:fm-q3-trajectories}} follows 10 prior samples (open circles) along the
learned flow to their outputs (dots), coloured by $t$ ({steps}; the lines join every
{every}th state). Each path moves steadily in one general direction and bends gently where
it is steered onto a ring: on average these 10 paths are {r10} times as long as the straight
segment between their ends.

Measured on 1000 paths from the same prior points for both models, a flow-matching path is
on average {fm_ratio} times as long as the straight segment between its ends (at most
{fm_max}), and its direction of motion turns by {fm_turn} radians in all; a path of the
normalizing flow through its {L} layers (Figure~\ref{{fig:nf-q4-trajectories}}) is
{nf_ratio} times as long (at most {nf_max}) and turns by {nf_turn} radians, in abrupt
axis-parallel jumps. {verdict}

\begin{{figure}}[htbp]
  \centering
  \includegraphics{{{pdf}}}
  \caption{{Flow matching: forward trajectories of 10 samples, coloured by $t$.}}
  \label{{fig:fm-q3-trajectories}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("steps", integration_description(how)),
        fmt::arg("every", every), fmt::arg("r10", tex_fixed(r10.mean_ratio, 2)),
        fmt::arg("fm_ratio", tex_fixed(fm_r.mean_ratio, 2)), fmt::arg("fm_max", tex_fixed(fm_r.max_ratio, 2)),
        fmt::arg("fm_turn", tex_fixed(fm_turn, 2)), fmt::arg("L", nfm.flow.layers()),
        fmt::arg("nf_ratio", tex_fixed(nf_r.mean_ratio, 2)), fmt::arg("nf_max", tex_fixed(nf_r.max_ratio, 2)),
        fmt::arg("nf_turn", tex_fixed(nf_turn, 2)),
        fmt::arg("verdict",
                 fm_more ? "The flow-matching flow is the more consistent over time: it was trained "
                           "to follow straight paths from noise to data at every $t$, while the "
                           "normalizing flow is trained only on its end points, and each of its layers "
                           "may move a point anywhere along one axis."
                         : "By these measures the flow-matching flow is not the more consistent one in "
                           "this run."),
        fmt::arg("pdf", ctx.figure_pdf("trajectories")));
}

}  // namespace flow::chapters
