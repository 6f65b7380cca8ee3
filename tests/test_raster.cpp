// Text and axes on raster frames: a string inks only its box and strings differ; a
// missing glyph is refused by name; tick numbers sit under their ticks; the window
// chosen for a set of clouds holds every point.
#include <set>

#include <catch2/catch.hpp>
#include <xtensor/xrandom.hpp>

#include "report/raster_axes.hpp"
#include "report/raster_text.hpp"

using namespace flow;

namespace {

// The inked pixels of a canvas as (x, y) pairs.
std::set<std::pair<long, long>> ink(const report::Canvas& c) {
    std::set<std::pair<long, long>> s;
    for (std::size_t y = 0; y < c.height; ++y)
        for (std::size_t x = 0; x < c.width; ++x)
            if (c.at(x, y)) s.insert({long(x), long(y)});
    return s;
}

}  // namespace

TEST_CASE("a string inks only its box, and distinct strings ink distinct pixels", "[report][gif][fast]") {
    report::Canvas c(200, 40, 0);
    report::draw_text(c, 7, 5, "t = 0.75", 1, 2);
    const auto box = ink(c);
    REQUIRE(report::text_width("t = 0.75", 2) == 94);  // 8 glyphs: (6 * 8 - 1) * 2
    REQUIRE(report::text_height(2) == 14);
    REQUIRE(!box.empty());
    long x0 = 1000, x1 = -1, y0 = 1000, y1 = -1;
    for (auto [x, y] : box) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    CHECK(x0 == 7);        // 't' inks its first column
    CHECK(x1 == 7 + 93);   // '5' inks its last
    CHECK(y0 == 5);
    CHECK(y1 == 5 + 13);   // '.' and the digits reach the bottom row
    const std::string glyphs = "0123456789 +-.=%txyz";
    std::set<std::set<std::pair<long, long>>> seen;
    for (char g : glyphs) {
        report::Canvas one(12, 16, 0);
        report::draw_text(one, 1, 1, std::string(1, g), 1, 2);
        seen.insert(ink(one));
    }
    CHECK(seen.size() == glyphs.size());
    report::Canvas a(40, 20, 0), b(40, 20, 0);
    report::draw_text(a, 0, 0, "x1", 1, 2);
    report::draw_text(b, 0, 0, "x2", 1, 2);
    CHECK(ink(a) != ink(b));
}

TEST_CASE("a glyph the font lacks is refused by name, before anything is drawn", "[report][gif][fast]") {
    report::Canvas c(100, 20, 0);
    CHECK_THROWS_AS(report::draw_text(c, 0, 0, "t = 1?", 1, 1), std::invalid_argument);
    CHECK_THROWS_WITH(report::draw_text(c, 0, 0, "t = 1?", 1, 1), Catch::Contains("'?'"));
    CHECK_THROWS_WITH(report::draw_text(c, 0, 0, "x1 Q", 1, 1), Catch::Contains("'Q'"));
    CHECK(ink(c).empty());
    CHECK_THROWS_AS(report::draw_text(c, 0, 0, "1", 1, 0), std::invalid_argument);
}

