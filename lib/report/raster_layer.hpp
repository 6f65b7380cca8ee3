#pragma once
// A raster layer under a pgfplots axis: dense point clouds and paths drawn by our own
// code into an RGBA PNG, which the axis shows with \addplot graphics under its vector
// ticks, labels and legend. Thousands of marks cost pgfplots about a millisecond each;
// the PNG costs it one image. The layer's box is the axis box, given in points, so that
// marks keep their sizes in points (the axis is drawn with `scale only axis`).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "report/gif.hpp"

namespace flow::report {

// An sRGB colour and its opacity.
struct Ink {
    std::uint8_t r = 0, g = 0, b = 0;
    double opacity = 1;
};

// fr samples' colour (black!75), and TeX points in a centimetre.
constexpr Ink kSamplesInk{64, 64, 64, 1.0};
constexpr double kPtPerCm = 72.27 / 2.54;

// A colour of the report's viridis map (flowreport.sty's nine control points) at u in [0, 1].
Ink viridis(double u);

class RasterLayer {
public:
    // The part of the plane the axis shows and the axis box's size in points; `dpi`
    // pixels per inch (600 prints sharply). Throws on an empty window or box.
    RasterLayer(View view, double width_pt, double height_pt, double dpi = 600);
    // A square box of width_pt with the view's units equal on both axes (height follows).
    static RasterLayer equal_units(View view, double width_pt, double dpi = 600);

    // Discs of radius radius_pt at the rows of points (n, 2), drawn over what is there
    // (pgfplots draws marks in order the same way); points outside are left out.
    void marks(const xt::xtensor<float, 2>& points, Ink ink, double radius_pt);
    // One such disc at (x, y).
    void disc(double x, double y, Ink ink, double radius_pt);
    // The ring between two axis-aligned ellipses centred at (cx, cy) (radii in the
    // window's units: outer rx, ry and inner ix, iy), filled; edges antialiased.
    void annulus(double cx, double cy, double rx, double ry, double ix, double iy, Ink ink);
    // A polyline of width width_pt through the points, segment k in colours[k] (one
    // colour per segment; round joins).
    void path(const std::vector<std::array<double, 2>>& points, const std::vector<Ink>& colours, double width_pt);

    // The axis options the layer needs: its window, no enlargement, the box size.
    std::string axis_options() const;
    // The plot line that shows the layer, read from `png` in the chapter's folder (a
    // forgotten plot: legend entries are the caller's \addlegendimage lines).
    std::string addplot(const std::string& png) const;
    // The PNG: RGBA, transparent where nothing is drawn; or, by default, RGB over white.
    // An opaque layer hides what the axis draws under it, and a grid drawn over it would
    // cut through the clouds: its axis draws its frame and ticks on top and no grid
    // (axis_options says so).
    std::string png() const;
    void set_opaque(bool opaque) { opaque_ = opaque; }

    const View& view() const { return view_; }
    std::size_t width_px() const { return w_; }
    std::size_t height_px() const { return h_; }
    // Premultiplied RGBA of pixel (x, y), row 0 at the top, each channel in [0, 1].
    std::array<float, 4> pixel(std::size_t x, std::size_t y) const;

private:
    void blend(std::size_t x, std::size_t y, const Ink& ink, double coverage);
    double px(double x) const;  // column, continuous
    double py(double y) const;  // row, continuous, 0 at the top
    View view_;
    double width_pt_, height_pt_, scale_;  // scale_: pixels per point
    std::size_t w_, h_;
    std::vector<float> rgba_;
    bool opaque_ = true;
};

// Trajectories: states[k] (n, 2) is every point's position at the k-th state of the
// process (in the order it visits them), at time times[k] (k / (steps - 1) when times is
// empty). The first `rows` paths are drawn as lines coloured by t (the report's viridis),
// with a dot coloured by t at each state when dot_radius_pt > 0.
void draw_trajectories(RasterLayer& layer, const std::vector<xt::xtensor<float, 2>>& states,
                       const std::vector<double>& times, std::size_t rows, double line_pt, double dot_radius_pt);
// Where paths [first, first + count) start (fr start: an open circle) and end (fr end: a
// filled dot), in the process's order, as two vector plots; points outside the window
// are left out.
std::string start_end_marks(const std::vector<xt::xtensor<float, 2>>& states, std::size_t first, std::size_t count,
                            const View& window);
// Only the end dots (to draw them again over labels).
std::string end_marks(const std::vector<xt::xtensor<float, 2>>& states, std::size_t first, std::size_t count,
                      const View& window);

// A line chart's polyline thinned to what a box `buckets` columns wide can show: per
// column of x, its lowest and highest points in order of x (a spike keeps its peak; the
// first and the last point are kept as the first and last column's extremes only).
// xs increasing; returns the kept indices.
std::vector<std::size_t> thin_polyline(const std::vector<double>& xs, const std::vector<double>& ys,
                                       std::size_t buckets);

}  // namespace flow::report
