// The statistics behind the figures: the sliced Wasserstein distance against cases
// worked out by hand.
#include <cmath>

#include <catch2/catch.hpp>

#include "core/rng.hpp"
#include "report/stats.hpp"

using namespace flow;

TEST_CASE("sliced Wasserstein distance: zero for a set and itself, |shift|/sqrt 2 for a shift",
          "[stats][fast]") {
    Rng rng(1, "test/sw");
    xt::xtensor<float, 2> a = xt::xtensor<float, 2>::from_shape({500, 2});
    for (auto& v : a) v = float(rng.normal());
    CHECK(report::sliced_wasserstein(a, a) == Approx(0.0).margin(1e-12));
    // A shift s moves every projection on direction u by u.s; over evenly spaced
    // directions of the half circle the mean of (u.s)^2 is |s|^2 / 2.
    xt::xtensor<float, 2> b = a;
    for (std::size_t i = 0; i < 500; ++i) {
        b(i, 0) += 0.6f;
        b(i, 1) -= 0.8f;
    }
    CHECK(report::sliced_wasserstein(a, b) == Approx(1.0 / std::sqrt(2.0)).epsilon(1e-5));
    CHECK(report::sliced_wasserstein(a, b, 4) == Approx(1.0 / std::sqrt(2.0)).epsilon(1e-5));
    // Sets of different sizes from one distribution are close; a scaled copy is not.
    xt::xtensor<float, 2> c = xt::xtensor<float, 2>::from_shape({2000, 2});
    for (auto& v : c) v = float(rng.normal());
    CHECK(report::sliced_wasserstein(a, c) < 0.1);
    xt::xtensor<float, 2> d = 3.0f * c;
    CHECK(report::sliced_wasserstein(a, d) > 1.5);
}

TEST_CASE("path statistics: a straight path has ratio 1, a right-angled one sqrt 2", "[stats][fast]") {
    // Two paths over three states: (0,0) -> (1,0) -> (2,0), and (0,0) -> (1,0) -> (1,1).
    std::vector<xt::xtensor<float, 2>> s = {{{0, 0}, {0, 0}}, {{1, 0}, {1, 0}}, {{2, 0}, {1, 1}}};
    const auto p = report::path_stats(s);
    REQUIRE(p.ratio.size() == 2);
    CHECK(p.length[0] == Approx(2.0));
    CHECK(p.ratio[0] == Approx(1.0));
    CHECK(p.length[1] == Approx(2.0));
    CHECK(p.straight[1] == Approx(std::sqrt(2.0)));
    CHECK(p.ratio[1] == Approx(std::sqrt(2.0)));
    CHECK(p.mean_ratio == Approx((1.0 + std::sqrt(2.0)) / 2));
    CHECK(p.max_ratio == Approx(std::sqrt(2.0)));
    CHECK(p.mean_length == Approx(2.0));
}

TEST_CASE("mean and median of a handful of values", "[stats][fast]") {
    CHECK(report::mean({1.0, 2.0, 6.0}) == Approx(3.0));
    CHECK(report::median({5.0, 1.0, 3.0}) == 3.0);
    CHECK(report::median({4.0, 1.0, 3.0, 2.0}) == 2.5);
}

TEST_CASE("shares in a data set's support and regions count overlaps in each region", "[stats][fast]") {
    const auto& set = data::dataset("rings");
    REQUIRE(set.regions.size() == 5);
    // Raw points (identity frame): (-1, 0) on blue only, (1, 0) on blue and black, (2, 0)
    // the black ring's centre (outside), (4, 1) on red only.
    xt::xtensor<float, 2> x = {{-1.f, 0.f}, {1.f, 0.f}, {2.f, 0.f}, {4.f, 1.f}};
    const data::Standardiser identity;
    CHECK(report::share_in_region(x, identity, set, -1) == Approx(0.75));
    const int blue = 1, black = 0, red = 3;
    CHECK(report::share_in_region(x, identity, set, blue) == Approx(0.5));
    CHECK(report::share_in_region(x, identity, set, black) == Approx(0.25));
    CHECK(report::share_in_region(x, identity, set, red, {2, 3}) == Approx(0.5));
    const auto q = report::support_quality(x, identity, set);
    CHECK(q["count"] == 4);
    CHECK(q["share_in_support"] == Approx(0.75));
    CHECK(q["share_per_region"]["blue"] == Approx(0.5));
    CHECK(q["share_per_region"]["green"] == Approx(0.0));
    // A frame maps standardised points back to raw units first.
    const data::Standardiser frame{{1.0, 0.0}, {2.0, 1.0}};
    xt::xtensor<float, 2> z = {{-1.f, 0.f}};  // raw (-1, 0)
    CHECK(report::share_in_region(z, frame, set, blue) == Approx(1.0));
}
