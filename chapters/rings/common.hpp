#pragma once
// What every chapter that shows a cloud of samples shares: the held-out data it is
// measured against, and the statistics stats.json keeps for a cloud.
#include <nlohmann/json.hpp>

#include <xtensor/xtensor.hpp>

#include "data/dataset.hpp"
#include "data/olympic.hpp"
#include "report/plots.hpp"
#include "exercise/chapter.hpp"
#include "report/stats.hpp"
#include "nf/train.hpp"

namespace flow::chapters {

using exercise::Context;

// The two data sets of the exercise: uniform over the rings' bands, and n/5 per ring.
inline const data::Dataset& rings() { return data::dataset("rings"); }
inline const data::Dataset& rings_by_class() { return data::dataset("rings-by-class"); }

// Share of the selected rows in ring `label`'s band (in any band when label < 0).
inline double share_on_ring(const xt::xtensor<float, 2>& x, const data::Standardiser& scale, int label,
                            const std::vector<std::size_t>& rows = {}) {
    return report::share_in_region(x, scale, rings(), label, rows);
}

// \definecolor lines ring<colour> (e.g. ringblue) for figures coloured by class.
inline std::string ring_colour_definitions() { return report::colour_definitions(rings(), "ring"); }

// Held-out data in a model's frame, to measure how far a cloud is from the data.
inline xt::xtensor<float, 2> held_out(Context& ctx, const data::Standardiser& frame, std::size_t n = 5000) {
    Rng rng = ctx.rng("held-out");
    return data::in_frame(data::unconditional_rings(n, rng), frame);
}

// The statistics of a cloud of samples: moments, share in a band and per ring, and the
// sliced Wasserstein distance to held-out data.
inline nlohmann::json cloud_json(const xt::xtensor<float, 2>& x, const data::Standardiser& scale,
                                 const xt::xtensor<float, 2>& data) {
    auto j = report::support_quality(x, scale, rings());
    // Named as the report names them: a ring's band, the share per ring.
    j["share_in_band"] = j["share_in_support"];
    j["share_per_ring"] = j["share_per_region"];
    j.erase("share_in_support");
    j.erase("share_per_region");
    j["sliced_w2_to_data"] = report::sliced_wasserstein(x, data);
    return j;
}

// The samples that measure a model's quality, the same prior draws and held-out data for
// every model and every section that states it (fm-q1, the closing comparison): streams
// shared by those chapters, not a chapter's own.
constexpr std::size_t kQualitySamples = 10000;
inline nn::Mat<float> quality_prior_points(Context& ctx) {
    Rng rng(ctx.flags().seed(), "rings/quality-points");
    return nn::normal_draws(rng, kQualitySamples);
}
inline xt::xtensor<float, 2> quality_held_out(Context& ctx, const data::Standardiser& frame) {
    Rng rng(ctx.flags().seed(), "rings/quality-held-out");
    return data::in_frame(data::unconditional_rings(5000, rng), frame);
}

// The prior points whose paths nf-q4, fm-q3 and the closing comparison draw and measure:
// one stream shared by those chapters (not a chapter's own), so that both models are
// shown and measured from the same points. The figures draw the first kDrawnPaths; the
// measures average over all kMeasuredPaths (the first rows of a larger draw are the
// draw of fewer, row after row).
constexpr std::size_t kDrawnPaths = 10, kMeasuredPaths = 1000;
inline nn::Mat<float> path_prior_points(Context& ctx, std::size_t n = kMeasuredPaths) {
    Rng rng(ctx.flags().seed(), "rings/path-points");
    return nn::normal_draws(rng, n);
}

// The flow's states from the prior points z through every layer, in the output's
// coordinate order, starting at z itself: path[0] = z, path[k] after k layers. The
// permutations only relabel coordinates; when an odd number of them follows the input,
// the flow is fed z with its coordinates swapped (an equally likely prior draw), so
// that the path drawn in the output's frame starts where flow matching's does.
std::vector<nn::Mat<float>> nf_path_from(const nf::Model& m, const nn::Mat<float>& z);

// What the text states about a set of paths: mean length, mean distance between the
// ends, and the median of their ratio (1 for a straight path).
struct PathSummary {
    double length = 0, ends = 0, ratio = 0;
    nlohmann::json to_json() const { return {{"mean_length", length}, {"mean_end_to_end", ends}, {"median_ratio", ratio}}; }
};
PathSummary path_summary(const std::vector<nn::Mat<float>>& states);

// The five ring bands as filled annuli in a model's standardised frame, light grey (or
// each in its ring's colour, the black one darker, ring<colour> from ring_colour_definitions()), for drawing
// behind paths; pgfplots commands that do not enter a legend.
std::string ring_bands_tikz(const data::Standardiser& scale, bool by_class = false);

// One small panel per path (per_row to a row), sharing the window [-extent, extent]^2,
// the colour scale of t (one colour bar) and the ring bands behind; panel i is titled
// "point i+1". The first n paths of states (states[k]: every point at layer k, t = k / L);
// dots marks every state (for a path of few states, such as a flow's layers). The
// paths are drawn on raster layers (path<i>.png, added to files).
std::string path_panels_tikz(const std::vector<nn::Mat<float>>& states, std::size_t n, double extent,
                             const data::Standardiser& bands, bool dots, report::Files& files, std::size_t per_row = 5);

// Point clouds in panels of `width` cm, per_row to a row, sharing the window
// [-extent, extent]^2; tick and axis labels on the outer panels. Each drawn on a raster
// layer <names[i]>.png, added to files.
std::string cloud_panels_tikz(const std::vector<nn::Mat<float>>& clouds, const std::vector<std::string>& names,
                              const std::vector<std::string>& titles, double extent, std::size_t per_row, double width,
                              report::Files& files);

// The ring bands of ring_bands_tikz (grey) drawn on a raster layer.
void draw_ring_bands(report::RasterLayer& layer, const data::Standardiser& scale);

// A cloud of the five classes in their rings' colours (cols: x, y and class), on a
// raster layer (png, added to files) in fr cloud's window and size, with a legend of the
// given texts in one row (legend_style: where it goes).
std::string class_cloud_tikz(const std::vector<std::vector<double>>& cols, const std::vector<std::string>& legend,
                             const std::string& legend_style, const std::string& png, report::Files& files);

// The smallest multiple of 0.5 (at least 2.5) that holds every state of the paths.
double paths_extent(const std::vector<nn::Mat<float>>& states);

// Each texts[i] beside the start of path i (states[k] holds every path's state k), on the
// side where the drawn states leave the most room, so that no label covers a path (extent:
// the window's half-width); plots to draw after the paths' marks.
std::string labels_off_paths(const std::vector<nn::Mat<float>>& states, const std::vector<std::string>& texts,
                             double extent);

// The largest |coordinate| of the ring bands in a standardised frame: the rings span
// [-extent, extent] on both axes.
double bands_extent(const data::Standardiser& scale);

// A number too large for fixed digits in a sum a reader checks, with every integer
// digit (thin spaces between thousands) and `decimals` decimals.
std::string tex_grouped(double v, int decimals = 2);

}  // namespace flow::chapters
