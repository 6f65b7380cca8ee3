#pragma once
// Figure data and pgfplots recipes shared by the chapters: point clouds, trajectories
// coloured by t, raster layers. Every recipe reads the .dat it is given by name from
// the chapter's folder.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "data/dataset.hpp"
#include "report/gif.hpp"
#include "report/raster_layer.hpp"

namespace flow::report {

// "x y" table of the rows of x (n, 2).
std::string points_dat(const xt::xtensor<float, 2>& x);

using Files = std::vector<std::pair<std::string, std::string>>;

// The axis box, in points, of the report's square panels (fr panel) before they were drawn
// on raster layers: a raster figure keeps the size its vector one had.
constexpr double kPanelBoxPt = 75.2;

// A panel of samples (fr samples) drawn as a raster layer (raster_layer.hpp): axis options
// without a width or window (e.g. "fr panel, title={...}"), the window, the axis box's
// width in points (units equal on both axes); the PNG is added to files as `png`.
std::string cloud_tikz(const std::string& axis_options, const View& window, double box_pt,
                       const xt::xtensor<float, 2>& points, const std::string& png, Files& files);

// Trajectories (draw_trajectories: states[k] is every point at the k-th state, in the
// process's order, at times[k] or k / (steps - 1)) drawn as lines coloured by t with a
// colour bar, the first `rows` of them, in a raster layer under vector marks: an open
// circle where a path starts, a filled dot where it ends (the report's one convention).
// `after` is drawn last (labels).
// `layer` is the raster layer to draw on (e.g. RasterLayer::equal_units(window, box_pt)),
// which may already hold a background (a cloud, ring bands).
std::string trajectories_tikz(const std::string& axis_options, RasterLayer layer,
                              const std::vector<xt::xtensor<float, 2>>& states, const std::vector<double>& times,
                              std::size_t rows, const std::string& png, Files& files, const std::string& after = "");

// Labels "P1", "P2", ... at the given points, readable on any background (style
// "fr probe label" of flowreport.sty): a plot to place after every other.
// The rows of a (n, 2) matrix as points, e.g. for probe_labels.
std::vector<std::array<double, 2>> rows_of(const xt::xtensor<float, 2>& x);
std::string probe_labels(const std::vector<std::array<double, 2>>& at);
// The same with any texts (LaTeX, without spaces' special meaning in a table: a text
// is wrapped in braces).
std::string point_labels(const std::vector<std::array<double, 2>>& at, const std::vector<std::string>& texts);

// The square window [-extent, extent]^2 of a panel: the smallest multiple of 0.5, at
// least min_extent and at most cap, that holds every point of the clouds; `outside`
// counts the points of each cloud the window still leaves out.
struct Window {
    double extent = 0;
    std::vector<std::size_t> outside;
    std::string axis_options() const;  // "xmin=..., xmax=..., ymin=..., ymax=..."
    View view() const { return {-extent, extent, -extent, extent}; }
};
Window window_for(const std::vector<const xt::xtensor<float, 2>*>& clouds, double min_extent,
                  double cap);

// Panels (\includegraphics lines) in rows of per_row, spread across the line; a last
// row with fewer panels is centred.
std::string panel_grid(const std::vector<std::string>& panels, std::size_t per_row);

// \definecolor lines naming each region's colour <prefix><region> (e.g. ringblue for
// prefix "ring"), for figures that colour points or paths by class.
std::string colour_definitions(const data::Dataset& set, const std::string& prefix);

// Writes an RGB PNG of a (rows, cols) grid of values mapped through the report's
// viridis colour map over [lo, hi] (values outside are clamped); row 0 is the top.
std::string png_viridis(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                        double lo, double hi);
// The bytes of a PNG of rows x cols pixels, 3 (RGB) or 4 (RGBA) bytes each, row 0 at the top.
std::string png_encode(const std::vector<unsigned char>& pixels, std::size_t rows, std::size_t cols,
                       int channels);

}  // namespace flow::report
