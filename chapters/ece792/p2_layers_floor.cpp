// The one-coupling floor of p2-layers (p2_layers.hpp).
#include <cmath>

#include "p2_layers.hpp"

namespace flow::chapters::ece792 {

namespace {
constexpr std::size_t kColumns = 160, kRows = 320;  // cells of x_1 and of x_2
}  // namespace

double one_coupling_floor(Context& ctx, const std::string& set, const SeedFit& f) {
    const data::Dataset& d = data::dataset(set);
    const data::Shape shape = set == "moons" ? data::Shape::Moons : data::Shape::Circles;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (const auto& r : d.train_rows)
        for (int c = 0; c < 2; ++c) {
            lo[c] = std::min(lo[c], r[c]);
            hi[c] = std::max(hi[c], r[c]);
        }
    for (int c = 0; c < 2; ++c) {  // widened by half the extent each side
        const double w = hi[c] - lo[c];
        lo[c] -= w / 2;
        hi[c] += w / 2;
    }
    const double h1 = (hi[0] - lo[0]) / double(kColumns), h2 = (hi[1] - lo[1]) / double(kRows);
    const double m = f.fit.scale.mean[0], s = f.fit.scale.std[0];
    double marginal_kl = 0, conditional_kl = 0, mass = 0;
    std::vector<double> p(kRows);
    for (std::size_t i = 0; i < kColumns; ++i) {
        const double x1 = lo[0] + (double(i) + 0.5) * h1;
        // The marginal against N(0, 1) in the fit's frame: u = (x1 - m) / s, density N(u)/s.
        const double lp1 = data::shape_log_marginal(shape, 0, x1), u = (x1 - m) / s;
        const double p1 = std::exp(lp1);
        marginal_kl += p1 * h1 * (lp1 - (-0.5 * u * u - 0.5 * std::log(2 * M_PI) - std::log(s)));
        // The conditional: its entropy against that of the Gaussian of its mean and variance.
        double col = 0, mean = 0, sq = 0;
        for (std::size_t j = 0; j < kRows; ++j) {
            p[j] = std::exp(d.log_density(x1, lo[1] + (double(j) + 0.5) * h2));
            col += p[j] * h2;
        }
        if (col <= 0) continue;
        double entropy = 0;
        for (std::size_t j = 0; j < kRows; ++j) {
            const double x2 = lo[1] + (double(j) + 0.5) * h2, q = p[j] / col;
            mean += q * x2 * h2;
            sq += q * x2 * x2 * h2;
            if (q > 0) entropy -= q * std::log(q) * h2;
        }
        const double var = sq - mean * mean;
        conditional_kl += col * h1 * (0.5 * std::log(2 * M_PI * M_E * var) - entropy);
        mass += col * h1;
    }
    ctx.stats["one_coupling_parts"][set] = {{"marginal_kl", marginal_kl}, {"conditional_kl", conditional_kl},
                                            {"grid_mass", mass}};
    return marginal_kl + conditional_kl;
}

}  // namespace flow::chapters::ece792
