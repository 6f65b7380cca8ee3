// cfm-q2-class-trajectories: Conditional flow matching, Q2 "A point from each class".
//
// "Sample 1 point from each class. Plot the trajectory of the points, coloring each
//  trajectory with its class's color. Validate the points reach their class region."
//
// Each end point is mapped back to the logo's units and checked against the geometry
// of its own ring (distance to the ring's centre in [0.875, 1.125]).
#include <cmath>

#include "data/olympic.hpp"
#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

// The figure: each class's path over the ring bands in their classes' colours; its
// statistics (recorded) and the table's rows. Returns the rows and how many classes end
// in their own ring.
std::pair<std::string, std::size_t> draw(Context& ctx, const fm::Model& m, const nn::Mat<float>& z,
                                         const nn::Mat<float>& x,
                                         const std::vector<std::vector<std::vector<double>>>& cols) {
    const std::size_t K = data::kClasses;
    std::string plots, rows;
    std::vector<std::pair<std::string, std::string>> files;
    nlohmann::json per = nlohmann::json::object();
    std::size_t reached = 0;
    for (std::size_t k = 0; k < K; ++k) {
        const auto& ring = data::rings()[k];
        const std::string dat = fmt::format("class{}.dat", k);
        files.push_back({dat, report::dat_table({"x", "y", "t"}, cols[k])});
        plots += fmt::format("\\addplot[ring{0}, thick] table[x=x, y=y] {{{1}}};\n\\addlegendentry{{{0}}}\n"
                             "\\addplot[ring{0}, only marks, mark=o, mark size=2pt, forget plot] "
                             "coordinates {{({2},{3})}};\n"
                             "\\addplot[ring{0}, only marks, mark=*, mark size=2pt, forget plot] "
                             "coordinates {{({4},{5})}};\n",
                             ring.colour, dat, z(k, 0), z(k, 1), x(k, 0), x(k, 1));
        const auto raw = m.scale.to_raw(x(k, 0), x(k, 1));
        const double r = std::hypot(raw[0] - ring.cx, raw[1] - ring.cy);
        const bool own = data::on_ring(raw[0], raw[1], int(k));
        reached += own;
        per[std::string(ring.colour)] = {{"label", k}, {"start", {z(k, 0), z(k, 1)}}, {"end", {x(k, 0), x(k, 1)}},
                                         {"end_logo", raw}, {"distance_to_centre", r}, {"in_own_ring", own}};
        rows += fmt::format("{} ({}) & {}{}\\\\\n", ring.colour, k, tex_fixed(r, 3), own ? "" : " (outside)");
    }
    // The window holds every band whole and every path: the axis would fit the paths alone
    // and cut the rings it draws them over.
    double lo[2], hi[2];
    for (int d = 0; d < 2; ++d) {
        const double outer = data::kBandOuter / m.scale.std[std::size_t(d)];
        lo[d] = hi[d] = 0;
        for (const auto& ring : data::rings()) {
            const double c = m.scale.to_standard(ring.cx, ring.cy)[std::size_t(d)];
            lo[d] = std::min(lo[d], c - outer), hi[d] = std::max(hi[d], c + outer);
        }
        for (const auto& path : cols)
            for (const double v : path[std::size_t(d)]) lo[d] = std::min(lo[d], v), hi[d] = std::max(hi[d], v);
    }
    ctx.figure("trajectories",
               ring_colour_definitions() +
                   fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[fr cloud, width=8cm, xmin={:.2f}, xmax={:.2f}, "
                               "ymin={:.2f}, ymax={:.2f}, ",
                               lo[0] - 0.1, hi[0] + 0.1, lo[1] - 0.1, hi[1] + 0.1) +
                   "xlabel={$x_1$}, ylabel={$x_2$}, "
                   "legend columns=5, legend style={at={(0.5,1.03)}, anchor=south, font=\\small, nodes={text height=1.6ex, text depth=0.45ex}}]\n" +
                   ring_bands_tikz(m.scale, true) + plots + "\\end{axis}\n\\end{tikzpicture}\n",
               files);
    ctx.stats["figures"]["trajectories"] = {{"classes", per}, {"reached_own_ring", reached}};
    return {rows, reached};
}

}  // namespace

void cfm_q2_class_trajectories(Context& ctx) {
    fm::Model& m = fm_model(ctx, "cfm");
    const fm::Integration how = fm::integration(ctx.flags());
    const std::size_t K = data::kClasses, steps = fm::step_count(0, 1, how.dt);
    const std::size_t every = std::max<std::size_t>(1, steps / 200);
    const nn::Mat<float> z = prior_sample(ctx, K, "samples");
    const fm::Labels labels = cycling_labels(K);

    std::vector<std::vector<std::vector<double>>> cols(K, std::vector<std::vector<double>>(3));
    const nn::Mat<float> x = fm::forward_flow(m.field, z, how, &labels,
                                              [&](std::size_t k, double t, const nn::Mat<float>& y) {
                                                  if (k % every != 0 && k != steps) return;
                                                  for (std::size_t i = 0; i < K; ++i) {
                                                      cols[i][0].push_back(y(i, 0));
                                                      cols[i][1].push_back(y(i, 1));
                                                      cols[i][2].push_back(t);
                                                  }
                                              });

    const auto [rows, reached] = draw(ctx, m, z, x, cols);

    const bool all = ctx.verdict("all_reach_own_ring", "every class's point ends inside its own ring's band",
                                 {{"reached", reached}, {"points", K}}, reached == K);
    ctx.text = ctx.section() + fmt::format(
        R"({verdict} Figure~\ref{{fig:cfm-q2-class-trajectories}} follows one prior point per class
({steps}); Table~\ref{{tab:cfm-q2-class-trajectories}} checks each end point in the logo's
units, where a ring's band lies between {lo} and {hi} from its centre.

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lc}}
    class & distance to its ring's centre\\\hline
{rows}  \end{{tabular}}
  \caption{{Conditional flow matching: where each class's sample ends.}}
  \label{{tab:cfm-q2-class-trajectories}}
\end{{table}}

)",
        fmt::arg("verdict", all ? fmt::format("All {} points reach their class's ring.", report::count_words(K))
                                : fmt::format("Only {} of the {} points reach their class's ring.", reached,
                                              report::count_words(K))),
        fmt::arg("steps", integration_description(how)), fmt::arg("lo", data::kBandInner),
        fmt::arg("hi", data::kBandOuter), fmt::arg("rows", rows)) +
        ctx.figure_float_of("trajectories", "Conditional flow matching: one path per class in its colour, over the rings.");
}

FLOWREPORT_CHAPTER("rings", "cfm-q2-class-trajectories", fm_flags, cfm_q2_class_trajectories)

}  // namespace flow::chapters