TEST_CASE("tick numbers are drawn centred under their ticks and within the margins", "[report][gif][fast]") {
    report::Canvas c(300, 300, 0);
    const report::Rect plot{60, 10, 200, 200};
    const report::View view{0, 4, -2, 2};
    const report::Axes axes{1, 1, "x1", "x2"};  // scale 2, ticks 4, gaps 4
    report::draw_axes(c, plot, view, axes, 1);
    // x ticks at 0..4: columns 60 + 50 k, the last clamped into the plot; one-glyph
    // numbers (10 pixels wide) centred on them, in the rows below tick and gap.
    const std::vector<long> cols{60, 110, 160, 210, 259};
    const long band = 210 + 1 + 4 + 4;
    std::set<long> inked;
    for (long x = 0; x < 300; ++x)
        for (long y = band; y < band + 14; ++y)
            if (c.at(std::size_t(x), std::size_t(y))) inked.insert(x);
    for (long x : inked) {
        bool under_a_tick = false;
        for (long t : cols) under_a_tick = under_a_tick || (x >= t - 5 && x < t + 5);
        CHECK(under_a_tick);
    }
    for (long t : cols) {
        CHECK(c.at(std::size_t(t), 211) == 1);  // the tick mark
        CHECK(inked.lower_bound(t - 5) != inked.lower_bound(t + 5));  // its number
    }
    CHECK(inked.count(55) == 1);  // "0" inks all five columns: its box is exactly [55, 65)
    CHECK(inked.count(64) == 1);
    // y ticks at 2, 1, 0, -1, -2: rows 10 + 50 k (the last clamped), numbers right-aligned
    // to end at column 60 - 1 - 4 - 4 = 51, centred on the row.
    const std::vector<long> rows{10, 60, 110, 160, 209};
    for (long y = 0; y < 300; ++y)
        for (long x = 29; x < 51; ++x)
            if (c.at(std::size_t(x), std::size_t(y))) {
                bool beside_a_tick = false;
                for (long t : rows) beside_a_tick = beside_a_tick || (y >= t - 7 && y < t + 7);
                CHECK(beside_a_tick);
            }
    // "-2" at row 209 fills [29, 51) from row 202; the '-' is its glyph row 3 (rows 208-209).
    CHECK(c.at(29, 208) == 1);
    CHECK(c.at(28, 208) == 0);
    // Everything lies within the margins axes_margins asks for.
    const auto m = report::axes_margins(view, axes);
    for (auto [x, y] : ink(c)) {
        CHECK(x >= plot.left - m.left);
        CHECK(x < plot.left + plot.width + m.right);
        CHECK(y >= plot.top - m.top);
        CHECK(y < plot.top + plot.height + m.bottom);
    }
}

TEST_CASE("the window chosen holds every point of every cloud", "[report][gif][fast]") {
    xt::random::seed(7);
    const xt::xtensor<float, 2> prior = xt::random::randn<float>({1000, 2});
    xt::xtensor<float, 2> moved = 1.5f * prior;
    for (std::size_t i = 0; i < moved.shape(0); ++i) moved(i, 0) += 2.0f;  // wider, and off centre in x
    report::Bounds b;
    b.add(prior);
    b.add(moved);
    const report::View v = report::enclosing_view(b, 0.5, true);
    CHECK(report::count_outside(prior, v) == 0);
    CHECK(report::count_outside(moved, v) == 0);
    CHECK(report::count_outside(moved, {-3.5, 3.5, -3.5, 3.5}) > 0);  // a fixed window would lose some
    CHECK(v.xmax - v.xmin == Approx(v.ymax - v.ymin));                // equal axes
    for (double e : {v.xmin, v.xmax, v.ymin, v.ymax}) CHECK(std::remainder(e, 0.5) == Approx(0).margin(1e-12));
    CHECK(v.xmin > b.xmin - 0.5);  // x is the longer side: rounded by less than a step
    CHECK(v.xmax < b.xmax + 0.5);
    report::Canvas c(100, 100, 0);
    CHECK(report::draw_points(c, {10, 10, 80, 80}, moved, v, 1, 1) == moved.shape(0));
    CHECK_THROWS(report::enclosing_view(report::Bounds{}, 0.5, true));
}

TEST_CASE("tick steps are round and tick numbers carry the decimals the step needs", "[report][gif][fast]") {
    CHECK(report::tick_step(9, 5) == Approx(2));
    CHECK(report::tick_step(10, 5) == Approx(2));
    CHECK(report::tick_step(1, 5) == Approx(0.2));
    CHECK(report::tick_step(20, 4) == Approx(5));
    CHECK(report::ticks(-4.5, 4.5, 2) == std::vector<double>{-4, -2, 0, 2, 4});
    CHECK(report::tick_label(-2, 1) == "-2");
    CHECK(report::tick_label(1.5, 0.5) == "1.5");
    CHECK(report::tick_label(-1e-17, 0.5) == "0.0");
}
