#include "model/measure.hpp"

#include <algorithm>

#include "core/normal.hpp"
#include "data/dataset.hpp"
#include "report/stats.hpp"

namespace flow::model {

data::PointSet training_set(const Record& r) {
    Rng data_rng(r.seed, r.kind + "/data");
    return data::training_points(data::dataset(r.data), r.points, data_rng);
}

Points points_of(const Fit& r) {
    Rng val_rng(r.seed, r.kind + "/val");
    const data::Dataset& set = data::dataset(r.data);
    const auto held = data::held_out_points(set, data::held_out_count(set, r.val_points), val_rng);
    return {data::in_frame(training_set(r), r.scale), data::in_frame(held, r.scale)};
}

nlohmann::json Measures::to_json() const {
    return {{"held_out_nll", nll},  {"train_nll", train_nll}, {"gaussian_nll", gaussian_nll},
            {"mass", mass},         {"sliced_w2", sliced_w2}, {"data_sliced_w2", data_w2},
            {"round_trip", round_trip}};
}

namespace {

double mean_nll(const std::vector<double>& lp) {
    double s = 0;
    for (double v : lp) s -= v;
    return s / double(lp.size());
}

// Σ p h_x h_y over the cell centres of the data's box widened by half its size each side.
double box_mass(const Fit& m, const Points& pts) {
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (const Mat<float>* x : {&pts.train, &pts.held})
        for (std::size_t i = 0; i < x->shape(0); ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                lo[c] = std::min(lo[c], double((*x)(i, c)));
                hi[c] = std::max(hi[c], double((*x)(i, c)));
            }
    double h[2];
    for (std::size_t c = 0; c < 2; ++c) {
        const double w = hi[c] - lo[c];
        lo[c] -= w / 2;
        h[c] = 2 * w / double(kMassGrid);
    }
    const std::size_t G = kMassGrid;
    Mat<float> grid = Mat<float>::from_shape({G * G, 2});
    for (std::size_t i = 0; i < G; ++i)
        for (std::size_t j = 0; j < G; ++j) {
            grid(i * G + j, 0) = float(lo[0] + (double(i) + 0.5) * h[0]);
            grid(i * G + j, 1) = float(lo[1] + (double(j) + 0.5) * h[1]);
        }
    double mass = 0;
    for (double lp : m.log_prob(grid)) mass += std::exp(lp);
    return mass * h[0] * h[1];
}

}  // namespace

Measures measure(const Fit& m, const Points& pts, const Mat<float>& samples) {
    Measures r;
    r.held_log_p = m.log_prob(pts.held);
    r.nll = mean_nll(r.held_log_p);
    r.train_nll = mean_nll(m.log_prob(pts.train));
    double g = 0;
    for (std::size_t i = 0; i < pts.held.shape(0); ++i) g -= log_standard_normal(&pts.held(i, 0), 2);
    r.gaussian_nll = g / double(pts.held.shape(0));
    r.mass = box_mass(m, pts);
    r.sliced_w2 = report::sliced_wasserstein(samples, pts.held);
    r.data_w2 = report::sliced_wasserstein(pts.train, pts.held);
    r.round_trip = m.round_trip(pts.held);
    return r;
}

std::vector<double> density_image(const Fit& m, double xmin, double xmax, double ymin, double ymax, std::size_t G) {
    Mat<float> grid = Mat<float>::from_shape({G * G, 2});
    for (std::size_t r = 0; r < G; ++r)
        for (std::size_t c = 0; c < G; ++c) {
            grid(r * G + c, 0) = float(xmin + (xmax - xmin) * (double(c) + 0.5) / double(G));
            grid(r * G + c, 1) = float(ymax - (ymax - ymin) * (double(r) + 0.5) / double(G));
        }
    return m.log_prob(grid);
}

Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = a.size();
    Difference d;
    for (std::size_t i = 0; i < n; ++i) d.mean += (a[i] - b[i]) / double(n);
    double ss = 0;
    for (std::size_t i = 0; i < n; ++i) ss += (a[i] - b[i] - d.mean) * (a[i] - b[i] - d.mean);
    d.se = n > 1 ? std::sqrt(ss / double(n - 1) / double(n)) : INFINITY;
    return d;
}

Spread spread(const std::vector<double>& v) {
    Spread s;
    s.n = v.size();
    for (double x : v) s.mean += x / double(v.size());
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.sd = v.size() > 1 ? std::sqrt(ss / double(v.size() - 1)) : 0.0;
    return s;
}

std::string separation(const std::vector<double>& a, const std::vector<double>& b) {
    const auto [a_lo, a_hi] = std::minmax_element(a.begin(), a.end());
    const auto [b_lo, b_hi] = std::minmax_element(b.begin(), b.end());
    if (a.empty() || b.empty()) return "overlap";
    return *a_hi < *b_lo ? "a below" : *b_hi < *a_lo ? "b below" : "overlap";
}

Paired paired(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> d;
    Paired p;
    for (std::size_t i = 0; i < a.size(); ++i) {
        d.push_back(a[i] - b[i]);
        p.a_lower += a[i] < b[i];
    }
    p.diff = spread(d);
    return p;
}

}  // namespace flow::model
