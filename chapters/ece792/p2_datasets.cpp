// p2-datasets: Problem 2, question 2.
//
// "Which data set is easier, moons or circles, and why?"
//
// Easier is measured as the excess of each model's held-out NLL over the true density's
// (both sets have a known density) and as the mass a model leaves where the data has
// almost none: outside the true density's 99 % highest-density region. For the circles
// the gap between the rings and the hole of the inner one are measured separately, and
// the density along the middle of the gap shows the bridges a flow from a Gaussian
// must leave: it is a continuous bijection of the plane, so the image of the prior's
// central disc (a simply connected set holding most of the model's mass) is simply
// connected and cannot be two nested rings; it has to cover the gap and the hole, and
// the flow can only make the density there small, never zero.
#include <algorithm>
#include <map>

#include "nf/train.hpp"
#include "p2_datasets.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;
constexpr std::size_t kImage = 110;

// The circles' excess over the truth against the moons', size by size.
struct Excess {
    std::size_t circles_worse = 0, pairs = 0;
    std::string list;  // "couplings/units: circles against moons"
};
Excess excess_by_size(const std::vector<GridFit>& g) {
    Excess x;
    for (std::size_t h : grid_widths())
        for (std::size_t c : grid_couplings()) {
            const GridFit& m = grid_fit(g, "moons", c, h);
            const GridFit& k = grid_fit(g, "circles", c, h);
            const Difference d{k.excess.mean - m.excess.mean, std::hypot(k.excess.se, m.excess.se)};
            ++x.pairs;
            x.circles_worse += d.clear() && d.mean > 0;
            x.list += fmt::format("{}{}/{}: {} against {}", x.list.empty() ? "" : "; ", c, h,
                                  tex_fixed(k.excess.mean, 3), tex_fixed(m.excess.mean, 3));
        }
    return x;
}

// One row of the figure: the truth and every depth at the width `wide`, standardised
// frame, one colour scale per row; its images go to files.
std::string density_row(const std::vector<GridFit>& g, std::size_t si, std::size_t wide,
                        std::vector<std::pair<std::string, std::string>>& files) {
    const std::string& set = grid_sets()[si];
    std::string tikz;
    const GridFit& any = grid_fit(g, set, grid_couplings().front(), wide);
    const double e = report::window_for({&any.pts.train}, 2.0, 3.5).extent, cell = 2 * e / double(kImage);
    Mat<float> u = Mat<float>::from_shape({kImage * kImage, std::size_t(2)});
    for (std::size_t r = 0; r < kImage; ++r)
        for (std::size_t c = 0; c < kImage; ++c) {
            u(r * kImage + c, 0) = float(-e + (double(c) + 0.5) * cell);
            u(r * kImage + c, 1) = float(e - (double(r) + 0.5) * cell);
        }
    std::vector<std::vector<double>> images{truth_log_p(set, any.fit.scale, u)};
    for (std::size_t c : grid_couplings()) images.push_back(grid_fit(g, set, c, wide).fit.log_prob(u));
    const double top = *std::max_element(images[0].begin(), images[0].end()), bottom = top - 8;
    for (std::size_t col = 0; col < images.size(); ++col) {
        const std::string png = fmt::format("{}-{}.png", set, col);
        files.push_back({png, report::png_viridis(images[col], kImage, kImage, bottom, top)});
        const std::string name = fmt::format("d{}{}", si, col);
        const std::string at = col > 0 ? fmt::format(", at={{(d{}{}.east)}}, anchor=west, xshift=0.25cm", si, col - 1)
                             : si > 0  ? ", at={(d00.south)}, anchor=north, yshift=-0.5cm"
                                       : "";
        std::string title = col == 0 ? "true density" : fmt::format("{} coupling{}", grid_couplings()[col - 1],
                                                                     col == 1 ? "" : "s");
        tikz += fmt::format(
            "\\begin{{axis}}[fr row panel, width=4.0cm, name={}{}, xmin={}, xmax={}, ymin={}, ymax={}, "
            "enlargelimits=false, axis on top, grid=none{}{}{}]\n"
            "\\addplot graphics[xmin={}, xmax={}, ymin={}, ymax={}] {{{}}};\n\\end{{axis}}\n",
            name, at, -e, e, -e, e, si == 0 ? ", title={" + title + "}" : std::string(),
            (col == 0 ? ", ylabel style={align=center}, ylabel={" + set + "\\\\ $x_2$}" : ", yticklabels={}") +
                std::string(si + 1 == grid_sets().size() ? ", xlabel={$x_1$}" : ", xticklabels={}"),  // shared window
            col + 1 == images.size()
                ? fmt::format(", colormap name=fr viridis, colorbar, point meta min={:.2f}, point meta max={:.2f}, "
                              "colorbar style={{width=0.15cm, ylabel={{$\\log p$ (nats)}}, fr small ticks}}",
                              bottom, top)
                : std::string(),
            -e, e, -e, e, png);
    }
    return tikz;
}

