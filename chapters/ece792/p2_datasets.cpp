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

#include "common.hpp"
#include "nf/train.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;

constexpr std::size_t kGrid = 150;  // cells per side of the raw box
constexpr double kHdr = 0.99;
constexpr double kGapLo = 0.65, kGapHi = 0.85, kHole = 0.3;  // circles, raw units
constexpr std::size_t kAngles = 720;
constexpr std::size_t kImage = 110;

struct Box {
    double lo[2], h[2];
    std::array<double, 2> centre(std::size_t i, std::size_t j) const {
        return {lo[0] + (double(i) + 0.5) * h[0], lo[1] + (double(j) + 0.5) * h[1]};
    }
};

Box raw_box(const data::Dataset& d) {
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (const auto* rows : {&d.train_rows, &d.held_rows})
        for (const auto& r : *rows)
            for (int c = 0; c < 2; ++c) {
                lo[c] = std::min(lo[c], r[c]);
                hi[c] = std::max(hi[c], r[c]);
            }
    Box b;
    for (int c = 0; c < 2; ++c) {
        const double w = hi[c] - lo[c];
        b.lo[c] = lo[c] - w / 2;
        b.h[c] = 2 * w / double(kGrid);
    }
    return b;
}

// log p of a fit at raw points (its standardised density less log std_x std_y).
std::vector<double> model_raw_log_p(const Fit& f, const std::vector<std::array<double, 2>>& raw) {
    Mat<float> u = Mat<float>::from_shape({raw.size(), std::size_t(2)});
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto s = f.scale.to_standard(raw[i][0], raw[i][1]);
        u(i, 0) = float(s[0]);
        u(i, 1) = float(s[1]);
    }
    auto lp = f.log_prob(u);
    const double log_std = std::log(f.scale.std[0] * f.scale.std[1]);
    for (auto& v : lp) v -= log_std;
    return lp;
}

struct SetGrid {
    Box box;
    std::vector<std::array<double, 2>> cells;
    std::vector<double> truth;  // log p, raw
    double threshold = 0;       // of the 99 % region, on p
};

SetGrid set_grid(const std::string& set) {
    const data::Dataset& d = data::dataset(set);
    SetGrid s;
    s.box = raw_box(d);
    for (std::size_t i = 0; i < kGrid; ++i)
        for (std::size_t j = 0; j < kGrid; ++j) s.cells.push_back(s.box.centre(i, j));
    for (const auto& c : s.cells) s.truth.push_back(d.log_density(c[0], c[1]));
    // The 99 % region {p >= t}: t is the 1 % quantile of p over the data's own points.
    std::vector<double> at_data;
    for (const auto* rows : {&d.train_rows, &d.held_rows})
        for (const auto& r : *rows) at_data.push_back(d.log_density(r[0], r[1]));
    std::sort(at_data.begin(), at_data.end());
    s.threshold = at_data[std::size_t((1 - kHdr) * double(at_data.size()))];
    return s;
}

// The mass of exp(log_p) over the cells where keep(cell index) holds.
template <class Keep>
double mass_where(const SetGrid& s, const std::vector<double>& log_p, Keep keep) {
    double m = 0;
    for (std::size_t k = 0; k < s.cells.size(); ++k)
        if (keep(k)) m += std::exp(log_p[k]);
    return m * s.box.h[0] * s.box.h[1];
}

}  // namespace

