#pragma once
// A data set in D dimensions (D even) whose first half is linearly correlated, for the
// question of what a triangular map on a coupling's conditioning half adds. With
// d = D/2, a = x_{1:d} and b = x_{d+1:D}:
//
//   a ~ N(0, S), S_ij = rho^|i-j|: a stationary AR(1) chain, a_1 = e_1,
//       a_i = rho a_{i-1} + sqrt(1 - rho^2) e_i;
//   b_j = tanh(2 a_j) + sigma_j(a) e'_j,  log sigma_j(a) = -1 + tanh(a_{j+1 mod d}) / 2,
//
// with every e, e' independent N(0, 1). Its density is known in closed form:
//   log p(x) = log N(a_1; 0, 1) + sum_{i>1} log N(a_i; rho a_{i-1}, 1 - rho^2)
//            + sum_j log N(b_j; tanh(2 a_j), sigma_j(a)^2).
// One coupling whose kept half is mapped by a lower-triangular A maps it to N(0, I)
// exactly (A whitens the chain: z_1 = a_1, z_i = (a_i - rho a_{i-1}) / sqrt(1 - rho^2);
// the affine part standardises b given a); with A = I the kept half stays N(0, S).
#include <cstddef>

#include "core/rng.hpp"
#include "nn/layers.hpp"

namespace flow::data {

struct Correlated {
    std::size_t dim = 8;
    double rho = 0.9;

    // n points (n, dim), each from its own draws of rng.
    nn::Mat<double> sample(std::size_t n, Rng& rng) const;
    // log p of row i of x.
    double log_density(const nn::Mat<double>& x, std::size_t i) const;
    // -log det S / 2 = -(d - 1) log(1 - rho^2) / 2: the excess NLL of a flow whose
    // kept half stays N(0, S) when it is scored under N(0, I) (KL(N(0, S) || N(0, I))).
    double kept_half_excess() const;
};

}  // namespace flow::data
