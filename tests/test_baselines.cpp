// The reference density estimators: the standard Gaussian, the EM-fitted mixture, the KDE.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>
#include <xtensor/xview.hpp>

#include "core/rng.hpp"
#include "density.hpp"
#include "density/baselines.hpp"

using namespace flow;
using density::Component;
using density::Points;

namespace {

// A well-separated two-component law: the means are 4.1 apart along x, where no
// component's standard deviation exceeds 0.71.
std::vector<Component> two_blobs() {
    return {{0.3, {-2.0, 0.0}, {0.5, 0.2, 0.3}}, {0.7, {2.0, 1.0}, {0.4, -0.1, 0.6}}};
}

// n points of a mixture law: a component by its weight, then μ + L z with Σ = L Lᵀ.
Points sample(const std::vector<Component>& law, std::size_t n, Rng& rng) {
    Points x = Points::from_shape({n, std::size_t(2)});
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t k = 0;
        for (double u = rng.uniform(); k + 1 < law.size() && (u -= law[k].weight) >= 0;) ++k;
        const auto& c = law[k];
        const double l11 = std::sqrt(c.cov.xx), l21 = c.cov.xy / l11, l22 = std::sqrt(c.cov.yy - l21 * l21);
        const double z0 = rng.normal(), z1 = rng.normal();
        x(i, 0) = float(c.mean[0] + l11 * z0);
        x(i, 1) = float(c.mean[1] + l21 * z0 + l22 * z1);
    }
    return x;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double a : v) s += a;
    return s / double(v.size());
}

}  // namespace

TEST_CASE("every baseline's density integrates to 1 over a wide box", "[baselines]") {
    Rng rng(11, "baselines/data");
    const Points train = sample(two_blobs(), 1000, rng), val = sample(two_blobs(), 300, rng);
    Rng em(11, "baselines/em");
    const auto mixture = density::fit_mixture(train, 3, em);
    const auto kde = density::choose_kde(xt::xtensor<float, 2>(xt::view(train, xt::range(0, 300))), val).model;
    // The midpoint rule on [-8, 8]² with cells of 0.05. Every component and kernel lies
    // within 5 of the origin and is wider than a cell, where the rule's relative error on
    // a Gaussian is about 2 exp(-2π²) = 5e-9: the mass must be 1 to well within 1e-3,
    // and a normaliser off by any factor (2π, h², det Σ, a weight) is not.
    const auto mass = [](auto log_prob) { return test::grid_mass<float>(log_prob, -8.0, 0.05); };
    CHECK(mass(density::standard_normal_log_prob) == Approx(1.0).margin(1e-3));
    CHECK(mass([&](const Points& x) { return mixture.log_prob(x); }) == Approx(1.0).margin(1e-3));
    CHECK(mass([&](const Points& x) { return kde.log_prob(x); }) == Approx(1.0).margin(1e-3));
}

TEST_CASE("EM never lowers the training log-likelihood", "[baselines]") {
    Rng rng(12, "baselines/data"), em(12, "baselines/em");
    const Points train = sample(two_blobs(), 1000, rng);
    // K = 4 on two blobs, one restart: a fit that moves for many steps.
    const auto g = density::fit_mixture(train, 4, em, 500, 1);
    const auto& t = g.trace;
    REQUIRE(t.size() >= 10);
    // With the covariance floor as an eigenvalue bound, every M-step is an exact
    // maximiser, so each step can only raise the mean log-likelihood; 1e-12 nats leaves
    // room for rounding in a mean of 1000 terms (about 1e-15), none for a real decrease.
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] >= t[i - 1] - 1e-12);
    CHECK(t.back() > t.front() + 0.1);  // it started from the shared covariance, far off
    // The trace's last entry is the returned model's log-likelihood.
    CHECK(mean(g.log_prob(train)) == Approx(t.back()).epsilon(0).margin(1e-12));
}