// The answer, from the measurements.
struct Answer {
    bool circles_harder = false, bridges = false;
    Excess excess;
    double circles_best = 0, moons_best = 0, bound = 0;
    std::string leak_text;
    std::map<std::string, double> circles_at;
};

void write_answer(Context& ctx, const Answer& a, std::size_t deep, std::size_t wide) {
    const auto& circles_at = a.circles_at;
    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{{verdict}}} Measured by how far each model stays above the true density (Table~\ref{{tab:p2-layers}},
the excess in nats), the circles' model is clearly worse than the moons' model of the same size in {worse} of the
{pairs} sizes (couplings/units: circles against moons, {list}). With {deep} couplings the best excess is {cb} nats on
the circles and {mb} on the moons.

\emph{{Where the mass goes.}} The true density puts 1\,\% of its mass outside its 99\,\% region; the models with
{wide} units put there {leaks}. On the circles with {deep} couplings, the gap between the rings (radius {glo} to {ghi})
holds {gm} of the model's mass against {gt} of the truth's, and the hole of the inner ring (radius below {hole})
{hm} against {ht}; {sg} of the model's samples land in the gap, against {hg} of the held-out points. Along the
middle of the gap the model's density is at its highest {rmax} times the truth's there, and {rmm} times its own
median on that circle: {spread} (Figure~\ref{{fig:{id}}}).

\emph{{{why}}} A flow from a Gaussian is a continuous bijection of the plane. The prior's central disc, which holds
most of its mass, is simply connected, and so is its image: it cannot be two nested rings. To carry the prior's
mass onto both rings, the image must cross the gap and cover the inner hole, and the flow can only make the density
there small, never zero; a few couplings of bounded scale ($\lvert s\rvert < {bound:g}$ each) can only thin it so far. The moons need no hole: the same disc can be bent into both crescents joined by one
thin link.
)",
        fmt::arg("why", a.circles_harder ? "Why." : "What topology forces."),
        fmt::arg("verdict", a.circles_harder ? "The moons are easier." : "Neither set is clearly easier."),
        fmt::arg("worse", a.excess.circles_worse), fmt::arg("pairs", a.excess.pairs), fmt::arg("list", a.excess.list),
        fmt::arg("cb", tex_fixed(a.circles_best, 3)), fmt::arg("mb", tex_fixed(a.moons_best, 3)), fmt::arg("wide", wide),
        fmt::arg("leaks", a.leak_text), fmt::arg("glo", kGapLo), fmt::arg("ghi", kGapHi),
        fmt::arg("gm", report::tex_percent(circles_at.at("gap_model"), 1)),
        fmt::arg("gt", report::tex_percent(circles_at.at("gap_truth"), 2)), fmt::arg("hole", kHole),
        fmt::arg("hm", report::tex_percent(circles_at.at("hole_model"), 1)),
        fmt::arg("ht", report::tex_percent(circles_at.at("hole_truth"), 2)),
        fmt::arg("sg", report::tex_percent(circles_at.at("samples_in_gap"), 1)),
        fmt::arg("hg", report::tex_percent(circles_at.at("held_in_gap"), 1)),
        fmt::arg("rmax", tex_fixed(circles_at.at("ring_max_over_truth"), 0)),
        fmt::arg("rmm", tex_fixed(circles_at.at("ring_max_over_median"), 1)),
        fmt::arg("spread", a.bridges ? "the density left in the gap is gathered in bridges between the rings"
                                   : "the density left in the gap is spread around it as a film, not gathered in a "
                                     "few bridges"),
        fmt::arg("deep", deep), fmt::arg("bound", a.bound), fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float_of(
        "densities", fmt::format("The true log-density and the learned ones of the models with {} units, by number of "
                                 "couplings, in standardised coordinates; one colour scale per row, spanning 8 nats "
                                 "below the truth's highest value.",
                                 wide));
}

}  // namespace

