#pragma once
// Axes for raster frames: a window chosen to hold every point, ticks at round steps, and
// a frame with tick marks, tick numbers and axis names drawn in the bitmap font around a
// plotting rectangle.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "report/gif.hpp"

namespace flow::report {

// The smallest box holding the points added to it.
struct Bounds {
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
    void add(const xt::xtensor<float, 2>& points);  // (n, 2)
};

// How many of the points (n, 2) a window leaves out (a non-finite point is out).
std::size_t count_outside(const xt::xtensor<float, 2>& points, const View& w);

// The window: the bounds rounded outward to multiples of step; with equal_axes the
// shorter side is widened (by whole steps, half on each side) to the longer one's span,
// so that a square plotting rectangle keeps shapes round. Throws on empty bounds or a
// step that is not positive.
View enclosing_view(const Bounds& b, double step, bool equal_axes);

// The round step (1, 2 or 5 times a power of ten) that cuts span into at most `at_most`
// intervals; the multiples of step in [lo, hi]; a tick's number with as many decimals as
// the step needs ("-2", "0.5"; never "-0").
double tick_step(double span, int at_most);
std::vector<double> ticks(double lo, double hi, double step);
std::string tick_label(double v, double step);

// What draw_axes draws: the tick steps, the axis names, the text scale, the tick length
// and the gap between a tick, its number and the axis name, in pixels.
struct Axes {
    double xstep, ystep;
    std::string xname, yname;
    int scale = 2;
    long tick = 4, gap = 4;
};

// The pixels draw_axes needs on each side of the plotting rectangle.
struct Margins {
    long left, right, top, bottom;
};
Margins axes_margins(const View& w, const Axes& a);

// A one-pixel frame just outside the rectangle; at each tick a mark outward from the
// frame at pixel column floor(column_of) (row floor(row_of)), clamped into the rectangle,
// and its number centred on it below (right-aligned to its left); the x name centred
// below the numbers, the y name left of them.
void draw_axes(Canvas& c, const Rect& plot, const View& w, const Axes& a, std::uint8_t colour);

}  // namespace flow::report
