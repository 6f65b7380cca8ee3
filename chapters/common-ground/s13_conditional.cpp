// Slide 13: conditional flows. One field v(x, t, c) of the Olympic rings, trained with
// each point's ring as its class; the same Gaussian draws integrated under each of the
// five labels. Checked: the share of each label's samples that land inside its own ring
// (the rings' bands, known exactly), against the share an unconditional sampler of the
// rings would put there (the ring's share of the bands' area, where rings overlap the
// first ring counting).
#include <cmath>

#include "common.hpp"
#include "fm/train.hpp"

namespace flow::chapters::deck::s13 {
namespace {

constexpr std::size_t kPerRing = 1000;

report::Ink ink_of(const std::string& hex) {
    const auto byte = [&](std::size_t at) { return std::uint8_t(std::stoul(hex.substr(at, 2), nullptr, 16)); };
    const std::size_t o = hex[0] == '#' ? 1 : 0;
    return {byte(o), byte(o + 2), byte(o + 4), 1.0};
}

// A raster layer around every sample, with a margin, at most 8 cm wide and 4.6 cm high.
report::RasterLayer layer_around(const std::vector<Mat<float>>& samples) {
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    for (const auto& s : samples)
        for (std::size_t i = 0; i < s.shape(0); ++i)
            x0 = std::min(x0, double(s(i, 0))), x1 = std::max(x1, double(s(i, 0))), y0 = std::min(y0, double(s(i, 1))),
            y1 = std::max(y1, double(s(i, 1)));
    const report::View view{x0 - 0.1, x1 + 0.1, y0 - 0.1, y1 + 0.1};
    const double width = std::min(8.0, 4.6 * (view.xmax - view.xmin) / (view.ymax - view.ymin));
    return report::RasterLayer(view, width * report::kPtPerCm,
                               width * (view.ymax - view.ymin) / (view.xmax - view.xmin) * report::kPtPerCm);
}

void run(Context& ctx) {
    auto& cfm = ctx.load_as<fm::Model>("rings-cfm");
    const data::Dataset& rings = data::dataset("rings-by-class");
    Rng rng = ctx.rng("prior");
    const Mat<float> z = nn::normal_draws(rng, kPerRing);
    std::vector<Mat<float>> samples;
    std::vector<double> share;
    for (std::size_t k = 0; k < rings.regions.size(); ++k) {
        fm::Labels labels = xt::xtensor<int, 1>::from_shape({kPerRing});
        labels.fill(int(k));
        samples.push_back(fm::forward_flow(cfm.field, z, {0.01, fm::Solver::Midpoint}, &labels));
        std::size_t in = 0;
        for (std::size_t i = 0; i < kPerRing; ++i) {
            const auto raw = cfm.scale.to_raw(samples.back()(i, 0), samples.back()(i, 1));
            in += rings.in_region(raw[0], raw[1], int(k));
        }
        share.push_back(double(in) / double(kPerRing));
    }
    // Unconditional: uniform draws over the bands (the data set without its labels).
    Rng u = ctx.rng("unlabelled");
    const data::PointSet all = rings.sample(20000, u);
    double base = 0, real = 0;
    for (std::size_t i = 0; i < all.x.shape(0); ++i) {
        const auto raw = all.scale.to_raw(all.x(i, 0), all.x(i, 1));
        base += rings.in_region(raw[0], raw[1], 0) / double(all.x.shape(0));
        real += rings.in_region(raw[0], raw[1], all.labels(i)) / double(all.x.shape(0));
    }
    const double lo = *std::min_element(share.begin(), share.end()), hi = *std::max_element(share.begin(), share.end());
    ctx.stats["own_ring_share"] = share;
    ctx.stats["unlabelled_share_first_ring"] = base;
    ctx.stats["real_own_ring_share"] = real;
    ctx.verdict("labels-steer", "every label puts at least 90% of its samples in its own ring", lo, lo >= 0.9);

    report::Files files;
    report::RasterLayer layer = layer_around(samples);
    for (std::size_t k = 0; k < samples.size(); ++k) layer.marks(samples[k], ink_of(rings.colours[k]), 0.8);
    files.push_back({"samples.png", layer.png()});
    std::string legend, colours;
    for (std::size_t k = 0; k < samples.size(); ++k) {
        colours += fmt::format("\\definecolor{{ring{}}}{{HTML}}{{{}}}\n", k, rings.colours[k].substr(rings.colours[k][0] == '#'));
        legend += fmt::format("\\addlegendimage{{only marks, mark=*, mark size=3pt, ring{}}}\\addlegendentry{{{}: {}\\%}}\n", k,
                              rings.regions[k], tex_fixed(100 * share[k], 1));
    }
    const std::string axis = colours + "\\begin{axis}[fr slide, " + layer.axis_options() +
                             ", legend pos=outer north east, xticklabels={}, yticklabels={}]\n" + layer.addplot("samples.png") +
                             legend + "\\end{axis}\n";
    ctx.figure("samples", picture(axis), files);
    ctx.text = ctx.slide(
        "A class input turns one field into five samplers.",
        "\\includegraphics{" + ctx.figure_pdf("samples") + "}",
        {fmt::format("Same draws, five labels: {}\\% to {}\\% land in their own ring.", tex_fixed(100 * lo, 1),
                     tex_fixed(100 * hi, 1)),
         fmt::format("Real points: {}\\% in their ring; without labels, {}\\% in the {} one.", tex_fixed(100 * real, 0),
                     tex_fixed(100 * base, 0), rings.regions[0])});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s13-conditional", nullptr, run)
}  // namespace flow::chapters::deck::s13
