#pragma once
// Reference density estimators for 2-D point sets, to stand beside the trained flows in
// a table of held-out negative log-likelihoods (nats per point): the standard Gaussian,
// a Gaussian mixture fitted by EM and a Gaussian kernel density estimate. Points are
// (n, 2) float rows, as everywhere; every computation is in double. A mixture's number
// of components and a KDE's bandwidth are chosen on validation points, and the choice
// keeps the validation NLL of every candidate so that a report can say how it was made.
//
// Bad input (no points, fewer points than components, K = 0, a width other than 2 (the
// standard normal takes any), training and validation sets of different widths, a
// bandwidth that is not positive) throws std::invalid_argument.
#include <array>
#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "core/rng.hpp"

namespace flow::density {

using Points = xt::xtensor<float, 2>;  // (n, 2)

// A symmetric 2x2 matrix [[xx, xy], [xy, yy]].
struct Cov2 {
    double xx = 1, xy = 0, yy = 1;
};

// The mean negative log-likelihood of per-point log-densities; throws if there are none.
double mean_nll(const std::vector<double>& log_p);

// 1. log N(x; 0, I) per point: the prior of every flow, on standardised data.
std::vector<double> standard_normal_log_prob(const Points& x);

// 2. A Gaussian mixture with full covariances, p(x) = Σ_k w_k N(x; μ_k, Σ_k).
struct Component {
    double weight = 1;
    std::array<double, 2> mean{0, 0};
    Cov2 cov;
};
struct GaussianMixture {
    std::vector<Component> components;
    // The mean training log-likelihood (nats per point) of the kept restart after 0, 1,
    // 2, ... EM steps; the last entry is the returned model's. Empty for a model built
    // by hand.
    std::vector<double> trace;

    std::vector<double> log_prob(const Points& x) const;  // per point, by log-sum-exp
    std::size_t parameters() const { return components.size() * (1 + 2 + 3) - 1; }
};

// The smallest eigenvalue a fitted covariance may have: a component cannot collapse
// onto one point, where its likelihood would grow without bound.
constexpr double kCovarianceFloor = 1e-6;

// EM from k-means++ centres drawn from rng (each component starting with weight 1/K
// and the training covariance), until the mean training log-likelihood improves by
// less than tolerance or after `iterations` steps; the best of `restarts` runs by
// training log-likelihood.
GaussianMixture fit_mixture(const Points& train, std::size_t K, Rng& rng, int iterations = 500,
                            int restarts = 3, double tolerance = 1e-8);

struct MixtureChoice {
    std::size_t K = 0;            // the number of components with the lowest validation NLL
    std::vector<double> val_nll;  // mean validation NLL for K = 1, 2, ..., Kmax
    GaussianMixture model;        // fitted with K components
};
// Fits K = 1..Kmax on train (in that order, from rng) and keeps the K whose mean NLL on
// val is lowest (the smaller K on a tie).
MixtureChoice choose_mixture(const Points& train, const Points& val, std::size_t Kmax, Rng& rng,
                             int iterations = 500, int restarts = 3);

// 3. A Gaussian kernel density estimate with bandwidth matrix H = h² Σ̂, Σ̂ the training
// points' sample covariance (divided by n - 1): p(x) = 1/n Σ_i N(x; x_i, H).
struct Kde {
    Kde() = default;
    Kde(const Points& train, double h);
    std::vector<double> log_prob(const Points& x) const;  // per point, by log-sum-exp

    double h = 0;
    Cov2 cov;  // Σ̂
private:
    std::array<double, 3> chol_{};               // Σ̂ = L Lᵀ, as (l11, l21, l22)
    std::vector<std::array<double, 2>> centres_;  // the training points, whitened
    double log_norm_ = 0;                         // -log n - log 2π - log det(h L)
};

// Scott's factor n^(-1/(d+4)) for n points in d = 2 dimensions.
double scott_factor(std::size_t n);
// `count` values of h spaced evenly in log from lo to hi times Scott's factor.
std::vector<double> kde_grid(std::size_t n, std::size_t count = 30, double lo = 0.05, double hi = 1.5);

struct KdeChoice {
    double h = 0;                 // the bandwidth scale with the lowest validation NLL
    double scott_ratio = 0;       // h over Scott's factor for the training size
    std::vector<double> grid;     // the candidates h
    std::vector<double> val_nll;  // mean validation NLL for each candidate
    Kde model;
};
// The h of the grid (kde_grid(n) if none is given) with the lowest mean NLL on val.
KdeChoice choose_kde(const Points& train, const Points& val, std::vector<double> grid = {});

}  // namespace flow::density
