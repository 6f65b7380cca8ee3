#include "report/raster_axes.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "report/raster_text.hpp"

namespace flow::report {

void Bounds::add(const xt::xtensor<float, 2>& points) {
    for (std::size_t i = 0; i < points.shape(0); ++i) {
        xmin = std::min(xmin, double(points(i, 0)));
        xmax = std::max(xmax, double(points(i, 0)));
        ymin = std::min(ymin, double(points(i, 1)));
        ymax = std::max(ymax, double(points(i, 1)));
    }
}

std::size_t count_outside(const xt::xtensor<float, 2>& points, const View& w) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < points.shape(0); ++i) {
        const double x = points(i, 0), y = points(i, 1);
        if (!(x >= w.xmin && x <= w.xmax && y >= w.ymin && y <= w.ymax)) ++out;
    }
    return out;
}

namespace {

// [lo, hi] rounded outward to multiples of step; a point gets one step on each side.
void round_outward(double& lo, double& hi, double step) {
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step) * step;
    if (hi <= lo) lo -= step, hi += step;
}

// Widens [lo, hi] by `steps` whole steps, the odd one above.
void widen(double& lo, double& hi, long steps, double step) {
    lo -= double(steps / 2) * step;
    hi += double(steps - steps / 2) * step;
}

}  // namespace

View enclosing_view(const Bounds& b, double step, bool equal_axes) {
    if (!(step > 0)) throw std::invalid_argument(fmt::format("enclosing_view: step {} is not positive", step));
    if (!(b.xmin <= b.xmax && b.ymin <= b.ymax) || !std::isfinite(b.xmax - b.xmin + b.ymax - b.ymin))
        throw std::invalid_argument("enclosing_view: the bounds hold no finite point");
    View v{b.xmin, b.xmax, b.ymin, b.ymax};
    round_outward(v.xmin, v.xmax, step);
    round_outward(v.ymin, v.ymax, step);
    if (equal_axes) {
        const long d = std::lround(((v.xmax - v.xmin) - (v.ymax - v.ymin)) / step);
        if (d > 0) widen(v.ymin, v.ymax, d, step);
        if (d < 0) widen(v.xmin, v.xmax, -d, step);
    }
    return v;
}

double tick_step(double span, int at_most) {
    if (!(span > 0) || at_most < 1) throw std::invalid_argument("tick_step: needs a positive span and count");
    double p = std::pow(10.0, std::floor(std::log10(span / at_most)));
    for (;; p *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (span / (m * p) <= at_most * (1 + 1e-9)) return m * p;
}

std::vector<double> ticks(double lo, double hi, double step) {
    std::vector<double> t;
    for (long k = long(std::ceil(lo / step - 1e-9)); double(k) * step <= hi + 1e-9 * step; ++k)
        t.push_back(double(k) * step);
    return t;
}

std::string tick_label(double v, double step) {
    const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    if (std::fabs(v) < 1e-9 * step) v = 0;
    return fmt::format("{:.{}f}", v, decimals);
}

namespace {

long widest_label(double lo, double hi, double step, int scale) {
    long w = 0;
    for (double t : ticks(lo, hi, step)) w = std::max(w, text_width(tick_label(t, step), scale));
    return w;
}

}  // namespace

Margins axes_margins(const View& w, const Axes& a) {
    const long h = text_height(a.scale), half = h / 2 + 1;
    const long numbers = widest_label(w.ymin, w.ymax, a.ystep, a.scale);
    const long xnumber = widest_label(w.xmin, w.xmax, a.xstep, a.scale) / 2 + 1;
    return {1 + a.tick + a.gap + numbers + a.gap + text_width(a.yname, a.scale) + a.gap, std::max(xnumber, half),
            half, 1 + a.tick + a.gap + h + a.gap + h + a.gap};
}

void draw_axes(Canvas& c, const Rect& p, const View& w, const Axes& a, std::uint8_t colour) {
    const long right = p.left + p.width, bottom = p.top + p.height, h = text_height(a.scale);
    c.rect(p.left - 1, p.top - 1, right + 1, p.top, colour);  // the frame
    c.rect(p.left - 1, bottom, right + 1, bottom + 1, colour);
    c.rect(p.left - 1, p.top - 1, p.left, bottom + 1, colour);
    c.rect(right, p.top - 1, right + 1, bottom + 1, colour);
    for (double t : ticks(w.xmin, w.xmax, a.xstep)) {
        const long x = std::clamp(long(std::floor(column_of(p, w, t))), p.left, right - 1);
        const std::string s = tick_label(t, a.xstep);
        c.rect(x, bottom + 1, x + 1, bottom + 1 + a.tick, colour);
        draw_text(c, x - text_width(s, a.scale) / 2, bottom + 1 + a.tick + a.gap, s, colour, a.scale);
    }
    long numbers = 0;
    for (double t : ticks(w.ymin, w.ymax, a.ystep)) {
        const long y = std::clamp(long(std::floor(row_of(p, w, t))), p.top, bottom - 1);
        const std::string s = tick_label(t, a.ystep);
        const long sw = text_width(s, a.scale);
        numbers = std::max(numbers, sw);
        c.rect(p.left - 1 - a.tick, y, p.left - 1, y + 1, colour);
        draw_text(c, p.left - 1 - a.tick - a.gap - sw, y - h / 2, s, colour, a.scale);
    }
    const long xname = p.left + p.width / 2 - text_width(a.xname, a.scale) / 2;
    draw_text(c, xname, bottom + 1 + a.tick + a.gap + h + a.gap, a.xname, colour, a.scale);
    const long yname = p.left - 1 - a.tick - a.gap - numbers - a.gap - text_width(a.yname, a.scale);
    draw_text(c, yname, p.top + p.height / 2 - h / 2, a.yname, colour, a.scale);
}

}  // namespace flow::report
