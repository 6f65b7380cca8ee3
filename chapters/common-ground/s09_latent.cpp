// Slide 9: latent interpolation. Two held-out moons points, the tips of the two moons,
// are mapped to each model's latent space (the coupling flow's f; flow matching's
// reverse ODE), joined by a straight line there, and mapped back. Checked: the paths'
// ends land on the two points, and the share of each path inside the data's support
// (where the true density exceeds its 1% quantile over the held-out points).
// And the seed's inverse of x + g(x): 10 fixed-point steps with g as PyTorch initialises
// a ReLU network of 64 units, over 200 such networks, at the seed's 10 interpolants.
#include <algorithm>
#include <cmath>

#include "common.hpp"
#include "fm/train.hpp"
#include "residual/flow.hpp"

namespace flow::chapters::deck::s09 {
namespace {

constexpr std::size_t kSteps = 41, kNets = 200;
const fm::Integration kHow{0.01, fm::Solver::Midpoint};

Mat<float> line_between(const Mat<float>& ends) {
    Mat<float> out = Mat<float>::from_shape({kSteps, 2});
    for (std::size_t k = 0; k < kSteps; ++k) {
        const float a = float(k) / float(kSteps - 1);
        for (int d = 0; d < 2; ++d) out(k, d) = (1 - a) * ends(0, d) + a * ends(1, d);
    }
    return out;
}

// The share of a path's length where the true density is at least `floor`: the polyline
// through the path's points, read at 1000 points spaced evenly along it.
double inside(const Mat<float>& path, const data::Standardiser& frame, double floor) {
    std::vector<double> at(path.shape(0), 0.0);
    for (std::size_t k = 1; k < at.size(); ++k)
        at[k] = at[k - 1] + std::hypot(double(path(k, 0) - path(k - 1, 0)), double(path(k, 1) - path(k - 1, 1)));
    const std::size_t n = 1000;
    Mat<float> even = Mat<float>::from_shape({n, 2});
    std::size_t seg = 1;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = at.back() * (double(i) + 0.5) / double(n);
        while (seg + 1 < at.size() && at[seg] < s) ++seg;
        const double u = at[seg] > at[seg - 1] ? (s - at[seg - 1]) / (at[seg] - at[seg - 1]) : 0.0;
        for (int d = 0; d < 2; ++d) even(i, d) = float((1 - u) * path(seg - 1, d) + u * path(seg, d));
    }
    const auto lp = true_moons_log_density(even, frame);
    return double(std::count_if(lp.begin(), lp.end(), [&](double v) { return v >= floor; })) / double(lp.size());
}

// The seed's inverse as written: the share of nets whose 10-step inverse misses some
// interpolant by more than 1e-3 (|x + g(x) - z|), and the median bound on Lip(g).
std::pair<double, double> seed_inverse(Rng& rng) {
    std::size_t missed = 0;
    std::vector<double> bounds;
    for (std::size_t n = 0; n < kNets; ++n) {
        residual::Layer g(2, 64, rng);
        g.relu = true;
        bounds.push_back(g.lipschitz_bound());
        double worst = 0;
        for (int k = 0; k < 10; ++k) {
            const double a = k / 9.0;
            const std::vector<double> z = {a, 1 - a};  // alpha x1 + (1 - alpha) x2, x1 = (1, 0), x2 = (0, 1)
            const auto x = g.inverse(z, 10), y = g.forward(x);
            worst = std::max(worst, std::hypot(y[0] - z[0], y[1] - z[1]));
        }
        missed += !(worst <= 1e-3);
    }
    std::nth_element(bounds.begin(), bounds.begin() + kNets / 2, bounds.end());
    return {double(missed) / double(kNets), bounds[kNets / 2]};
}

// The two paths over the held-out points, in the coupling flow's frame.
void draw(Context& ctx, const Mat<float>& held, const Mat<float>& nf_path, const Mat<float>& fm_path) {
    report::Files files;
    const report::View view{-2.4, 2.4, -2.0, 2.0};
    report::RasterLayer layer = report::RasterLayer::equal_units(view, 5.4 * report::kPtPerCm);
    layer.marks(held, {150, 150, 150, 1.0}, 0.8);
    files.push_back({"data.png", layer.png()});
    const std::vector<Series> paths = {
        {"blue!70!black, very thick, mark=*, mark size=1.5pt", "coupling flow", report::rows_of(nf_path)},
        {"orange!90!black, very thick, mark=square*, mark size=1.5pt", "flow matching", report::rows_of(fm_path)}};
    std::string axis = "\\begin{axis}[fr slide, " + layer.axis_options() +
                       ", legend pos=outer north east, xticklabels={}, yticklabels={}]\n" + layer.addplot("data.png");
    for (const auto& p : paths)
        axis += "\\addplot[" + p.style + "] coordinates {" + coordinates(p.points) + "};\n\\addlegendentry{" + p.legend + "}\n";
    ctx.figure("paths", picture(axis + "\\end{axis}\n"), files);
}

void run(Context& ctx) {
    model::Trained& nf = ctx.load("moons-nf");
    auto& fm = ctx.load_as<fm::Model>("moons-fm");
    const Mat<float> held = held_out_moons(nf.scale());
    std::size_t lo = 0, hi = 0;
    for (std::size_t i = 0; i < held.shape(0); ++i) {
        if (held(i, 0) < held(lo, 0)) lo = i;
        if (held(i, 0) > held(hi, 0)) hi = i;
    }
    Mat<float> ends = Mat<float>::from_shape({2, 2});
    for (int d = 0; d < 2; ++d) ends(0, d) = held(lo, d), ends(1, d) = held(hi, d);
    const Mat<float> nf_path = nf.generate(line_between(nf.latent(ends)));
    // flow matching works in its own frame: the same raw points, mapped into it and back.
    const Mat<float> fm_ends = reframe(ends, nf.scale(), fm.scale);
    const Mat<float> fm_path = fm::forward_flow(fm.field, line_between(fm::reverse_flow(fm.field, fm_ends, kHow)), kHow);
    const Mat<float> fm_in_nf = reframe(fm_path, fm.scale, nf.scale());
    const auto held_lp = true_moons_log_density(held, nf.scale());
    std::vector<double> sorted = held_lp;
    std::sort(sorted.begin(), sorted.end());
    const double floor = sorted[sorted.size() / 100];
    const double nf_in = inside(nf_path, nf.scale(), floor), fm_in = inside(fm_in_nf, nf.scale(), floor);
    double end_gap = 0;
    for (int d = 0; d < 2; ++d)
        end_gap = std::max({end_gap, double(std::fabs(nf_path(0, d) - ends(0, d))), double(std::fabs(nf_path(kSteps - 1, d) - ends(1, d))),
                            double(std::fabs(fm_path(0, d) - fm_ends(0, d))), double(std::fabs(fm_path(kSteps - 1, d) - fm_ends(1, d)))});
    Rng rng = ctx.rng("seed-nets");
    const auto [missed, median_bound] = seed_inverse(rng);
    ctx.stats["in_support"] = {{"coupling_flow", nf_in}, {"flow_matching", fm_in}};
    ctx.stats["end_gap"] = end_gap;
    ctx.stats["seed_inverse"] = {{"missed_share", missed}, {"median_lipschitz_bound", median_bound}, {"nets", kNets}};
    ctx.verdict("ends-recovered", "both paths end within 1e-2 of the two points", end_gap, end_gap < 1e-2);
    const std::string stays = ctx.verdict(
        "which-stays", "a path stays on the data when at least 80% of its length is inside the support",
        {{"coupling_flow", nf_in}, {"flow_matching", fm_in}},
        nf_in >= 0.8 && fm_in >= 0.8 ? "both" : fm_in >= 0.8 ? "matching" : nf_in >= 0.8 ? "flow" : "neither");
    const std::string claim = stays == "both"       ? "both mostly stay on the data"
                              : stays == "matching" ? "flow matching's mostly stays on the data"
                              : stays == "flow"     ? "the coupling flow's mostly stays on the data"
                                                    : "neither stays on the data";
    draw(ctx, held, nf_path, fm_in_nf);
    ctx.text = ctx.slide(
        "Latent lines map to curves; " + claim + ".",
        "\\includegraphics{" + ctx.figure_pdf("paths") + "}",
        {fmt::format("Path length on the data: flow {}\\%, matching {}\\%.", tex_fixed(100 * nf_in, 0),
                     tex_fixed(100 * fm_in, 0)),
         fmt::format("Source's 10-step inverse, Lipschitz bound {}: {} of {} nets miss.",
                     tex_fixed(median_bound, 1), std::lround(missed * kNets), kNets)});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s09-latent", nullptr, run)
}  // namespace flow::chapters::deck::s09
