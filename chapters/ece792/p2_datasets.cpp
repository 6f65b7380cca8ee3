// p2-datasets: Problem 2, question 2.
//
// "Which data set is easier, moons or circles, and why?"
//
// Easier is measured as each cell's excess of held-out NLL over the true density's, seed
// by seed. Why: a flow from a Gaussian is a continuous bijection of the plane, so the
// image of the prior's central disc (simply connected, most of the mass) is simply
// connected and cannot be two nested rings: it must cross the gap and cover the hole,
// where the density can be made small but never zero. Measured on the circles' fits:
// the mass in the gap and the hole against the truth's. And whether the circles' excess
// is a limit of coupling flows or of these sizes: 10 and 20 couplings, three seeds each.
#include <algorithm>
#include <map>

#include "p2_datasets.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;
using report::tex_percent;
constexpr std::size_t kImage = 110;
const std::vector<std::size_t> kDeep{10, 20};  // the manifest's circles-c<k>-h512 families

// One row of the figure: the truth and the given fits, standardised frame, one colour
// scale per row; its images go to files. Columns past first_row_columns get a title of
// their own.
std::string density_row(std::size_t si, const std::vector<std::pair<std::string, const SeedFit*>>& shown,
                        std::size_t first_row_columns, std::vector<std::pair<std::string, std::string>>& files) {
    const std::string& set = grid_sets()[si];
    const SeedFit& any = *shown.front().second;
    const double e = report::window_for({&any.pts.train}, 2.0, 3.5).extent;
    Mat<float> u = Mat<float>::from_shape({kImage * kImage, std::size_t(2)});
    const double cell = 2 * e / double(kImage);
    for (std::size_t r = 0; r < kImage; ++r)
        for (std::size_t c = 0; c < kImage; ++c) {
            u(r * kImage + c, 0) = float(-e + (double(c) + 0.5) * cell);
            u(r * kImage + c, 1) = float(e - (double(r) + 0.5) * cell);
        }
    std::vector<std::vector<double>> images{truth_log_p(set, any.fit.scale, u)};
    std::vector<std::string> titles{"true density"};
    for (const auto& [title, f] : shown) {
        images.push_back(model::density_image(f->fit, -e, e, -e, e, kImage));
        titles.push_back(title);
    }
    const double top = *std::max_element(images[0].begin(), images[0].end()), bottom = top - 8;
    std::string tikz;
    for (std::size_t col = 0; col < images.size(); ++col) {
        const std::string png = fmt::format("{}-{}.png", set, col);
        files.push_back({png, report::png_viridis(images[col], kImage, kImage, bottom, top)});
        const std::string at = col > 0 ? fmt::format(", at={{(d{}{}.east)}}, anchor=west, xshift=0.35cm", si, col - 1)
                             : si > 0  ? ", at={(d00.south)}, anchor=north, yshift=-0.75cm"
                                       : "";
        const bool last = col + 1 == images.size();
        tikz += fmt::format(
            "\\begin{{axis}}[fr row panel, width=3.7cm, name=d{}{}{}, xmin={}, xmax={}, ymin={}, ymax={}, "
            "enlargelimits=false, axis on top, grid=none, xtick={{-2,0,2}}, ytick={{-2,0,2}}{}{}{}{}]\n"
            "\\addplot graphics[xmin={}, xmax={}, ymin={}, ymax={}] {{{}}};\n\\end{{axis}}\n",
            si, col, at, -e, e, -e, e,
            // Titles on the first row; below, only a column the first row does not have.
            si == 0 || col >= first_row_columns ? ", title={" + titles[col] + "}" : std::string(),
            col == 0 ? ", ylabel style={align=center}, ylabel={" + set + "\\\\ $x_2$}" : ", yticklabels={}",
            si + 1 == grid_sets().size() ? ", xlabel={$x_1$}" : ", xticklabels={}",
            last ? fmt::format(", colormap name=fr viridis, colorbar, point meta min={:.1f}, point meta max={:.1f}, "
                               "colorbar style={{width=0.15cm, ylabel={{$\\log p$ (nats)}}, fr small ticks}}",
                               bottom, top)
                 : std::string(),
            -e, e, -e, e, png);
    }
    return tikz;
}

