// cfm-q1-input: Conditional flow matching, Q1 "Plotting the input".
//
// "Plot your input coloring the points by their classes. Which equation did you
//  change to insert the conditioning?"
//
// The chapter draws the conditional training set exactly as the
// conditional model will see it (same --points, same seed and stream), plots a
// subsample coloured by class, and answers from the set's measured statistics.
#include <cmath>

#include <fmt/format.h>

#include "data/olympic.hpp"
#include "fm/train.hpp"
#include "cfm_q1_input.hpp"
#include "common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

namespace {

using namespace cfm_q1;

// The answer to "which equation did you change": the conditioned objective and sampler.
std::string which_equation(std::size_t embed_dim) {
    return fmt::format(R"(We change the objective, Eq.~16, and with it the sampling step, Eq.~17: the field takes
the class $c$ of the target point as a further input,
\[
  \arg\min_{{v_t}}\; \mathbb{{E}}_{{(x_1, c) \sim q,\; x_0 \sim p_0}}
  \bigl\| v_t(y_t, c) - (x_1 - x_0) \bigr\|^2 , \qquad
  y_{{t+\Delta t}} = y_t + v_t(y_t, c)\,\Delta t ,
\]
with $c$ fixed along a path. Eq.~14 and 15 are already conditioned on $x_1$, which carries its
class. The network takes $c$ through an embedding of length {emb}.
)",
                       fmt::arg("emb", embed_dim));
}

}  // namespace

void cfm_q1_input(Context& ctx) {
    // The training input: the set the conditional model was trained on, drawn again.
    const fm::Model& cfm = ctx.load_as<fm::Model>("cfm");
    const auto set = fm::training_set(cfm.config);
    const std::size_t n = set.x.shape(0);

    // Rows of each class; the points of a class are i.i.d., so its first rows are a
    // uniform subsample of it.
    std::vector<std::vector<std::size_t>> rows(data::kClasses), plotted(data::kClasses);
    for (std::size_t i = 0; i < n; ++i) rows[std::size_t(set.labels(i))].push_back(i);
    for (int k = 0; k < data::kClasses; ++k)
        plotted[std::size_t(k)].assign(rows[std::size_t(k)].begin(),
                                       rows[std::size_t(k)].begin() +
                                           long(std::min(rows[std::size_t(k)].size(), kPlottedPerClass)));
    ctx.stats["figures"]["input"]["count"] = input_figure(ctx, set, plotted);
    nlohmann::json set_classes;
    const double min_own = class_stats(ctx, set, rows, plotted, set_classes);
    ctx.stats["training_set"] = {{"count", n}, {"classes", set_classes},
                                 {"standardiser", {{"mean", set.scale.mean}, {"std", set.scale.std}}}};
    const bool own = ctx.verdict("every_point_in_own_band", "every training point lies in its own class's ring band",
                                 {{"worst_class_share", min_own}}, min_own == 1.0);
    ctx.text = ctx.section() + which_equation(cfm.config.shape.embed_dim) + fmt::format(
        R"(
Figure~\ref{{fig:cfm-q1-input}} shows {shown} of the {per} training points of each class in its
ring's colour{own}.

)",
        fmt::arg("shown", report::tex_count((long long)plotted[0].size())),
        fmt::arg("per", report::tex_count((long long)rows[0].size())),
        fmt::arg("own", own ? "; every point lies in its own ring's band" : "")) +
        ctx.figure_float_of("input", "Conditional training input: a subsample of every class, coloured by class.");
}

FLOWREPORT_CHAPTER("rings", "cfm-q1-input", nullptr, cfm_q1_input)

}  // namespace flow::chapters