TEST_CASE("EM recovers a well-separated two-component mixture from 4000 points", "[baselines]") {
    Rng rng(13, "baselines/data"), em(13, "baselines/em");
    const auto law = two_blobs();
    const auto g = density::fit_mixture(sample(law, 4000, rng), 2, em);
    REQUIRE(g.components.size() == 2);
    auto fit = g.components;
    std::sort(fit.begin(), fit.end(), [](const auto& a, const auto& b) { return a.mean[0] < b.mean[0]; });
    // Standard errors at n = 4000 (1200 and 2800 points per component): a weight 0.007,
    // a mean coordinate at most sqrt(0.6 / 1200) = 0.022, a covariance entry at most
    // 0.6 sqrt(2 / 1200) = 0.025. The bounds are about four of them.
    for (std::size_t k = 0; k < 2; ++k) {
        CHECK(fit[k].weight == Approx(law[k].weight).margin(0.03));
        CHECK(fit[k].mean[0] == Approx(law[k].mean[0]).margin(0.09));
        CHECK(fit[k].mean[1] == Approx(law[k].mean[1]).margin(0.09));
        CHECK(fit[k].cov.xx == Approx(law[k].cov.xx).margin(0.1));
        CHECK(fit[k].cov.xy == Approx(law[k].cov.xy).margin(0.1));
        CHECK(fit[k].cov.yy == Approx(law[k].cov.yy).margin(0.1));
    }
}

TEST_CASE("choose_mixture picks two components for two-component data", "[baselines]") {
    Rng rng(13, "baselines/data"), val_rng(13, "baselines/val"), em(13, "baselines/choose");
    // Three components fitted to this law score within a few 1e-3 nats of two on new
    // points, so the choice rests on the validation set's size: with 4000 validation
    // points K = 2 won for 16 of 20 seeds (100-119), with 40,000 for 19 of 20.
    const Points train = sample(two_blobs(), 4000, rng), val = sample(two_blobs(), 40000, val_rng);
    const auto c = density::choose_mixture(train, val, 4, em);
    REQUIRE(c.val_nll.size() == 4);
    CHECK(c.K == 2);
    CHECK(c.model.components.size() == 2);
    CHECK(c.model.parameters() == 11);
    CHECK(c.val_nll[0] > c.val_nll[1] + 0.5);  // one Gaussian over two blobs is far worse
    CHECK(mean(c.model.log_prob(val)) == Approx(-c.val_nll[1]).epsilon(1e-12));
}

TEST_CASE("choose_kde picks an inner bandwidth, and the KDE is the sum of its kernels", "[baselines]") {
    Rng rng(14, "baselines/data"), val_rng(14, "baselines/val");
    const Points train = sample(two_blobs(), 300, rng), val = sample(two_blobs(), 100, val_rng);
    const auto c = density::choose_kde(train, val);
    REQUIRE(c.grid.size() == 30);
    REQUIRE(c.val_nll.size() == 30);
    const double scott = std::pow(300.0, -1.0 / 6.0);
    CHECK(c.grid.front() == Approx(0.05 * scott).epsilon(1e-12));
    CHECK(c.grid.back() == Approx(1.5 * scott).epsilon(1e-12));
    CHECK(c.scott_ratio == Approx(c.h / scott).epsilon(1e-12));
    const auto best = std::min_element(c.val_nll.begin(), c.val_nll.end()) - c.val_nll.begin();
    CHECK(c.h == c.grid[best]);
    CHECK(c.val_nll[best] < c.val_nll.front());
    CHECK(c.val_nll[best] < c.val_nll.back());

    // Directly: Σ̂ (divided by n - 1), H = h² Σ̂, p(x) = 1/n Σ_i N(x; x_i, H).
    const std::size_t n = train.shape(0);
    double m0 = 0, m1 = 0, sxx = 0, sxy = 0, syy = 0;
    for (std::size_t i = 0; i < n; ++i) m0 += train(i, 0) / double(n), m1 += train(i, 1) / double(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double a = train(i, 0) - m0, b = train(i, 1) - m1;
        sxx += a * a / double(n - 1), sxy += a * b / double(n - 1), syy += b * b / double(n - 1);
    }
    const double h2 = c.h * c.h, a = h2 * sxx, b = h2 * sxy, d = h2 * syy, det = a * d - b * b;
    const auto lp = c.model.log_prob(val);
    for (std::size_t q = 0; q < val.shape(0); ++q) {
        double p = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double u = double(val(q, 0)) - train(i, 0), v = double(val(q, 1)) - train(i, 1);
            p += std::exp(-0.5 * (d * u * u - 2 * b * u * v + a * v * v) / det) / (2 * M_PI * std::sqrt(det));
        }
        CHECK(lp[q] == Approx(std::log(p / double(n))).epsilon(1e-10));
    }
}

