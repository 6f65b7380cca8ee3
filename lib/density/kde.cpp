// The Gaussian kernel density estimate and the choice of its bandwidth: see baselines.hpp.
#include <cmath>
#include <stdexcept>
#include <string>

#include "density/baselines.hpp"
#include "density/gauss2.hpp"

namespace flow::density {

// With Σ̂ = L Lᵀ and H = h² Σ̂, N(x; x_i, H) = exp(-|z - z_i|² / 2h²) / (2π h² det L),
// z = L⁻¹ x: the training points are whitened once, and each query once.
Kde::Kde(const Points& train, double h_) : h(h_) {
    const auto x = rows_of(train, "the training points");
    if (x.size() < 2) throw std::invalid_argument("a kernel density estimate needs at least 2 training points");
    if (!(h > 0) || !std::isfinite(h)) throw std::invalid_argument("a KDE bandwidth must be positive, not " + std::to_string(h));
    const std::vector<double> ones(x.size(), 1.0);
    const P2 m = mean_of(x);
    cov = weighted_cov(x, ones.data(), 1, double(x.size() - 1), m);
    if (!(cov.xx * cov.yy - cov.xy * cov.xy > 0))
        throw std::invalid_argument("the training points lie on a line: their covariance is singular");
    const Chol2 L = cholesky(cov);
    chol_ = {L.l11, L.l21, L.l22};
    for (const P2& p : x) centres_.push_back(whiten(L, p[0], p[1]));
    log_norm_ = -std::log(double(x.size())) - kLog2Pi - 2 * std::log(h) - std::log(L.l11) - std::log(L.l22);
}

std::vector<double> Kde::log_prob(const Points& x) const {
    const auto pts = rows_of(x, "the points", true);
    if (centres_.empty()) throw std::invalid_argument("the kernel density estimate has no training points");
    const Chol2 L{chol_[0], chol_[1], chol_[2]};
    const double c = -0.5 / (h * h);
    std::vector<double> out(pts.size()), e(centres_.size());
    for (std::size_t q = 0; q < pts.size(); ++q) {
        const P2 z = whiten(L, pts[q][0], pts[q][1]);
        for (std::size_t i = 0; i < centres_.size(); ++i) {
            const double a = z[0] - centres_[i][0], b = z[1] - centres_[i][1];
            e[i] = c * (a * a + b * b);
        }
        out[q] = log_sum_exp(e.data(), e.size()) + log_norm_;
    }
    return out;
}

double scott_factor(std::size_t n) { return std::pow(double(n), -1.0 / (2 + 4)); }

std::vector<double> kde_grid(std::size_t n, std::size_t count, double lo, double hi) {
    if (n == 0 || count < 2 || !(lo > 0) || !(hi > lo))
        throw std::invalid_argument("a KDE grid needs n >= 1, count >= 2 and 0 < lo < hi");
    std::vector<double> g(count);
    const double s = scott_factor(n), step = std::log(hi / lo) / double(count - 1);
    for (std::size_t i = 0; i < count; ++i) g[i] = s * lo * std::exp(step * double(i));
    return g;
}

KdeChoice choose_kde(const Points& train, const Points& val, std::vector<double> grid) {
    rows_of(train, "the training points");
    rows_of(val, "the validation points");
    if (grid.empty()) grid = kde_grid(train.shape(0));
    KdeChoice c;
    c.grid = std::move(grid);
    std::size_t best = 0;
    for (std::size_t j = 0; j < c.grid.size(); ++j) {
        c.val_nll.push_back(mean_nll(Kde(train, c.grid[j]).log_prob(val)));
        if (c.val_nll[j] < c.val_nll[best]) best = j;
    }
    c.model = Kde(train, c.grid[best]);
    c.h = c.grid[best];
    c.scott_ratio = c.h / scott_factor(train.shape(0));
    return c;
}

}  // namespace flow::density