void p2_datasets(Context& ctx) {
    const auto g = grid_fits(ctx);
    const std::size_t wide = grid_widths().back(), deep = grid_couplings().back();

    // Excess over the truth, set against set, model by model.
    std::size_t circles_worse = 0, pairs = 0;
    std::string excess_list;
    for (std::size_t h : grid_widths())
        for (std::size_t c : grid_couplings()) {
            const GridFit& m = grid_fit(g, "moons", c, h);
            const GridFit& k = grid_fit(g, "circles", c, h);
            const Difference d{k.excess.mean - m.excess.mean, std::hypot(k.excess.se, m.excess.se)};
            ++pairs;
            circles_worse += d.clear() && d.mean > 0;
            excess_list += fmt::format("{}{}/{}: {} against {}", excess_list.empty() ? "" : "; ", c, h,
                                       tex_fixed(k.excess.mean, 3), tex_fixed(m.excess.mean, 3));
        }

    // Mass outside the 99 % region, the circles' gap and hole, and the figure's images.
    nlohmann::json leaks;
    std::string leak_text;
    std::string tikz = "\\begin{tikzpicture}\n";
    std::vector<std::pair<std::string, std::string>> files;
    std::map<std::string, double> circles_at;
    for (std::size_t si = 0; si < grid_sets().size(); ++si) {
        const std::string& set = grid_sets()[si];
        const SetGrid s = set_grid(set);
        const auto outside = [&](std::size_t k) { return s.truth[k] < s.threshold; };
        const double true_leak = mass_where(s, s.truth, outside);
        std::string per_depth;
        for (std::size_t c : grid_couplings()) {
            const GridFit& f = grid_fit(g, set, c, wide);
            const auto lp = model_raw_log_p(f.fit, s.cells);
            const double leak = mass_where(s, lp, outside);
            leaks[set][std::to_string(c)] = leak;
            per_depth += fmt::format("{}{}", per_depth.empty() ? "" : ", ", report::tex_percent(leak, 1));
            if (set == "circles" && c == deep) {
                const auto r = [&](std::size_t k) { return std::hypot(s.cells[k][0], s.cells[k][1]); };
                circles_at["gap_model"] = mass_where(s, lp, [&](std::size_t k) { return r(k) > kGapLo && r(k) < kGapHi; });
                circles_at["gap_truth"] = mass_where(s, s.truth, [&](std::size_t k) { return r(k) > kGapLo && r(k) < kGapHi; });
                circles_at["hole_model"] = mass_where(s, lp, [&](std::size_t k) { return r(k) < kHole; });
                circles_at["hole_truth"] = mass_where(s, s.truth, [&](std::size_t k) { return r(k) < kHole; });
                // The density along the middle of the gap, against the truth's there.
                std::vector<std::array<double, 2>> ring;
                for (std::size_t a = 0; a < kAngles; ++a) {
                    const double t = 2 * M_PI * double(a) / double(kAngles), rm = (kGapLo + kGapHi) / 2;
                    ring.push_back({rm * std::cos(t), rm * std::sin(t)});
                }
                const auto on_ring = model_raw_log_p(f.fit, ring);
                const double true_mid = data::dataset(set).log_density(ring[0][0], ring[0][1]);
                std::vector<double> sorted = on_ring;
                std::sort(sorted.begin(), sorted.end());
                circles_at["ring_max_over_truth"] = std::exp(sorted.back() - true_mid);
                circles_at["ring_median_over_truth"] = std::exp(sorted[sorted.size() / 2] - true_mid);
                circles_at["ring_max_over_median"] = std::exp(sorted.back() - sorted[sorted.size() / 2]);
                // The samples in the gap, against the held-out points there.
                const auto share_in_gap = [&](const std::vector<std::array<double, 2>>& pts) {
                    double n = 0;
                    for (const auto& p : pts) {
                        const double rr = std::hypot(p[0], p[1]);
                        n += rr > kGapLo && rr < kGapHi;
                    }
                    return n / double(pts.size());
                };
                std::vector<std::array<double, 2>> samples;
                for (std::size_t i = 0; i < f.samples.shape(0); ++i)
                    samples.push_back(f.fit.scale.to_raw(f.samples(i, 0), f.samples(i, 1)));
                circles_at["samples_in_gap"] = share_in_gap(samples);
                circles_at["held_in_gap"] = share_in_gap(data::dataset(set).held_rows);
            }
        }
        leaks[set]["truth"] = true_leak;
        leak_text += fmt::format("{}{}: {} for {} couplings", leak_text.empty() ? "" : "; ", set, per_depth,
                                 couplings_list());

        // Figure row: the truth and the three depths at the larger width, standardised
        // frame, one colour scale per row.
        const GridFit& any = grid_fit(g, set, 1, wide);
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
                col == 0 ? ", ylabel={" + set + "}" : std::string(),
                col + 1 == images.size()
                    ? fmt::format(", colormap name=fr viridis, colorbar, point meta min={:.2f}, point meta max={:.2f}, "
                                  "colorbar style={{width=0.15cm, yticklabel style={{font=\\tiny}}}}",
                                  bottom, top)
                    : std::string(),
                -e, e, -e, e, png);
        }
    }
    tikz += "\\end{tikzpicture}\n";
    ctx.figure("densities", tikz, files);
    ctx.stats["mass_outside_99"] = leaks;
    for (const auto& [k, v] : circles_at) ctx.stats["circles_" + std::to_string(deep) + "_" + std::to_string(wide)][k] = v;

    const auto best_deep = [&](const std::string& set) {
        double best = INFINITY;
        for (std::size_t h : grid_widths()) best = std::min(best, grid_fit(g, set, deep, h).excess.mean);
        return best;
    };
    const double moons_best = best_deep("moons"), circles_best = best_deep("circles");
    const bool circles_harder = ctx.verdict(
        "moons_easier",
        "the circles' excess NLL over the truth is above the moons' by more than two standard errors at more than "
        "half of the model sizes",
        {{"circles_clearly_worse", circles_worse}, {"sizes", pairs}}, circles_worse * 2 > pairs);
    const double ratio = circles_at["ring_max_over_median"];
    const bool bridges = ctx.verdict("gap_bridges",
                                     "along the middle of the circles' gap the model's highest density is more "
                                     "than 3 times its median there",
                                     {{"ring_max_over_median", ratio}}, ratio > 3);
    const double bound = g.front().fit.as<nf::Model>().config.arch.log_scale_bound;
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

