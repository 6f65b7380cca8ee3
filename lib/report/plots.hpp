#pragma once
// Figure data and pgfplots recipes shared by the chapters: point clouds, trajectories
// coloured by t, raster layers. Every recipe reads the .dat it is given by name from
// the chapter's folder.
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace flow::report {

// "x y" table of the rows of x (n, 2).
std::string points_dat(const xt::xtensor<float, 2>& x);

// Trajectories: states[k] (n, 2) is the position of every point at step k, with
// time t_k = k / (steps - 1) unless times are given. Table "x y t id", one block of
// rows per trajectory.
std::string trajectories_dat(const std::vector<xt::xtensor<float, 2>>& states,
                             const std::vector<double>& times = {});

// A panel of samples: axis options (e.g. "fr panel, title={...}") and the .dat name.
std::string cloud_tikz(const std::string& axis_options, const std::string& dat);

// Trajectories drawn as lines coloured by t with a colour bar, starts as open circles
// and ends as filled dots. n trajectories of `steps` rows each in the .dat.
std::string trajectories_tikz(const std::string& axis_options, const std::string& dat,
                              std::size_t n, std::size_t steps, const std::string& extra = "");

// \definecolor lines naming the five ring colours ring<colour> (e.g. ringblue), for
// figures that colour points or paths by class.
std::string ring_colour_definitions();

// Writes an RGB PNG of a (rows, cols) grid of values mapped through the report's
// viridis colour map over [lo, hi] (values outside are clamped); row 0 is the top.
std::string png_viridis(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                        double lo, double hi);

}  // namespace flow::report
