// The seeded generator and the mini-batch iterator.
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "core/rng.hpp"
#include "data/batches.hpp"

using namespace flow;

TEST_CASE("a stream is determined by its seed and name", "[rng][fast]") {
    Rng a(42, "data"), b(42, "data"), c(42, "init"), d(43, "data");
    bool differs_c = false, differs_d = false;
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next_u64();
        CHECK(x == b.next_u64());
        differs_c = differs_c || x != c.next_u64();
        differs_d = differs_d || x != d.next_u64();
    }
    CHECK(differs_c);
    CHECK(differs_d);
}

TEST_CASE("uniform and normal draws have the right moments", "[rng][fast]") {
    // n = 200,000: the standard error of a uniform mean is 0.2887/sqrt(n) = 6.5e-4 and
    // of a normal mean 2.2e-3; the bounds are about five standard errors.
    Rng rng(7, "moments");
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        su += u;
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        const double z = rng.normal();
        sn += z;
        sn2 += z * z;
    }
    CHECK(lo >= 0.0);
    CHECK(hi < 1.0);
    CHECK(su / n == Approx(0.5).margin(3.5e-3));
    CHECK(sn / n == Approx(0.0).margin(0.011));
    CHECK(sn2 / n == Approx(1.0).margin(0.016));  // var of z^2 is 2: s.e. 3.2e-3
}

TEST_CASE("below(n) draws every integer below n equally often", "[rng][fast]") {
    Rng rng(8, "below");
    std::vector<int> counts(7, 0);
    for (int i = 0; i < 70000; ++i) ++counts[rng.below(7)];
    for (int c : counts) CHECK(c == Approx(10000).margin(500));  // s.e. 93
}

TEST_CASE("mini-batches cover every row once per epoch in a new order", "[rng][data][fast]") {
    Rng rng(9, "order");
    data::Batches batches(1000, 128);
    REQUIRE(batches.count() == 8);
    CHECK(batches.size(7) == 1000 - 7 * 128);
    batches.shuffle(rng);
    const auto first = batches.order();
    batches.shuffle(rng);
    const auto second = batches.order();
    CHECK(first != second);
    for (const auto* o : {&first, &second}) {
        auto sorted = *o;
        std::sort(sorted.begin(), sorted.end());
        for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(sorted[i] == i);
    }
    xt::xtensor<float, 2> src = xt::zeros<float>({1000, 2}), dst;
    for (std::size_t i = 0; i < 1000; ++i) src(i, 0) = float(i);
    batches.gather(7, src, dst);
    REQUIRE(dst.shape(0) == 1000 - 7 * 128);
    CHECK(dst(0, 0) == float(second[7 * 128]));
}
