// cfm-q1-input: Conditional flow matching, Q1 "Plotting the input".
//
// "Plot your input coloring the points by their classes. Which equation did you
//  change to insert the conditioning?"
//
// No model is needed: the chapter draws the conditional training set exactly as the
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

// The class list, and the text's two judgements, stated from the numbers: whether every
// point lies in its own ring's band, and whether the set is uniform in area.
struct Judgements {
    std::string class_list, membership, inner_text;
};
Judgements judgements(Context& ctx, double min_own, double inner_share, double area_share, std::size_t n) {
    Judgements j;
    for (int k = 0; k < data::kClasses; ++k)
        j.class_list += fmt::format("{}{}~{}", k ? (k + 1 == data::kClasses ? " and " : ", ") : "", k,
                                    data::rings()[std::size_t(k)].colour);
    j.membership =
        ctx.verdict("every_point_in_own_band", "every training point lies in its own class's ring band",
                    {{"worst_class_share", min_own}}, min_own == 1.0)
            ? "Every training point lies in its own class's ring band."
            : fmt::format("In the worst class only {} of the points lie in their own ring's band.",
                          report::tex_percent(min_own, 2));
    const double se = std::sqrt(area_share * (1.0 - area_share) / double(n));
    const std::string uniformity = ctx.verdict(
        "inner_half_of_bands",
        "the share of points inside the rings' mid-radius against the share of the bands' area there, beyond four "
        "binomial standard errors: denser or sparser toward the inner edges, else uniform",
        {{"share", inner_share}, {"area_share", area_share}, {"se", se}},
        std::fabs(inner_share - area_share) <= 4.0 * se ? "uniform"
        : inner_share > area_share                       ? "denser"
                                                         : "sparser");
    j.inner_text =
        uniformity != "uniform"
            ? fmt::format(
                  "The set is not uniform in area: {} of its points lie inside the rings' "
                  "mid-radius, where points uniform over a band's area would give {}, so the bands "
                  "are {} toward their inner edges.",
                  report::tex_percent(inner_share), report::tex_percent(area_share),
                  uniformity)
            : fmt::format("{} of its points lie inside the rings' mid-radius, as points uniform "
                          "over a band's area would ({}).",
                          report::tex_percent(inner_share), report::tex_percent(area_share));
    return j;
}

// The share of a set's raw points nearer their ring's centre than its mid-radius: 1/2
// for a radius drawn uniformly (as here), and what points uniform over a band's area give.
double share_inside_mid_radius(const data::PointSet& set) {
    const std::size_t n = set.x.shape(0);
    std::size_t inner = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto p = set.scale.to_raw(set.x(i, 0), set.x(i, 1));
        const auto& ring = data::rings()[std::size_t(set.labels(i))];
        if (std::hypot(p[0] - ring.cx, p[1] - ring.cy) < data::kRingRadius) ++inner;
    }
    return double(inner) / double(n);
}
double area_share_inside_mid_radius() {
    return (1.0 - data::kBandInner * data::kBandInner) /
           (data::kBandOuter * data::kBandOuter - data::kBandInner * data::kBandInner);
}

// The largest distance of a class mean (set_classes' "mean", standardised) from its
// ring's centre, in raw units.
double largest_mean_offset(const nlohmann::json& set_classes, const data::Standardiser& sc) {
    double max_offset = 0.0;
    for (int k = 0; k < data::kClasses; ++k) {
        const auto& ring = data::rings()[std::size_t(k)];
        const auto& m = set_classes[std::string(ring.colour)]["mean"];
        const auto raw = sc.to_raw(m[0].get<double>(), m[1].get<double>());
        max_offset = std::max(max_offset, std::hypot(raw[0] - ring.cx, raw[1] - ring.cy));
    }
    return max_offset;
}

// How the standardisation shapes the rings, in a sentence chosen by a verdict.
std::string ellipses_sentence(Context& ctx, const data::Standardiser& sc) {
    return ctx.verdict("upright_ellipses", "the standard deviation of x_1 is above that of x_2",
                       {{"std_x1", sc.std[0]}, {"std_x2", sc.std[1]}}, sc.std[0] > sc.std[1])
               ? fmt::format("Because $x_2$ is divided by a standard deviation {} times smaller than\nthat of "
                             "$x_1$, the circles of the logo appear as upright ellipses.",
                             report::tex_num(sc.std[0] / sc.std[1], 2))
               : std::string("The circles of the logo appear as ellipses, wider than tall.");
}

