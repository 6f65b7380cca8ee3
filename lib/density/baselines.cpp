// The reference estimators: see baselines.hpp.
#include "density/baselines.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/normal.hpp"
#include "density/gauss2.hpp"

namespace flow::density {
namespace {

// S with its eigenvalues below kCovarianceFloor raised to it: the maximiser of the
// M-step's objective among covariances whose eigenvalues are at least the floor (its
// eigenvectors are S's), so that EM with the floor still never lowers the likelihood.
Cov2 floor_eigenvalues(const Cov2& s) {
    const double f = kCovarianceFloor, mid = (s.xx + s.yy) / 2, rad = std::hypot((s.xx - s.yy) / 2, s.xy);
    const double lo = mid - rad, hi = mid + rad;
    if (lo >= f) return s;
    if (hi <= f) return {f, 0, f};
    // (S - lo I) v = 0: v is (xy, lo - xx) or (lo - yy, xy), whichever is not ~0.
    double v0 = s.xy, v1 = lo - s.xx;
    if (std::hypot(v0, v1) < std::hypot(lo - s.yy, s.xy)) v0 = lo - s.yy, v1 = s.xy;
    const double g = (f - lo) / (v0 * v0 + v1 * v1);
    return {s.xx + g * v0 * v0, s.xy + g * v0 * v1, s.yy + g * v1 * v1};
}

// log w_k + log N(x; μ_k, Σ_k) = log w_k - log 2π - log det L_k - |L_k⁻¹ (x - μ_k)|² / 2.
struct Term {
    P2 mean;
    Chol2 L;
    double offset;
};
std::vector<Term> terms_of(const std::vector<Component>& c) {
    std::vector<Term> t;
    for (const auto& k : c) {
        const Chol2 L = cholesky(k.cov);
        t.push_back({k.mean, L, std::log(k.weight) - kLog2Pi - std::log(L.l11) - std::log(L.l22)});
    }
    return t;
}
void log_joint(const P2& x, const std::vector<Term>& t, double* out) {
    for (std::size_t k = 0; k < t.size(); ++k)
        out[k] = t[k].offset - 0.5 * mahalanobis2(t[k].L, x[0] - t[k].mean[0], x[1] - t[k].mean[1]);
}

// E-step: r (n, K) gets the responsibilities; returns the mean log-likelihood.
double e_step(const std::vector<P2>& x, const std::vector<Component>& c, std::vector<double>& r) {
    const auto t = terms_of(c);
    const std::size_t K = c.size();
    double ll = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        double* ri = &r[i * K];
        log_joint(x[i], t, ri);
        const double l = log_sum_exp(ri, K);
        ll += l;
        for (std::size_t k = 0; k < K; ++k) ri[k] = std::exp(ri[k] - l);
    }
    return ll / double(x.size());
}

// M-step: w_k = N_k / n, μ_k the r-weighted mean, Σ_k the r-weighted covariance, floored.
// A component that no point claims (N_k = 0) keeps its mean and covariance at weight 0.
void m_step(const std::vector<P2>& x, const std::vector<double>& r, std::vector<Component>& c) {
    const std::size_t K = c.size();
    for (std::size_t k = 0; k < K; ++k) {
        double nk = 0, s0 = 0, s1 = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double w = r[i * K + k];
            nk += w, s0 += w * x[i][0], s1 += w * x[i][1];
        }
        c[k].weight = nk / double(x.size());
        if (!(nk > 0)) continue;
        c[k].mean = {s0 / nk, s1 / nk};
        c[k].cov = floor_eigenvalues(weighted_cov(x, &r[k], K, nk, c[k].mean));
    }
}

