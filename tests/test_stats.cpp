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