// The answer to "which equation did you change": the conditioned objective and sampler.
std::string which_equation() {
    return R"(\paragraph{Which equation changes.} Only the vector field's signature changes: it takes the
class $c$ of the target point as a further input. The training objective of Eq.~16 becomes
\[
  \arg\min_{v_t}\; \mathbb{E}_{(y_1, c) \sim q,\; y_0 \sim p_0}
  \bigl\| v_t(y_t, c) - (y_1 - y_0) \bigr\|^2 ,
\]
and the sampling step of Eq.~17 becomes $y_{t+\Delta t} = y_t + v_t(y_t, c)\,\Delta t$ with
$c$ held fixed along the path. The linear path of Eq.~14 and its velocity $y_1 - y_0$ of
Eq.~15 stay as they are: they are already conditioned on the target $y_1$, which carries its
class. In the network, $c$ enters through an embedding whose vector is mixed with $(y_t, t)$ by
the first fully connected layer.
)";
}

}  // namespace

void cfm_q1_input(Context& ctx) {
    using report::tex_count;
    using report::tex_num;
    // The training input: the set the conditional model was trained on, drawn again.
    const fm::Config cfg = ctx.load_as<fm::Model>("cfm").config;
    const auto set = fm::training_set(cfg);
    const std::size_t n = set.x.shape(0);

    // Rows of each class; the points of a class are i.i.d., so its first rows are a
    // uniform subsample of it.
    std::vector<std::vector<std::size_t>> rows(data::kClasses), plotted(data::kClasses);
    for (std::size_t i = 0; i < n; ++i) rows[std::size_t(set.labels(i))].push_back(i);
    for (int k = 0; k < data::kClasses; ++k)
        plotted[std::size_t(k)].assign(rows[std::size_t(k)].begin(),
                                       rows[std::size_t(k)].begin() +
                                           long(std::min(rows[std::size_t(k)].size(), kPlottedPerClass)));

    const double inner_share = share_inside_mid_radius(set), area_share = area_share_inside_mid_radius();
    ctx.stats["figures"]["input"]["count"] = input_figure(ctx, set, plotted);
    nlohmann::json set_classes;
    const double min_own = class_stats(ctx, set, rows, plotted, set_classes);
    ctx.stats["training_set"] = {{"count", n}, {"classes", set_classes},
                                 {"standardiser", {{"mean", set.scale.mean}, {"std", set.scale.std}}},
                                 {"share_inside_mid_radius", inner_share}};

    const auto& sc = set.scale;
    const double max_offset = largest_mean_offset(set_classes, sc);
    ctx.stats["training_set"]["max_mean_offset_from_centre"] = max_offset;
    const Judgements said = judgements(ctx, min_own, inner_share, area_share, n);
    ctx.text = ctx.section() + fmt::format(
        R"(\paragraph{{The input.}} The conditional training set holds {n} points, {per} on each ring,
with class labels {classes} (the colour names in alphabetical order).
Figure~\ref{{fig:cfm-q1-input}} shows the first {shown} points of every class in the ring's
own colour, in the standardised coordinates the model is trained in: the raw set's mean
$({mx}, {my})$ is subtracted and each coordinate divided by its standard deviation
$({sx}, {sy})$. {ellipses}
{membership} Each class mean, mapped back to the logo's units, lies within {off} of its
ring's centre. {inner_text}

\begin{{figure}}[htbp]
  \centering
  \includegraphics{{{pdf}}}
  \caption{{Conditional training input: {shown} points per class, coloured by class.}}
  \label{{fig:cfm-q1-input}}
\end{{figure}}

{equation})",
        fmt::arg("n", tex_count((long long)n)),
        fmt::arg("per", tex_count((long long)rows[0].size())), fmt::arg("classes", said.class_list),
        fmt::arg("shown", tex_count((long long)plotted[0].size())),
        fmt::arg("mx", tex_num(sc.mean[0])), fmt::arg("my", tex_num(sc.mean[1])),
        fmt::arg("sx", tex_num(sc.std[0])), fmt::arg("sy", tex_num(sc.std[1])),
        fmt::arg("ellipses", ellipses_sentence(ctx, sc)), fmt::arg("membership", said.membership),
        fmt::arg("off", tex_num(max_offset, 2)),
        fmt::arg("inner_text", said.inner_text),
        fmt::arg("pdf", ctx.figure_pdf("input")), fmt::arg("equation", which_equation()));
}

FLOWREPORT_CHAPTER("rings", "cfm-q1-input", nullptr, cfm_q1_input)

}  // namespace flow::chapters
