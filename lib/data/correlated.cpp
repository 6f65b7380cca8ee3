#include "data/correlated.hpp"

#include <cmath>
#include <stdexcept>

namespace flow::data {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;
double log_normal(double x, double mean, double var) {
    return -0.5 * ((x - mean) * (x - mean) / var + std::log(var) + kLog2Pi);
}
}  // namespace

nn::Mat<double> Correlated::sample(std::size_t n, Rng& rng) const {
    if (dim < 4 || dim % 2) throw std::invalid_argument("the correlated set needs an even dimension of at least 4");
    const std::size_t d = dim / 2;
    const double c = std::sqrt(1 - rho * rho);
    nn::Mat<double> x = nn::Mat<double>::from_shape({n, dim});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) x(i, j) = j == 0 ? rng.normal() : rho * x(i, j - 1) + c * rng.normal();
        for (std::size_t j = 0; j < d; ++j) {
            const double sigma = std::exp(-1 + 0.5 * std::tanh(x(i, (j + 1) % d)));
            x(i, d + j) = std::tanh(2 * x(i, j)) + sigma * rng.normal();
        }
    }
    return x;
}

double Correlated::log_density(const nn::Mat<double>& x, std::size_t i) const {
    const std::size_t d = dim / 2;
    double lp = log_normal(x(i, 0), 0, 1);
    for (std::size_t j = 1; j < d; ++j) lp += log_normal(x(i, j), rho * x(i, j - 1), 1 - rho * rho);
    for (std::size_t j = 0; j < d; ++j) {
        const double log_sigma = -1 + 0.5 * std::tanh(x(i, (j + 1) % d));
        lp += log_normal(x(i, d + j), std::tanh(2 * x(i, j)), std::exp(2 * log_sigma));
    }
    return lp;
}

double Correlated::kept_half_excess() const { return -0.5 * double(dim / 2 - 1) * std::log(1 - rho * rho); }

}  // namespace flow::data
