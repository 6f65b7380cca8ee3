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

// Draws points (n, 2) as discs of radius r onto the canvas, the window filling it
// (y up); points outside the window are left out. Returns how many were drawn.
std::size_t draw_points(Canvas& c, const xt::xtensor<float, 2>& points, const View& w, double r,
                        std::uint8_t colour);

// The bytes of an animated GIF (GIF89a, looping forever) of the frames, each shown for
// delay_cs hundredths of a second; palette: up to 256 colours as 0xRRGGBB. Throws when
// the frames differ in size, a pixel names no colour of the palette, or giflib fails.
std::string gif_animation(const std::vector<Canvas>& frames, const std::vector<std::uint32_t>& palette,
                          int delay_cs);

}  // namespace flow::report
