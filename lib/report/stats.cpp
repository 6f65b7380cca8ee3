#include "report/stats.hpp"

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

double share_on_ring(const xt::xtensor<float, 2>& x, const data::Standardiser& scale, int label,
                     const std::vector<std::size_t>& rows) {
    std::size_t n = 0, in = 0;
    for_rows(x.shape(0), rows, [&](std::size_t i) {
        const auto p = scale.to_raw(x(i, 0), x(i, 1));
        ++n;
        if (label < 0 ? data::ring_of(p[0], p[1]) >= 0 : data::on_ring(p[0], p[1], label)) ++in;
    });
    return n == 0 ? 0.0 : double(in) / double(n);
}

}  // namespace flow::report
