#pragma once
// What the deck's slides share: the size of a slide's figure, a line chart drawn from
// inline coordinates, point clouds on raster layers, a distance between samples, and
// the held-out moons every 2D slide is measured on. A slide's figure is one tikzpicture
// at the slide's type size (\Large of the figure's 10 pt, 14.4 pt), so that it reads at
// the size of the slide's text.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "exercise/chapter.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/raster_layer.hpp"

namespace flow::chapters::deck {

using exercise::Context;
using nn::Mat;
using report::tex_fixed;
using report::tex_num;

// The figure area under a slide's title and between its lines, in cm.
constexpr double kWidthCm = 14.6, kHeightCm = 4.7;

// The tikzpicture around an axis body (or several), at the slide's type size.
std::string picture(const std::string& body);

// One line of a chart: its pgfplots options, the legend entry ("" for none) and points.
struct Series {
    std::string style, legend;
    std::vector<std::array<double, 2>> points;
};
// An axis of the given size with the lines, legend as the options say.
std::string chart_axis(const std::string& options, double width_cm, double height_cm,
                       const std::vector<Series>& lines);

// A square panel of points on a raster layer (the PNG `png`, added to files), placed by
// `options` (e.g. "at={(5cm,0)}, title={...}"); `view` its window, `side_cm` its width.
// Each cloud is drawn in its ink, in order.
struct Cloud {
    const Mat<float>* points;
    report::Ink ink;
    double radius_pt = 0.8;
};
std::string cloud_axis(const std::string& options, const report::View& view, double side_cm,
                       const std::vector<Cloud>& clouds, const std::string& png, report::Files& files,
                       const std::string& after = "");

// The energy distance between two samples (n, D): 2 E|X - Y| - E|X - X'| - E|Y - Y'|, zero
// exactly when the laws agree; each expectation over all pairs.
double energy_distance(const Mat<float>& a, const Mat<float>& b);

// The held-out moons in the frame of a model's training set (its standardiser).
Mat<float> held_out_moons(const data::Standardiser& frame);

// log p of points x (a model's standardised frame) under the moons' true density.
std::vector<double> true_moons_log_density(const Mat<float>& x, const data::Standardiser& frame);

// A window around the moons in a model's frame, and n^2 cell centres over it (row-major,
// y from the top) with the cell area.
struct Grid {
    report::View view;
    std::size_t n;
    Mat<float> centres;
    double cell_area;
};
Grid grid_over(const report::View& view, std::size_t n);

// Rows of points (n, 2) in one standardised frame, expressed in another (e.g. one model's
// points in another model's frame).
Mat<float> reframe(const Mat<float>& x, const data::Standardiser& from, const data::Standardiser& to);

// A coordinate list "(x,y) (x,y) ..." for \addplot coordinates.
std::string coordinates(const std::vector<std::array<double, 2>>& points);

}  // namespace flow::chapters::deck
