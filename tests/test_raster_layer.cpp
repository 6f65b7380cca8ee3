// The raster layer under pgfplots axes: marks, paths and rings drawn where the window
// puts them, with the areas and colours worked out by hand; and the thinning of line
// charts.
#include <cmath>

#include <catch2/catch.hpp>

#include "report/raster_layer.hpp"

using namespace flow;
using report::RasterLayer;

namespace {
// The summed alpha of the layer: the drawn area in pixels.
double ink(const RasterLayer& l) {
    double a = 0;
    for (std::size_t y = 0; y < l.height_px(); ++y)
        for (std::size_t x = 0; x < l.width_px(); ++x) a += l.pixel(x, y)[3];
    return a;
}
}  // namespace

TEST_CASE("a mark is a disc of its radius in points, where the window puts it", "[report][fast]") {
    // 72.27 dpi: one pixel a point. A 100 x 50 pt box shows [0, 10] x [0, 5].
    RasterLayer l({0, 10, 0, 5}, 100, 50, 72.27);
    REQUIRE(l.width_px() == 100);
    REQUIRE(l.height_px() == 50);
    xt::xtensor<float, 2> p = {{2.0f, 1.0f}};
    l.marks(p, {255, 0, 0, 1.0}, 6);
    CHECK(ink(l) == Approx(M_PI * 36).epsilon(0.02));
    // (2, 1) is pixel (20, 40) from the top left: red and opaque there, nothing far off.
    const auto c = l.pixel(20, 39);
    CHECK(c[0] == Approx(1.0f));
    CHECK(c[1] == Approx(0.0f));
    CHECK(c[3] == Approx(1.0f));
    CHECK(l.pixel(20, 10)[3] == 0.0f);
    // A point outside the window draws nothing; opacity scales the ink.
    RasterLayer m({0, 10, 0, 5}, 100, 50, 72.27);
    xt::xtensor<float, 2> out = {{11.0f, 1.0f}};
    m.marks(out, {0, 0, 0, 1.0}, 3);
    CHECK(ink(m) == 0.0);
    m.marks(p, {0, 0, 0, 0.5}, 6);
    CHECK(ink(m) == Approx(0.5 * M_PI * 36).epsilon(0.02));
}

TEST_CASE("a path is as long and as wide as asked, its joins drawn once", "[report][fast]") {
    RasterLayer l({0, 100, 0, 100}, 100, 100, 72.27);
    // An L of two 40-point legs, 2 points wide: about 2 x 80 plus the two end caps.
    l.path({{{10, 50}}, {{50, 50}}, {{50, 90}}}, {{0, 0, 255, 1.0}, {0, 0, 255, 1.0}}, 2);
    CHECK(ink(l) == Approx(2 * 80 + M_PI).epsilon(0.05));
    CHECK_THROWS(l.path({{{0, 0}}, {{1, 1}}}, {}, 1));
}

TEST_CASE("an annulus covers the area between its ellipses", "[report][fast]") {
    RasterLayer l({-10, 10, -10, 10}, 200, 200, 72.27);  // 10 pixels a unit
    l.annulus(0, 0, 6, 3, 4, 2, {0, 0, 0, 1.0});
    CHECK(ink(l) == Approx(M_PI * (6 * 3 - 4 * 2) * 100).epsilon(0.01));
    CHECK(l.pixel(100, 100)[3] == 0.0f);  // the hole
}

TEST_CASE("the layer's PNG is opaque over white, or keeps its alpha", "[report][fast]") {
    RasterLayer l({0, 1, 0, 1}, 10, 10, 72.27);
    const std::string opaque = l.png();
    CHECK(opaque.substr(1, 3) == "PNG");
    CHECK(int(static_cast<unsigned char>(opaque[25])) == 2);  // IHDR colour type: RGB
    l.set_opaque(false);
    CHECK(int(static_cast<unsigned char>(l.png()[25])) == 6);  // RGBA
    CHECK_THAT(l.axis_options(), !Catch::Contains("axis on top"));
    l.set_opaque(true);
    CHECK_THAT(l.axis_options(), Catch::Contains("axis on top, grid=none"));
    CHECK_THROWS(RasterLayer({0, 0, 0, 1}, 10, 10));
    CHECK_THROWS(RasterLayer({0, 1, 0, 1}, 0, 10));
}

TEST_CASE("the report's viridis runs from its first control point to its last", "[report][fast]") {
    CHECK(report::viridis(0).r == 68);
    CHECK(report::viridis(1).g == 231);
    CHECK(report::viridis(-3).b == 84);  // clamped
    CHECK(report::viridis(NAN).r == 68);
}

TEST_CASE("a thinned line keeps each column's lowest and highest points in order", "[report][fast]") {
    std::vector<double> xs, ys;
    for (int i = 0; i < 100; ++i) {
        xs.push_back(i);
        ys.push_back(i == 37 ? 50.0 : std::sin(i / 10.0));
    }
    const auto kept = report::thin_polyline(xs, ys, 10);
    CHECK(kept.size() <= 20);
    CHECK(std::is_sorted(kept.begin(), kept.end()));
    CHECK(std::find(kept.begin(), kept.end(), 37) != kept.end());  // the spike
    // A curve already thinner than the columns is kept whole.
    CHECK(report::thin_polyline({0, 1, 2}, {3, 1, 2}, 10) == std::vector<std::size_t>{0, 1, 2});
}