// The circles' excess against the moons', cell by cell and seed by seed (recorded).
std::pair<std::size_t, std::size_t> circles_worse(Context& ctx, const std::vector<Cell>& g) {
    std::size_t worse = 0, pairs = 0;
    for (std::size_t h : grid_widths())
        for (std::size_t c : grid_couplings()) {
            const Compared p = compare_excess(cell_of(g, "moons", c, h), cell_of(g, "circles", c, h));
            ++pairs;
            worse += p.order == "a below";
            ctx.stats["circles_minus_moons"][std::to_string(c) + "-" + std::to_string(h)] = -p.diff.mean;
        }
    return {worse, pairs};
}

// The gap and the hole (recorded), for the first fits of 5 couplings and of the deepest (512 units).
std::pair<std::map<std::string, double>, std::map<std::string, double>> gaps(Context& ctx, const SeedFit& f5,
                                                                             const SeedFit& fd) {
    const SetGrid s = set_grid("circles");
    const auto lps = cells_log_p({&f5.fit, &fd.fit}, s);
    auto at5 = circles_gap(s, f5, lps[0]), atd = circles_gap(s, fd, lps[1]);
    for (const auto& [k, v] : at5) ctx.stats["circles_gap"]["c5"][k] = v;
    for (const auto& [k, v] : atd) ctx.stats["circles_gap"]["deepest"][k] = v;
    return {at5, atd};
}

// "$a \pm b$, ... and $c \pm d$" and "5, 10 and 20": the excess of each family, by couplings.
std::pair<std::string, std::string> by_depth(const Cell& five, const std::vector<Cell>& deeper) {
    std::string list = "$" + pm(five.excess) + "$", counts = std::to_string(five.couplings);
    for (std::size_t i = 0; i < deeper.size(); ++i) {
        const char* sep = i + 1 == deeper.size() ? " and " : ", ";
        list += sep + ("$" + pm(deeper[i].excess) + "$");
        counts += sep + std::to_string(deeper[i].couplings);
    }
    return {list, counts};
}

// The figure: each set's truth and its wide fits by couplings; the circles' deepest too.
void draw_densities(Context& ctx, const std::vector<Cell>& g, const SeedFit& deepest) {
    std::string tikz = "\\begin{tikzpicture}\n";
    std::vector<std::pair<std::string, std::string>> files;
    for (std::size_t si = 0; si < grid_sets().size(); ++si) {
        std::vector<std::pair<std::string, const SeedFit*>> shown;
        for (std::size_t c : grid_couplings())
            shown.push_back({fmt::format("{} coupling{}", c, c == 1 ? "" : "s"),
                             &cell_of(g, grid_sets()[si], c, grid_widths().back()).fits.front()});
        if (grid_sets()[si] == "circles") shown.push_back({fmt::format("{} couplings, 512", kDeep.back()), &deepest});
        tikz += density_row(si, shown, grid_couplings().size() + 1, files);
    }
    ctx.figure("densities", tikz + "\\end{tikzpicture}\n", files);
}