void p2_datasets(Context& ctx) {
    const auto g = grid_fits(ctx);
    const std::size_t wide = grid_widths().back(), deep = grid_couplings().back();
    Answer a;
    a.excess = excess_by_size(g);
    // Mass outside the 99 % region, the circles' gap and hole, and the figure's rows.
    std::string tikz = "\\begin{tikzpicture}\n";
    std::vector<std::pair<std::string, std::string>> files;
    for (std::size_t si = 0; si < grid_sets().size(); ++si) {
        const std::string& set = grid_sets()[si];
        const SetGrid s = set_grid(set);
        const auto lps = wide_log_p(g, set, s);
        const nlohmann::json leaks = mass_outside(s, lps);
        ctx.stats["mass_outside_99"][set] = leaks;
        std::string per_depth;
        for (std::size_t c : grid_couplings())
            per_depth += fmt::format("{}{}", per_depth.empty() ? "" : ", ",
                                     report::tex_percent(leaks.at(std::to_string(c)).get<double>(), 1));
        a.leak_text += fmt::format("{}{}: {} for {} couplings", a.leak_text.empty() ? "" : "; ", set, per_depth,
                                   couplings_list());
        if (set == "circles") a.circles_at = circles_gap(s, grid_fit(g, set, deep, wide), lps.back());
        tikz += density_row(g, si, wide, files);
    }
    tikz += "\\end{tikzpicture}\n";
    ctx.figure("densities", tikz, files);
    for (const auto& [k, v] : a.circles_at)
        ctx.stats["circles_" + std::to_string(deep) + "_" + std::to_string(wide)][k] = v;

    const auto best_deep = [&](const std::string& set) {
        double best = INFINITY;
        for (std::size_t h : grid_widths()) best = std::min(best, grid_fit(g, set, deep, h).excess.mean);
        return best;
    };
    a.moons_best = best_deep("moons");
    a.circles_best = best_deep("circles");
    a.circles_harder = ctx.verdict(
        "moons_easier",
        "the circles' excess NLL over the truth is above the moons' by more than two standard errors at more than "
        "half of the model sizes",
        {{"circles_clearly_worse", a.excess.circles_worse}, {"sizes", a.excess.pairs}},
        a.excess.circles_worse * 2 > a.excess.pairs);
    const double ratio = a.circles_at.at("ring_max_over_median");
    a.bridges = ctx.verdict("gap_bridges",
                            "along the middle of the circles' gap the model's highest density is more than 3 times "
                            "its median there",
                            {{"ring_max_over_median", ratio}}, ratio > 3);
    a.bound = g.front().fit.as<nf::Model>().config.arch.log_scale_bound;
    write_answer(ctx, a, deep, wide);
}

FLOWREPORT_CHAPTER("ece792", "p2-datasets", nullptr, p2_datasets)

}  // namespace flow::chapters::ece792
