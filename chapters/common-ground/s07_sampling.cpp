// Slide 7: sampling. The coupling flow samples by its inverse g(z), one pass through its
// couplings; flow matching by integrating its field from the same Gaussian draws. Both
// are scored by the energy distance to the held-out moons, beside the training rows'
// own distance to them (what a perfect sampler of the same size would score), and timed.
#include <chrono>
#include <cmath>

#include <xtensor/xview.hpp>

#include "common.hpp"
#include "fm/train.hpp"

namespace flow::chapters::deck::s07 {
namespace {

constexpr std::size_t kSamples = 1000;
constexpr double kDt = 0.02;

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
    Mat<float> train = data::in_frame(moons.part(false), nf.scale());
    train = Mat<float>(xt::view(train, xt::range(0, kSamples), xt::all()));
    const double e_nf = energy_distance(nf_x, held_nf), e_fm = energy_distance(fm_x, held_fm),
                 e_data = energy_distance(train, held_nf);
    ctx.stats["energy_distance"] = {{"coupling_flow", e_nf}, {"flow_matching", e_fm}, {"training_rows", e_data}};
    ctx.stats["sampling_seconds"] = {{"coupling_flow", nf_s}, {"flow_matching", fm_s}};
    ctx.verdict("both-close", "both samplers' energy distances are below 5 times the training rows'",
                {{"nf", e_nf}, {"fm", e_fm}, {"rows", e_data}}, e_nf < 5 * e_data && e_fm < 5 * e_data);

    report::Files files;
    const report::View view{-2.6, 2.6, -2.6, 2.6};
    const double side = 3.6;
    const report::Ink blue{30, 90, 200, 1.0}, black{40, 40, 40, 1.0};
    std::string panels = cloud_axis("title={held-out data}, xticklabels={}, yticklabels={}", view, side,
                                    {{&held_nf, black, 0.9}}, "data.png", files);
    panels += cloud_axis("at={(4.9cm,0)}, title={flow: $g(z)$}, xticklabels={}, yticklabels={}", view, side,
                         {{&nf_x, blue, 0.9}}, "nf.png", files);
    panels += cloud_axis("at={(9.8cm,0)}, title={matching: ODE}, xticklabels={}, yticklabels={}", view, side,
                         {{&fm_x, {210, 110, 0, 1.0}, 0.9}}, "fm.png", files);
    ctx.figure("samples", picture(panels), files);
    const int fm_steps = int(std::lround(1 / kDt));
    ctx.text = ctx.slide(
        "Sample by inverting the flow, or by integrating the field.",
        "\\includegraphics{" + ctx.figure_pdf("samples") + "}",
        {fmt::format("Energy distance to held-out data ($10^{{-3}}$): flow {}, matching {}.",
                     tex_fixed(1e3 * e_nf, 2), tex_fixed(1e3 * e_fm, 2)),
         fmt::format("Training rows score {}. Time: one pass {} ms; {} steps {} ms.", tex_fixed(1e3 * e_data, 2),
                     tex_fixed(1e3 * nf_s, 1), fm_steps, tex_fixed(1e3 * fm_s, 1))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s07-sampling", nullptr, run)
}  // namespace flow::chapters::deck::s07