// k-means++ seeding: the first centre uniformly, each next one with probability
// proportional to the squared distance to the nearest centre chosen so far.
std::vector<P2> kmeanspp(const std::vector<P2>& x, std::size_t K, Rng& rng) {
    std::vector<P2> centres{x[rng.below(x.size())]};
    std::vector<double> d2(x.size(), std::numeric_limits<double>::infinity());
    while (centres.size() < K) {
        double total = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const P2& c = centres.back();
            d2[i] = std::min(d2[i], std::pow(x[i][0] - c[0], 2) + std::pow(x[i][1] - c[1], 2));
            total += d2[i];
        }
        // The first point at which the running sum of d2 passes u ~ U(0, total).
        std::size_t pick = 0;
        if (!(total > 0)) {
            pick = rng.below(x.size());  // every point is a centre already
        } else {
            double u = rng.uniform() * total;
            while (pick + 1 < x.size() && (u -= d2[pick]) >= 0) ++pick;
        }
        centres.push_back(x[pick]);
    }
    return centres;
}

GaussianMixture run_em(const std::vector<P2>& x, std::size_t K, Rng& rng, int iterations, double tol) {
    GaussianMixture g;
    const std::vector<double> ones(x.size(), 1.0);
    const Cov2 cov = floor_eigenvalues(weighted_cov(x, ones.data(), 1, double(x.size()), mean_of(x)));
    for (const P2& c : kmeanspp(x, K, rng)) g.components.push_back({1.0 / double(K), c, cov});
    std::vector<double> r(x.size() * K);
    for (int it = 0;; ++it) {
        g.trace.push_back(e_step(x, g.components, r));
        if (it == iterations || (it > 0 && g.trace[it] - g.trace[it - 1] < tol)) break;
        m_step(x, r, g.components);
    }
    return g;
}

}  // namespace

double mean_nll(const std::vector<double>& log_p) {
    if (log_p.empty()) throw std::invalid_argument("a mean NLL needs at least one point");
    double s = 0;
    for (double l : log_p) s -= l;
    return s / double(log_p.size());
}

std::vector<double> standard_normal_log_prob(const Points& x) {
    if (x.shape(1) == 0) throw std::invalid_argument("points must have at least one column");
    std::vector<double> out(x.shape(0));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = log_standard_normal(&x(i, 0), x.shape(1));
    return out;
}

std::vector<double> GaussianMixture::log_prob(const Points& x) const {
    const auto pts = rows_of(x, "the points", true);
    if (components.empty()) throw std::invalid_argument("the mixture has no components");
    const auto t = terms_of(components);
    std::vector<double> out(pts.size()), buf(t.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        log_joint(pts[i], t, buf.data());
        out[i] = log_sum_exp(buf.data(), buf.size());
    }
    return out;
}

GaussianMixture fit_mixture(const Points& train, std::size_t K, Rng& rng, int iterations, int restarts,
                            double tolerance) {
    const auto x = rows_of(train, "the training points");
    if (K == 0) throw std::invalid_argument("a mixture needs at least one component (K = 0)");
    if (x.size() < K)
        throw std::invalid_argument("a mixture of " + std::to_string(K) + " components needs at least as many points, not " +
                                    std::to_string(x.size()));
    if (iterations < 0 || restarts < 1) throw std::invalid_argument("EM needs iterations >= 0 and restarts >= 1");
    GaussianMixture best;
    for (int r = 0; r < restarts; ++r) {
        GaussianMixture g = run_em(x, K, rng, iterations, tolerance);
        if (best.trace.empty() || g.trace.back() > best.trace.back()) best = std::move(g);
    }
    return best;
}

MixtureChoice choose_mixture(const Points& train, const Points& val, std::size_t Kmax, Rng& rng, int iterations,
                             int restarts) {
    rows_of(val, "the validation points");
    if (Kmax == 0) throw std::invalid_argument("choose_mixture needs Kmax >= 1");
    MixtureChoice c;
    for (std::size_t K = 1; K <= Kmax; ++K) {
        GaussianMixture g = fit_mixture(train, K, rng, iterations, restarts);
        c.val_nll.push_back(mean_nll(g.log_prob(val)));
        if (K == 1 || c.val_nll.back() < c.val_nll[c.K - 1]) c.K = K, c.model = std::move(g);
    }
    return c;
}

}  // namespace flow::density
