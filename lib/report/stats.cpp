#include "report/stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flow::report {

namespace {
template <class F>
void for_rows(std::size_t n, const std::vector<std::size_t>& rows, F f) {
    if (rows.empty())
        for (std::size_t i = 0; i < n; ++i) f(i);
    else
        for (std::size_t i : rows) f(i);
}
}  // namespace

nlohmann::json CloudStats::to_json() const {
    return {{"count", count},
            {"mean", {mean[0], mean[1]}},
            {"cov", {{cov[0][0], cov[0][1]}, {cov[1][0], cov[1][1]}}}};
}

CloudStats cloud_stats(const xt::xtensor<float, 2>& x, const std::vector<std::size_t>& rows) {
    CloudStats s;
    for_rows(x.shape(0), rows, [&](std::size_t i) {
        ++s.count;
        s.mean[0] += x(i, 0);
        s.mean[1] += x(i, 1);
    });
    if (s.count == 0) return s;
    const double n = double(s.count);
    s.mean[0] /= n;
    s.mean[1] /= n;
    for_rows(x.shape(0), rows, [&](std::size_t i) {
        const double d[2] = {x(i, 0) - s.mean[0], x(i, 1) - s.mean[1]};
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) s.cov[a][b] += d[a] * d[b];
    });
    for (auto& row : s.cov)
        for (auto& c : row) c /= n;
    return s;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x / double(v.size());
    return s;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double share_in_region(const xt::xtensor<float, 2>& x, const data::Standardiser& scale, const data::Dataset& set,
                       int region, const std::vector<std::size_t>& rows) {
    if (!set.region_of) throw std::logic_error("data set " + set.name + " has no known support");
    std::size_t n = 0, in = 0;
    for_rows(x.shape(0), rows, [&](std::size_t i) {
        const auto p = scale.to_raw(x(i, 0), x(i, 1));
        ++n;
        if (region < 0 ? set.region_of(p[0], p[1]) >= 0 : set.in_region(p[0], p[1], region)) ++in;
    });
    return n == 0 ? 0.0 : double(in) / double(n);
}

nlohmann::json support_quality(const xt::xtensor<float, 2>& x, const data::Standardiser& scale,
                               const data::Dataset& set) {
    auto j = cloud_stats(x).to_json();
    j["share_in_support"] = share_in_region(x, scale, set, -1);
    nlohmann::json per = nlohmann::json::object();
    for (std::size_t k = 0; k < set.regions.size(); ++k)
        per[set.regions[k]] = share_in_region(x, scale, set, int(k));
    j["share_per_region"] = per;
    return j;
}

PathStats path_stats(const std::vector<xt::xtensor<float, 2>>& s) {
    PathStats p;
    const std::size_t n = s.front().shape(0), last = s.size() - 1;
    double sum_ratio = 0, sum_len = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double len = 0;
        for (std::size_t k = 1; k <= last; ++k)
            len += std::hypot(s[k](i, 0) - s[k - 1](i, 0), s[k](i, 1) - s[k - 1](i, 1));
        const double straight = std::hypot(s[last](i, 0) - s[0](i, 0), s[last](i, 1) - s[0](i, 1));
        const double ratio = len / std::max(straight, 1e-9);
        p.length.push_back(len);
        p.straight.push_back(straight);
        p.ratio.push_back(ratio);
        sum_ratio += ratio;
        sum_len += len;
        p.max_ratio = std::max(p.max_ratio, ratio);
    }
    p.mean_ratio = sum_ratio / double(n);
    p.mean_length = sum_len / double(n);
    return p;
}

namespace {

// The empirical quantile of sorted values at level q in (0, 1), linearly interpolated.
double quantile(const std::vector<double>& sorted, double q) {
    const double pos = q * double(sorted.size()) - 0.5;
    if (pos <= 0) return sorted.front();
    const std::size_t i = std::size_t(pos);
    if (i + 1 >= sorted.size()) return sorted.back();
    const double f = pos - double(i);
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

}  // namespace

double sliced_wasserstein(const xt::xtensor<float, 2>& a, const xt::xtensor<float, 2>& b,
                          std::size_t directions) {
    const std::size_t n = a.shape(0), m = b.shape(0), levels = std::max(n, m);
    if (n == 0 || m == 0) throw std::invalid_argument("sliced_wasserstein of an empty set");
    std::vector<double> pa(n), pb(m);
    double total = 0.0;
    for (std::size_t d = 0; d < directions; ++d) {
        const double angle = M_PI * double(d) / double(directions);
        const double c = std::cos(angle), s = std::sin(angle);
        for (std::size_t i = 0; i < n; ++i) pa[i] = c * a(i, 0) + s * a(i, 1);
        for (std::size_t i = 0; i < m; ++i) pb[i] = c * b(i, 0) + s * b(i, 1);
        std::sort(pa.begin(), pa.end());
        std::sort(pb.begin(), pb.end());
        double sum = 0.0;
        for (std::size_t k = 0; k < levels; ++k) {
            const double q = (double(k) + 0.5) / double(levels);
            const double diff = quantile(pa, q) - quantile(pb, q);
            sum += diff * diff;
        }
        total += sum / double(levels);
    }
    return std::sqrt(total / double(directions));
}

}  // namespace flow::report
