#pragma once
// Figure data and pgfplots recipes shared by the chapters: point clouds, trajectories
// coloured by t, raster layers. Every recipe reads the .dat it is given by name from
// the chapter's folder.
#include <array>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "data/dataset.hpp"

namespace flow::report {

// "x y" table of the rows of x (n, 2).
std::string points_dat(const xt::xtensor<float, 2>& x);

// Trajectories: states[k] (n, 2) is the position of every point at the k-th state of
// the process, in the order the process visits them (a reverse flow runs t from 1 down
// to 0), with time t_k = k / (steps - 1) unless times are given. Table "x y t mark id",
// one block of rows per trajectory; mark is 0 on a path's first row, 2 on its last, 1
// between.
std::string trajectories_dat(const std::vector<xt::xtensor<float, 2>>& states,
                             const std::vector<double>& times = {});

// A panel of samples: axis options (e.g. "fr panel, title={...}") and the .dat name.
std::string cloud_tikz(const std::string& axis_options, const std::string& dat);

// Trajectories drawn as lines coloured by t with a colour bar. The report's one marker
// convention: an open circle where a path starts, a filled dot where it ends (the
// process's order, whichever way t runs). n trajectories of `steps` rows each in the
// .dat; `extra` is drawn first (backgrounds), `after` last (labels).
std::string trajectories_tikz(const std::string& axis_options, const std::string& dat,
                              std::size_t n, std::size_t steps, const std::string& extra = "",
                              const std::string& after = "");

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

}  // namespace flow::report
