#include "report/gif.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <gif_lib.h>

namespace flow::report {

void Canvas::disc(double x, double y, double r, std::uint8_t colour) {
    const long x0 = long(std::floor(x - r)), x1 = long(std::ceil(x + r)), y0 = long(std::floor(y - r)),
               y1 = long(std::ceil(y + r));
    for (long py = std::max(0L, y0); py <= std::min(long(height) - 1, y1); ++py)
        for (long px = std::max(0L, x0); px <= std::min(long(width) - 1, x1); ++px) {
            const double dx = double(px) + 0.5 - x, dy = double(py) + 0.5 - y;
            if (dx * dx + dy * dy <= r * r) at(std::size_t(px), std::size_t(py)) = colour;
        }
}

void Canvas::rect(long x0, long y0, long x1, long y1, std::uint8_t colour) {
    for (long py = std::max(0L, y0); py < std::min(long(height), y1); ++py)
        for (long px = std::max(0L, x0); px < std::min(long(width), x1); ++px)
            at(std::size_t(px), std::size_t(py)) = colour;
}

double column_of(const Rect& plot, const View& w, double x) {
    return double(plot.left) + (x - w.xmin) / (w.xmax - w.xmin) * double(plot.width);
}

double row_of(const Rect& plot, const View& w, double y) {
    return double(plot.top) + (w.ymax - y) / (w.ymax - w.ymin) * double(plot.height);
}

std::size_t draw_points(Canvas& c, const Rect& plot, const xt::xtensor<float, 2>& points, const View& w,
                        double r, std::uint8_t colour) {
    std::size_t drawn = 0;
    for (std::size_t i = 0; i < points.shape(0); ++i) {
        const double x = points(i, 0), y = points(i, 1);
        if (!(x >= w.xmin && x <= w.xmax && y >= w.ymin && y <= w.ymax)) continue;
        c.disc(column_of(plot, w, x), row_of(plot, w, y), r, colour);
        ++drawn;
    }
    return drawn;
}

std::size_t draw_points(Canvas& c, const xt::xtensor<float, 2>& points, const View& w, double r,
                        std::uint8_t colour) {
    return draw_points(c, Rect{0, 0, long(c.width), long(c.height)}, points, w, r, colour);
}

std::vector<int> frame_delays(std::size_t n, int each_cs, int first_cs, int last_cs) {
    if (n == 0) throw std::invalid_argument("frame_delays: no frames");
    std::vector<int> d(n, each_cs);
    d.front() = first_cs;
    d.back() = last_cs;  // one frame: it is the last, so it pauses
    return d;
}

namespace {

int append(GifFileType* gif, const GifByteType* bytes, int n) {
    static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), std::size_t(n));
    return n;
}

void check_frames(const std::vector<Canvas>& frames, const std::vector<std::uint32_t>& palette,
                  const std::vector<int>& delays_cs) {
    if (frames.empty()) throw std::invalid_argument("gif_animation: no frames");
    if (delays_cs.size() != frames.size())
        throw std::invalid_argument(
            fmt::format("gif_animation: {} delays for {} frames", delays_cs.size(), frames.size()));
    for (int d : delays_cs)
        if (d < 0 || d > 65535) throw std::invalid_argument(fmt::format("gif_animation: a delay of {} cs", d));
    if (palette.empty() || palette.size() > 256) throw std::invalid_argument("gif_animation: 1 to 256 colours");
    for (const auto& f : frames) {
        if (f.width != frames[0].width || f.height != frames[0].height)
            throw std::invalid_argument("gif_animation: frames of different sizes");
        for (auto p : f.pixels)
            if (p >= palette.size()) throw std::invalid_argument("gif_animation: a pixel names no colour");
    }
}

}  // namespace

std::string gif_animation(const std::vector<Canvas>& frames, const std::vector<std::uint32_t>& palette,
                          int delay_cs) {
    return gif_animation(frames, palette, std::vector<int>(frames.size(), delay_cs));
}

std::string gif_animation(const std::vector<Canvas>& frames, const std::vector<std::uint32_t>& palette,
                          const std::vector<int>& delays_cs) {
    check_frames(frames, palette, delays_cs);
    const std::size_t W = frames[0].width, H = frames[0].height;
    int size = 2;
    while (size < int(palette.size())) size *= 2;
    std::vector<GifColorType> colours(std::size_t(size), GifColorType{0, 0, 0});
    for (std::size_t i = 0; i < palette.size(); ++i)
        colours[i] = {GifByteType(palette[i] >> 16), GifByteType(palette[i] >> 8), GifByteType(palette[i])};

    std::string out;
    int err = 0;
    GifFileType* gif = EGifOpen(&out, append, &err);
    if (!gif) throw std::runtime_error(fmt::format("giflib: {}", GifErrorString(err)));
    ColorMapObject* map = GifMakeMapObject(size, colours.data());
    const auto fail = [&](const char* what) {
        const std::string e = GifErrorString(gif->Error) ? GifErrorString(gif->Error) : "unknown error";
        GifFreeMapObject(map);
        int unused = 0;
        EGifCloseFile(gif, &unused);
        throw std::runtime_error(fmt::format("giflib: {}: {}", what, e));
    };
    EGifSetGifVersion(gif, true);
    if (EGifPutScreenDesc(gif, int(W), int(H), 8, 0, map) == GIF_ERROR) fail("screen");
    // Loop forever (the NETSCAPE2.0 application extension, count 0).
    const GifByteType app[] = "NETSCAPE2.0", loop[] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, app) == GIF_ERROR || EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(gif) == GIF_ERROR)
        fail("loop extension");
    for (std::size_t k = 0; k < frames.size(); ++k) {
        const Canvas& f = frames[k];
        // Each frame's own graphics control extension carries its delay.
        GraphicsControlBlock gcb{DISPOSE_DO_NOT, false, delays_cs[k], NO_TRANSPARENT_COLOR};
        GifByteType ext[4];
        const std::size_t len = EGifGCBToExtension(&gcb, ext);
        if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(len), ext) == GIF_ERROR) fail("frame delay");
        if (EGifPutImageDesc(gif, 0, 0, int(W), int(H), false, nullptr) == GIF_ERROR) fail("frame");
        std::vector<GifPixelType> row(W);
        for (std::size_t y = 0; y < H; ++y) {
            std::memcpy(row.data(), f.pixels.data() + y * W, W);
            if (EGifPutLine(gif, row.data(), int(W)) == GIF_ERROR) fail("pixels");
        }
    }
    GifFreeMapObject(map);
    if (EGifCloseFile(gif, &err) == GIF_ERROR) throw std::runtime_error(fmt::format("giflib: {}", GifErrorString(err)));
    return out;
}

}  // namespace flow::report
