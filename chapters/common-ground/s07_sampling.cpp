// Slide 7: sampling. The coupling flow samples by its inverse g(z), one pass through its
// couplings; flow matching by integrating its field from the same Gaussian draws. Both
// are scored by the energy distance of 1000 samples to the held-out moons, ten times,
// beside 1000 real training rows' distance to them (what a perfect sampler of that size
// would score), and timed.
#include <chrono>
#include <cmath>

#include <xtensor/xview.hpp>

#include "common.hpp"
#include "fm/train.hpp"
#include "model/measure.hpp"

namespace flow::chapters::deck::s07 {
namespace {

constexpr std::size_t kSamples = 1000;
constexpr double kDt = 0.02;

constexpr int kRepeats = 10;

using model::Spread;
using model::spread;

// "0.67 +- 0.21" in units of 1e-3.
std::string show(const Spread& s) { return tex_fixed(1e3 * s.mean, 1) + "$\\pm$" + tex_fixed(1e3 * s.sd, 1); }
std::string summary(const std::string& verdict) {
    if (verdict == "both") return "Neither differs from real rows by 2 s.e.";
    if (verdict == "flow") return "Only matching differs from real rows.";
    if (verdict == "matching") return "Only the flow differs from real rows.";
    return "Both differ from real rows.";
}

template <class Work>
double seconds(Work work) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void run(Context& ctx) {
    model::Trained& nf = ctx.load("moons-nf");
    auto& fm = ctx.load_as<fm::Model>("moons-fm");
    Rng rng = ctx.rng("prior");
    const Mat<float> z = nn::normal_draws(rng, kSamples);
    Mat<float> nf_x, fm_x;
    const double nf_s = seconds([&] { nf_x = nf.generate(z); });
    const double fm_s = seconds([&] { fm_x = fm::forward_flow(fm.field, z, {kDt, fm::Solver::Midpoint}); });
    // Held-out moons in each model's own frame; the training rows beside them.
    const Mat<float> held_nf = held_out_moons(nf.scale()), held_fm = held_out_moons(fm.scale);
    const data::Dataset& moons = data::dataset("moons");
    const Mat<float> train = data::in_frame(moons.part(false), nf.scale());
    // Ten draws of 1000 each: each sampler's, and 1000 real training rows picked at random
    // (the score of a perfect sampler of that size).
    std::vector<double> e_nf, e_fm, e_data;
    std::vector<std::size_t> rows(train.shape(0));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
    for (int r = 0; r < kRepeats; ++r) {
        const Mat<float> zr = r == 0 ? z : nn::normal_draws(rng, kSamples);
        e_nf.push_back(energy_distance(r == 0 ? nf_x : nf.generate(zr), held_nf));
        e_fm.push_back(energy_distance(r == 0 ? fm_x : fm::forward_flow(fm.field, zr, {kDt, fm::Solver::Midpoint}), held_fm));
        rng.shuffle(rows);
        Mat<float> pick = Mat<float>::from_shape({kSamples, 2});
        for (std::size_t i = 0; i < kSamples; ++i) pick(i, 0) = train(rows[i], 0), pick(i, 1) = train(rows[i], 1);
        e_data.push_back(energy_distance(pick, held_nf));
    }
    const Spread nf_e = spread(e_nf), fm_e = spread(e_fm), data_e = spread(e_data);
    ctx.stats["energy_distance"] = {{"coupling_flow", e_nf}, {"flow_matching", e_fm}, {"training_rows", e_data}};
    ctx.stats["sampling_seconds"] = {{"coupling_flow", nf_s}, {"flow_matching", fm_s}};
    // Within the noise: a mean less than two standard errors of the difference above the
    // real rows' mean.
    const auto within = [&](const Spread& m) {
        return m.mean - data_e.mean < 2 * std::sqrt((m.sd * m.sd + data_e.sd * data_e.sd) / kRepeats);
    };
    const std::string verdict = ctx.verdict(
        "which-match", "a sampler does not differ from the data when its mean energy distance is less than two "
        "standard errors of the difference above the real rows' mean (ten draws each)",
        {{"nf", nf_e.mean}, {"fm", fm_e.mean}, {"rows", data_e.mean}},
        within(nf_e) && within(fm_e) ? "both" : within(nf_e) ? "flow" : within(fm_e) ? "matching" : "neither");

    report::Files files;
    const int fm_steps = int(std::lround(1 / kDt));
    const report::View view{-2.6, 2.6, -2.6, 2.6};
    const double side = 3.6;
    const report::Ink blue{30, 90, 200, 1.0}, black{40, 40, 40, 1.0};
    std::string panels = cloud_axis("title={held-out data}, xticklabels={}, yticklabels={}", view, side,
                                    {{&held_nf, black, 0.9}}, "data.png", files);
    panels += cloud_axis(fmt::format("at={{(4.9cm,0)}}, title={{flow $g(z)$: {} ms}}, xticklabels={{}}, yticklabels={{}}", tex_fixed(1e3 * nf_s, 1)), view, side,
                         {{&nf_x, blue, 0.9}}, "nf.png", files);
    panels += cloud_axis(fmt::format("at={{(9.8cm,0)}}, title={{{} ODE steps: {} ms}}, xticklabels={{}}, yticklabels={{}}", fm_steps,
                                     tex_fixed(1e3 * fm_s, 0)), view, side,
                         {{&fm_x, {210, 110, 0, 1.0}, 0.9}}, "fm.png", files);
    ctx.figure("samples", picture(panels), files);
    ctx.text = ctx.slide(
        "Sample by inverting the flow, or by integrating the field.",
        "\\includegraphics{" + ctx.figure_pdf("samples") + "}",
        {fmt::format("Energy distance $\\times10^3$: flow {}, matching {}, real {}.", show(nf_e), show(fm_e),
                     show(data_e)),
         summary(verdict) + " (ten draws of 1000 each)."});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s07-sampling", nullptr, run)
}  // namespace flow::chapters::deck::s07
