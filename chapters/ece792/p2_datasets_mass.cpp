// p2-datasets' measurements on a grid of cells of each set's raw box (p2_datasets.hpp).
#include <algorithm>
#include <cmath>

#include "p2_datasets.hpp"

namespace flow::chapters::ece792 {

namespace {

constexpr std::size_t kGrid = 150;  // cells per side of the raw box

Box raw_box(const data::Dataset& d) {
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (const auto* rows : {&d.train_rows, &d.held_rows})
        for (const auto& r : *rows)
            for (int c = 0; c < 2; ++c) {
                lo[c] = std::min(lo[c], r[c]);
                hi[c] = std::max(hi[c], r[c]);
            }
    Box b;
    for (int c = 0; c < 2; ++c) {
        const double w = hi[c] - lo[c];
        b.lo[c] = lo[c] - w / 2;
        b.h[c] = 2 * w / double(kGrid);
    }
    return b;
}

// The mass of exp(log_p) over the cells where keep(cell index) holds.
template <class Keep>
double mass_where(const SetGrid& s, const std::vector<double>& log_p, Keep keep) {
    double m = 0;
    for (std::size_t k = 0; k < s.cells.size(); ++k)
        if (keep(k)) m += std::exp(log_p[k]);
    return m * s.box.h[0] * s.box.h[1];
}

// The share of points in the circles' gap.
double share_in_gap(const std::vector<std::array<double, 2>>& pts) {
    double n = 0;
    for (const auto& p : pts) {
        const double rr = std::hypot(p[0], p[1]);
        n += rr > kGapLo && rr < kGapHi;
    }
    return n / double(pts.size());
}

}  // namespace

SetGrid set_grid(const std::string& set) {
    const data::Dataset& d = data::dataset(set);
    SetGrid s;
    s.box = raw_box(d);
    for (std::size_t i = 0; i < kGrid; ++i)
        for (std::size_t j = 0; j < kGrid; ++j) s.cells.push_back(s.box.centre(i, j));
    for (const auto& c : s.cells) s.truth.push_back(d.log_density(c[0], c[1]));
    return s;
}

std::vector<double> model_raw_log_p(const Fit& f, const std::vector<std::array<double, 2>>& raw) {
    Mat<float> u = Mat<float>::from_shape({raw.size(), std::size_t(2)});
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto s = f.scale.to_standard(raw[i][0], raw[i][1]);
        u(i, 0) = float(s[0]);
        u(i, 1) = float(s[1]);
    }
    auto lp = f.log_prob(u);
    const double log_std = std::log(f.scale.std[0] * f.scale.std[1]);
    for (auto& v : lp) v -= log_std;
    return lp;
}

std::vector<std::vector<double>> cells_log_p(const std::vector<const Fit*>& fits, const SetGrid& s) {
    std::vector<std::vector<double>> lps;
    for (const Fit* f : fits) lps.push_back(model_raw_log_p(*f, s.cells));
    return lps;
}

std::map<std::string, double> circles_gap(const SetGrid& s, const SeedFit& f, const std::vector<double>& lp) {
    std::map<std::string, double> at;
    const auto r = [&](std::size_t k) { return std::hypot(s.cells[k][0], s.cells[k][1]); };
    const auto in_gap = [&](std::size_t k) { return r(k) > kGapLo && r(k) < kGapHi; };
    const auto in_hole = [&](std::size_t k) { return r(k) < kHole; };
    at["gap_model"] = mass_where(s, lp, in_gap);
    at["gap_truth"] = mass_where(s, s.truth, in_gap);
    at["hole_model"] = mass_where(s, lp, in_hole);
    at["hole_truth"] = mass_where(s, s.truth, in_hole);
    // The samples in the gap, against the held-out points there.
    std::vector<std::array<double, 2>> samples;
    for (std::size_t i = 0; i < f.samples.shape(0); ++i)
        samples.push_back(f.fit.scale.to_raw(f.samples(i, 0), f.samples(i, 1)));
    at["samples_in_gap"] = share_in_gap(samples);
    at["held_in_gap"] = share_in_gap(data::dataset("circles").held_rows);
    return at;
}

}  // namespace flow::chapters::ece792