\emph{{Why.}} A flow from a Gaussian is a continuous bijection of the plane. The prior's central disc, which holds
most of its mass, is simply connected, and so is its image: it cannot be two nested rings. To carry the prior's
mass onto both rings, the image must cross the gap and cover the inner hole, and the flow can only make the density
there small, never zero; a few couplings of bounded scale ($\lvert s\rvert < {bound:g}$ each) can only thin it so far. The moons need no hole: the same disc can be bent into both crescents joined by one
thin link.
)",
        fmt::arg("verdict", circles_harder ? "The moons are easier." : "Neither set is clearly easier."),
        fmt::arg("worse", circles_worse), fmt::arg("pairs", pairs), fmt::arg("list", excess_list),
        fmt::arg("cb", tex_fixed(circles_best, 3)), fmt::arg("mb", tex_fixed(moons_best, 3)), fmt::arg("wide", wide),
        fmt::arg("leaks", leak_text), fmt::arg("glo", kGapLo), fmt::arg("ghi", kGapHi),
        fmt::arg("gm", report::tex_percent(circles_at["gap_model"], 1)),
        fmt::arg("gt", report::tex_percent(circles_at["gap_truth"], 2)), fmt::arg("hole", kHole),
        fmt::arg("hm", report::tex_percent(circles_at["hole_model"], 1)),
        fmt::arg("ht", report::tex_percent(circles_at["hole_truth"], 2)),
        fmt::arg("sg", report::tex_percent(circles_at["samples_in_gap"], 1)),
        fmt::arg("hg", report::tex_percent(circles_at["held_in_gap"], 1)),
        fmt::arg("rmax", tex_fixed(circles_at["ring_max_over_truth"], 0)),
        fmt::arg("rmm", tex_fixed(circles_at["ring_max_over_median"], 1)),
        fmt::arg("spread", bridges ? "the density left in the gap is gathered in bridges between the rings"
                                   : "the density left in the gap is spread around it as a film, not gathered in a "
                                     "few bridges"),
        fmt::arg("deep", deep), fmt::arg("bound", bound), fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float_of(
        "densities", fmt::format("The true log-density and the learned ones of the models with {} units, by number of "
                                 "couplings, in standardised coordinates; one colour scale per row, spanning 8 nats "
                                 "below the truth's highest value.",
                                 wide));
}

FLOWREPORT_CHAPTER("ece792", "p2-datasets", nullptr, p2_datasets)

}  // namespace flow::chapters::ece792