TEST_CASE("a mixture's log-density is the hand-computed Gaussian one", "[baselines]") {
    // N(x; μ, Σ) with μ = (0.5, -1), Σ = [[2, 0.6], [0.6, 1]] at x = (1.5, 0.2):
    // det Σ = 1.64, Σ⁻¹ = [[1, -0.6], [-0.6, 2]] / 1.64, d = (1, 1.2),
    // dᵀ Σ⁻¹ d = (1 - 1.44 + 2.88) / 1.64, log p = -log 2π - log(1.64) / 2 - (2.44 / 1.64) / 2.
    density::GaussianMixture one{{{1.0, {0.5, -1.0}, {2.0, 0.6, 1.0}}}, {}};
    Points x = {{1.5f, 0.2f}};
    const double hand = -std::log(2 * M_PI) - 0.5 * std::log(1.64) - 0.5 * 2.44 / 1.64;
    REQUIRE(hand == Approx(-2.829127626351789).epsilon(1e-15));
    // 1.5f and 0.2f are not exact: 0.2f is off by 3e-9, which moves log p by about 4e-9.
    CHECK(one.log_prob(x)[0] == Approx(hand).epsilon(0).margin(1e-8));
    // Two components: log(w1 p1 + w2 p2), with p2 the standard normal's density.
    density::GaussianMixture two{{{0.25, {0.5, -1.0}, {2.0, 0.6, 1.0}}, {0.75, {0.0, 0.0}, {}}}, {}};
    const double p2 = std::exp(-0.5 * (1.5 * 1.5 + 0.2 * 0.2)) / (2 * M_PI);
    CHECK(two.log_prob(x)[0] == Approx(std::log(0.25 * std::exp(hand) + 0.75 * p2)).epsilon(0).margin(1e-8));
    CHECK(density::standard_normal_log_prob(Points{{0.0f, 0.0f}})[0] == Approx(-std::log(2 * M_PI)));
}

TEST_CASE("bad input to the baselines throws invalid_argument", "[baselines]") {
    Rng rng(15, "baselines/data");
    const Points train = sample(two_blobs(), 50, rng), three = xt::zeros<float>({10, 3});
    const Points empty = Points::from_shape({0, 2}), line = {{0, 0}, {1, 1}, {2, 2}};
    using E = std::invalid_argument;
    CHECK_THROWS_AS(density::fit_mixture(train, 0, rng), E);
    CHECK_THROWS_AS(density::fit_mixture(xt::xtensor<float, 2>(xt::view(train, xt::range(0, 3))), 4, rng), E);
    CHECK_THROWS_AS(density::fit_mixture(empty, 1, rng), E);
    CHECK_THROWS_AS(density::fit_mixture(three, 1, rng), E);
    CHECK_THROWS_AS(density::choose_mixture(train, three, 3, rng), E);
    CHECK_THROWS_AS(density::choose_mixture(train, empty, 3, rng), E);
    CHECK_THROWS_AS(density::choose_mixture(train, train, 0, rng), E);
    CHECK_THROWS_AS(density::GaussianMixture{}.log_prob(train), E);
    CHECK_THROWS_AS(density::fit_mixture(train, 2, rng).log_prob(three), E);
    CHECK_THROWS_AS(density::Kde(empty, 0.5), E);
    CHECK_THROWS_AS(density::Kde(train, 0.0), E);
    CHECK_THROWS_AS(density::Kde(line, 0.5), E);  // a singular covariance
    CHECK_THROWS_AS(density::Kde(train, 0.5).log_prob(three), E);
    CHECK_THROWS_AS(density::choose_kde(train, three), E);
    CHECK_THROWS_AS(density::choose_kde(empty, train), E);
    CHECK_THROWS_AS(density::mean_nll({}), E);
}
