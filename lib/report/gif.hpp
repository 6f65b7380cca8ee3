#pragma once
// Animated GIFs (giflib), for figures that move: frames of palette indices on a canvas,
// and point clouds drawn onto such frames.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace flow::report {

// A frame: width x height palette indices, row 0 at the top.
struct Canvas {
    std::size_t width = 0, height = 0;
    std::vector<std::uint8_t> pixels;
    Canvas(std::size_t w, std::size_t h, std::uint8_t background = 0)
        : width(w), height(h), pixels(w * h, background) {}
    std::uint8_t& at(std::size_t x, std::size_t y) { return pixels[y * width + x]; }
    std::uint8_t at(std::size_t x, std::size_t y) const { return pixels[y * width + x]; }
    // A filled disc of radius r pixels centred at pixel (x, y); clipped to the canvas.
    void disc(double x, double y, double r, std::uint8_t colour);
    // A filled rectangle [x0, x1) x [y0, y1), clipped.
    void rect(long x0, long y0, long x1, long y1, std::uint8_t colour);
};

// The part of the plane a frame shows.
struct View {
    double xmin, xmax, ymin, ymax;
};

// A rectangle of canvas pixels, [left, left + width) x [top, top + height).
struct Rect {
    long left, top, width, height;
};

// Where the window puts a point in the rectangle, in pixels (continuous: the window's
// edges are the rectangle's outer pixel edges; y up).
double column_of(const Rect& plot, const View& w, double x);
double row_of(const Rect& plot, const View& w, double y);

// Draws points (n, 2) as discs of radius r, the window filling the rectangle (or the
// whole canvas); points outside the window are left out. Returns how many were drawn.
std::size_t draw_points(Canvas& c, const Rect& plot, const xt::xtensor<float, 2>& points, const View& w,
                        double r, std::uint8_t colour);
std::size_t draw_points(Canvas& c, const xt::xtensor<float, 2>& points, const View& w, double r,
                        std::uint8_t colour);

// The bytes of an animated GIF (GIF89a, looping forever) of the frames, frame k shown for
// delays_cs[k] hundredths of a second (0 to 65535; one delay per frame); palette: up to 256
// colours as 0xRRGGBB. Throws when the frames differ in size, a pixel names no colour of
// the palette, the delays do not match the frames, or giflib fails. The int form shows
// every frame for the same time.
std::string gif_animation(const std::vector<Canvas>& frames, const std::vector<std::uint32_t>& palette,
                          const std::vector<int>& delays_cs);
std::string gif_animation(const std::vector<Canvas>& frames, const std::vector<std::uint32_t>& palette,
                          int delay_cs);

// Delays for n frames: each_cs each, the first held first_cs and the last last_cs (a
// pause before the loop starts again). Throws when n is 0.
std::vector<int> frame_delays(std::size_t n, int each_cs, int first_cs, int last_cs);

}  // namespace flow::report
