#include "report/raster_layer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "report/plots.hpp"

namespace flow::report {

namespace {
constexpr unsigned char kViridis[9][3] = {{68, 1, 84},    {71, 45, 123},  {59, 82, 139},
                                          {44, 114, 142}, {33, 145, 140}, {39, 173, 129},
                                          {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
}  // namespace

Ink viridis(double u) {
    u = std::clamp(std::isfinite(u) ? u : 0.0, 0.0, 1.0) * 8.0;
    const int k = std::min(7, int(u));
    const double f = u - k;
    auto mix = [&](int c) { return std::uint8_t(std::lround((1 - f) * kViridis[k][c] + f * kViridis[k + 1][c])); };
    return {mix(0), mix(1), mix(2), 1.0};
}

RasterLayer::RasterLayer(View view, double width_pt, double height_pt, double dpi)
    : view_(view), width_pt_(width_pt), height_pt_(height_pt), scale_(dpi / 72.27) {
    if (!(view.xmax > view.xmin && view.ymax > view.ymin))
        throw std::invalid_argument("raster layer: the window is empty");
    if (!(width_pt > 0 && height_pt > 0 && dpi > 0)) throw std::invalid_argument("raster layer: the box is empty");
    w_ = std::size_t(std::lround(width_pt * scale_));
    h_ = std::size_t(std::lround(height_pt * scale_));
    rgba_.assign(w_ * h_ * 4, 0.0f);
}

RasterLayer RasterLayer::equal_units(View view, double width_pt, double dpi) {
    return RasterLayer(view, width_pt, width_pt * (view.ymax - view.ymin) / (view.xmax - view.xmin), dpi);
}

double RasterLayer::px(double x) const { return (x - view_.xmin) / (view_.xmax - view_.xmin) * double(w_); }
double RasterLayer::py(double y) const { return (view_.ymax - y) / (view_.ymax - view_.ymin) * double(h_); }

void RasterLayer::blend(std::size_t x, std::size_t y, const Ink& ink, double coverage) {
    const float a = float(std::clamp(coverage, 0.0, 1.0) * ink.opacity);
    if (a <= 0) return;
    float* p = &rgba_[(y * w_ + x) * 4];
    const float src[4] = {ink.r / 255.0f, ink.g / 255.0f, ink.b / 255.0f, 1.0f};
    for (int c = 0; c < 4; ++c) p[c] = src[c] * a + p[c] * (1 - a);
}

void RasterLayer::marks(const xt::xtensor<float, 2>& points, Ink ink, double radius_pt) {
    for (std::size_t i = 0; i < points.shape(0); ++i) disc(points(i, 0), points(i, 1), ink, radius_pt);
}

void RasterLayer::disc(double x, double y, Ink ink, double radius_pt) {
    if (!(x >= view_.xmin && x <= view_.xmax && y >= view_.ymin && y <= view_.ymax)) return;
    const double r = radius_pt * scale_, cx = px(x), cy = py(y);
    const long x0 = std::max(0L, long(std::floor(cx - r - 1))), x1 = std::min(long(w_) - 1, long(std::ceil(cx + r + 1)));
    const long y0 = std::max(0L, long(std::floor(cy - r - 1))), y1 = std::min(long(h_) - 1, long(std::ceil(cy + r + 1)));
    for (long v = y0; v <= y1; ++v)
        for (long u = x0; u <= x1; ++u) {
            const double d = std::hypot(u + 0.5 - cx, v + 0.5 - cy);
            blend(std::size_t(u), std::size_t(v), ink, r + 0.5 - d);
        }
}

void RasterLayer::annulus(double cx, double cy, double rx, double ry, double ix, double iy, Ink ink) {
    const long x0 = std::max(0L, long(std::floor(px(cx - rx)))), x1 = std::min(long(w_) - 1, long(std::ceil(px(cx + rx))));
    const long y0 = std::max(0L, long(std::floor(py(cy + ry)))), y1 = std::min(long(h_) - 1, long(std::ceil(py(cy - ry))));
    const double ux = (view_.xmax - view_.xmin) / double(w_), uy = (view_.ymax - view_.ymin) / double(h_);
    constexpr int kSub = 4;  // 4 x 4 samples a pixel
    for (long v = y0; v <= y1; ++v)
        for (long u = x0; u <= x1; ++u) {
            int inside = 0;
            for (int a = 0; a < kSub; ++a)
                for (int b = 0; b < kSub; ++b) {
                    const double x = view_.xmin + (double(u) + (a + 0.5) / kSub) * ux - cx;
                    const double y = view_.ymax - (double(v) + (b + 0.5) / kSub) * uy - cy;
                    const double outer = x * x / (rx * rx) + y * y / (ry * ry), inner = x * x / (ix * ix) + y * y / (iy * iy);
                    inside += outer <= 1 && inner > 1;
                }
            if (inside) blend(std::size_t(u), std::size_t(v), ink, double(inside) / (kSub * kSub));
        }
}

void RasterLayer::path(const std::vector<std::array<double, 2>>& points, const std::vector<Ink>& colours,
                       double width_pt) {
    if (points.size() >= 2 && colours.size() + 1 != points.size())
        throw std::invalid_argument("raster layer: a path needs one colour per segment");
    const double hw = width_pt * scale_ / 2;
    for (std::size_t k = 0; k + 1 < points.size(); ++k) {
        const double ax = px(points[k][0]), ay = py(points[k][1]);
        const double bx = px(points[k + 1][0]), by = py(points[k + 1][1]);
        if (!(std::isfinite(ax) && std::isfinite(ay) && std::isfinite(bx) && std::isfinite(by))) continue;
        const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        const long x0 = std::max(0L, long(std::floor(std::min(ax, bx) - hw - 1)));
        const long x1 = std::min(long(w_) - 1, long(std::ceil(std::max(ax, bx) + hw + 1)));
        const long y0 = std::max(0L, long(std::floor(std::min(ay, by) - hw - 1)));
        const long y1 = std::min(long(h_) - 1, long(std::ceil(std::max(ay, by) + hw + 1)));
        for (long v = y0; v <= y1; ++v)
            for (long u = x0; u <= x1; ++u) {
                const double qx = u + 0.5 - ax, qy = v + 0.5 - ay;
                const double s = len2 > 0 ? std::clamp((qx * dx + qy * dy) / len2, 0.0, 1.0) : 0.0;
                const double d = std::hypot(qx - s * dx, qy - s * dy);
                // The segment's start is its predecessor's end: leave its round cap out, so
                // that a join is not drawn twice.
                if (k > 0 && s == 0.0) continue;
                blend(std::size_t(u), std::size_t(v), colours[k], hw + 0.5 - d);
            }
    }
}

std::array<float, 4> RasterLayer::pixel(std::size_t x, std::size_t y) const {
    const float* p = &rgba_[(y * w_ + x) * 4];
    return {p[0], p[1], p[2], p[3]};
}

std::string RasterLayer::axis_options() const {
    return fmt::format("scale only axis, width={:.2f}pt, height={:.2f}pt, enlargelimits=false, "
                       "xmin={:g}, xmax={:g}, ymin={:g}, ymax={:g}{}",
                       width_pt_, height_pt_, view_.xmin, view_.xmax, view_.ymin, view_.ymax,
                       opaque_ ? ", axis on top, grid=none" : "");
}

std::string RasterLayer::addplot(const std::string& png) const {
    return fmt::format("\\addplot[forget plot] graphics[xmin={:g}, xmax={:g}, ymin={:g}, ymax={:g}] {{{}}};\n", view_.xmin,
                       view_.xmax, view_.ymin, view_.ymax, png);
}

std::string RasterLayer::png() const {
    // Opaque (over white) when asked: pdfTeX copies such a PNG's data as it is, where one
    // with an alpha channel has to be decoded and split, several times slower.
    const int channels = opaque_ ? 3 : 4;
    std::vector<unsigned char> bytes(w_ * h_ * std::size_t(channels));
    for (std::size_t i = 0; i < w_ * h_; ++i) {
        const float a = rgba_[4 * i + 3];
        unsigned char* out = &bytes[i * std::size_t(channels)];
        for (int c = 0; c < 3; ++c) {
            const float v = opaque_ ? rgba_[4 * i + c] + (1 - a) : a > 0 ? rgba_[4 * i + c] / a : 1.0f;
            out[c] = static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
        }
        if (!opaque_) out[3] = static_cast<unsigned char>(std::lround(a * 255));
    }
    return png_encode(bytes, h_, w_, channels);
}

std::vector<std::size_t> thin_polyline(const std::vector<double>& xs, const std::vector<double>& ys,
                                       std::size_t buckets) {
    std::vector<std::size_t> kept;
    if (xs.empty()) return kept;
    const double lo = xs.front(), hi = xs.back(), span = hi > lo ? hi - lo : 1.0;
    std::size_t start = 0;
    while (start < xs.size()) {
        const auto bucket = [&](std::size_t i) {
            return std::min(buckets - 1, std::size_t(std::max(0.0, (xs[i] - lo) / span * double(buckets))));
        };
        std::size_t end = start, low = start, high = start;
        while (end < xs.size() && bucket(end) == bucket(start)) {
            if (ys[end] < ys[low]) low = end;
            if (ys[end] > ys[high]) high = end;
            ++end;
        }
        for (std::size_t i : {std::min(low, high), std::max(low, high)})
            if (kept.empty() || kept.back() != i) kept.push_back(i);
        start = end;
    }
    return kept;
}

}  // namespace flow::report
