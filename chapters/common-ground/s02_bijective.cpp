// Slide 2: a bijection is undone by its inverse. The coupling flow fitted to the moons
// maps the held-out points to its latent space and back; the seed's affine map
// x e^w + b is undone the same way. Both round trips are measured in float.
#include <cmath>

#include "common.hpp"

namespace flow::chapters::deck::s02 {
namespace {

// The seed's affine map and its inverse on draws, in float: the largest |x - back|.
double affine_round_trip(Rng& rng) {
    const float w = float(rng.normal()), b = float(rng.normal());
    double worst = 0;
    for (int i = 0; i < 100000; ++i) {
        const float x = float(rng.normal()), y = x * std::exp(w) + b, back = (y - b) * std::exp(-w);
        worst = std::max(worst, double(std::fabs(back - x)));
    }
    return worst;
}

void run(Context& ctx) {
    model::Trained& nf = ctx.load("moons-nf");
    const Mat<float> x = held_out_moons(nf.scale());
    const Mat<float> z = nf.latent(x), back = nf.generate(z);
    const double trip = nf.round_trip(x);
    Rng rng = ctx.rng("affine");
    const double affine = affine_round_trip(rng);
    double mz[2] = {0, 0}, sz[2] = {0, 0};
    const double n = double(z.shape(0));
    for (std::size_t i = 0; i < z.shape(0); ++i)
        for (int k = 0; k < 2; ++k) mz[k] += z(i, k) / n;
    for (std::size_t i = 0; i < z.shape(0); ++i)
        for (int k = 0; k < 2; ++k) sz[k] += (z(i, k) - mz[k]) * (z(i, k) - mz[k]) / n;
    ctx.stats["round_trip"] = {{"coupling_flow", trip}, {"seed_affine", affine}, {"points", z.shape(0)}};
    ctx.stats["latent"] = {{"mean", {mz[0], mz[1]}}, {"sd", {std::sqrt(sz[0]), std::sqrt(sz[1])}}};
    ctx.verdict("float-precision", "both round trips are below 1e-4 (float's rounding, not a failed inverse)",
                {{"flow", trip}, {"affine", affine}}, trip < 1e-4 && affine < 1e-4);

    report::Files files;
    const report::View view{-4, 4, -4, 4};
    const double side = 2.9;
    const std::string data_panel = cloud_axis(
        "title={$x$ (blue), $g(f(x))$ (black)}, xlabel={$x_1$}, ylabel={$x_2$}", view, side,
        {{&x, {30, 90, 200, 1.0}, 1.8}, {&back, {0, 0, 0, 1.0}, 0.6}}, "data.png", files);
    const std::string latent_panel = cloud_axis(
        "at={(8.2cm,0)}, title={latent $z=f(x)$}, xlabel={$z_1$}, ylabel={$z_2$}", view, side,
        {{&z, {200, 60, 30, 1.0}, 1.0}}, "latent.png", files,
        "\\draw[black!60, dashed] (axis cs:0,0) circle[radius=2];\n");
    ctx.figure("round-trip", picture(data_panel + latent_panel +
                                     "\\draw[-{Stealth[length=8pt]}, very thick] (4.2cm,2.1cm) -- node[above]{$f$} (6.6cm,2.1cm);\n"
                                     "\\draw[-{Stealth[length=8pt]}, very thick] (6.6cm,1.4cm) -- node[below]{$g=f^{-1}$} (4.2cm,1.4cm);\n"),
               files);
    ctx.text = ctx.slide(
        "A bijection's inverse undoes it, to the rounding of float32.",
        "\\includegraphics{" + ctx.figure_pdf("round-trip") + "}",
        {fmt::format("6 couplings, {} held-out moons: $\\max|g(f(x))-x|={}$.", z.shape(0), tex_num(trip, 2)),
         fmt::format("The source's $xe^w+b$ on $10^5$ draws: {}. Both are a few ulps.", tex_num(affine, 2))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s02-bijective", nullptr, run)
}  // namespace flow::chapters::deck::s02