void p2_datasets(Context& ctx) {
    const auto g = grid_cells(ctx);
    const std::size_t deep = grid_couplings().back();
    std::vector<Cell> deeper;
    for (std::size_t k : kDeep) deeper.push_back(load_cell(ctx, cell_name("circles", k, 512), "circles", k, 512));
    const auto [worse, pairs] = circles_worse(ctx, g);
    const std::string easier = ctx.verdict("moons_easier",
                                           "sizes at which all the circles fits' excess over the truth is above all "
                                           "the moons fits': 'all', 'most' (more than half) or 'not most'",
                                           {{"sizes_circles_worse", worse}, {"sizes", pairs}},
                                           worse == pairs ? "all" : 2 * worse > pairs ? "most" : "not most");
    // Deeper: does the excess keep falling (every seed of the deepest below every seed of 5 couplings)?
    const Cell& five = cell_of(g, "circles", deep, 512);
    const Compared deepest = compare_excess(deeper.back(), five);
    const bool keeps_falling = ctx.verdict("circles_deeper_lower",
                                           "all the deepest circles fits' excess is below all the 5-coupling fits' "
                                           "(512 units)",
                                           {{"order", deepest.order}}, deepest.order == "a below");
    const SeedFit& fd = deeper.back().fits.front();
    const auto [at5, atd] = gaps(ctx, five.fits.front(), fd);  // one width: 512 units
    draw_densities(ctx, g, fd);
    const auto [deep_list, deep_counts] = by_depth(five, deeper);
    ctx.text = ctx.section() + fmt::format(
        R"(\emph{{{answer}}} At {cmp} every circles fit is further above the truth than every moons fit
(Table~\ref{{tab:p2-layers}}).

\emph{{Why.}} One Gaussian $p(x_2 \mid x_1)$ cannot follow the circles' four modes (Section~\ref{{sec:p2-layers}}).
With more couplings, topology: a flow from a Gaussian is a continuous bijection of the plane, so the prior's
central disc maps to a simply connected set, which can hold the outer ring only by covering the gap and the inner
hole or by cutting the ring. The mass the flow leaves in the gap and the hole measures how
close it comes: with {deep}
couplings and 512 units (first fit), the gap (radius {glo} to {ghi}, between rings of radii {cf:g} and 1 before
standardising) holds {gm} of the model's mass against {gt} of the truth's, and the hole (radius below {hole})
{hm} against {ht} (Figure~\ref{{fig:{id}}} draws the 1024-unit fits).

\emph{{A limit of the structure?}} {deep_answer} With 512 units the excess is {list} nats for {counts} couplings;
the first {dd}-coupling fit puts {gd} of its mass in the gap and {hd} in the hole. Topology costs the circles depth,
not feasibility. Coupling flows are universal
approximators as depth grows \cite{{teshima2020}}.
)",
        fmt::arg("answer", easier == "all"    ? "The moons are easier."
                           : easier == "most" ? "The moons are easier at most sizes."
                                              : "Neither set is clearly easier."),
        fmt::arg("cmp", worse == pairs ? std::string("every size") : fmt::format("{} of the {} sizes", worse, pairs)), fmt::arg("deep", deep),
        fmt::arg("cf", data::spec(data::Shape::Circles).factor), fmt::arg("glo", kGapLo), fmt::arg("ghi", kGapHi), fmt::arg("hole", kHole),
        fmt::arg("gm", tex_percent(at5.at("gap_model"), 1)), fmt::arg("gt", tex_percent(at5.at("gap_truth"), 2)),
        fmt::arg("hm", tex_percent(at5.at("hole_model"), 1)), fmt::arg("ht", tex_percent(at5.at("hole_truth"), 2)),
        fmt::arg("gd", tex_percent(atd.at("gap_model"), 1)), fmt::arg("hd", tex_percent(atd.at("hole_model"), 1)),
        fmt::arg("dd", kDeep.back()), fmt::arg("counts", deep_counts), fmt::arg("list", deep_list), fmt::arg("id", ctx.chapter().id),
        fmt::arg("deep_answer",
                 keeps_falling ? fmt::format("No: every fit with {} couplings is closer to the truth than every fit "
                                             "with {}.", kDeep.back(), deep)
                               : fmt::format("Not clearly: the fits with {} and {} couplings overlap.", kDeep.back(),
                                             deep)));
    ctx.text += ctx.figure_float_of(
        "densities", fmt::format("True and learned log-densities (first fit, {} units unless marked), from 8 nats "
                                 "below the truth's peak to it.",
                                 grid_widths().back()));
}

}  // namespace

FLOWREPORT_CHAPTER("ece792", "p2-datasets", nullptr, p2_datasets)

}  // namespace flow::chapters::ece792
