#pragma once
// The prior of every model here: the standard normal.
#include <cmath>
#include <cstddef>

namespace flow {

// log N((a, b); 0, I) = -(a^2 + b^2) / 2 - log 2 pi.
inline double log_standard_normal(double a, double b) { return -0.5 * (a * a + b * b) - std::log(2.0 * M_PI); }

// log N(z; 0, I) for z of length d: -|z|^2 / 2 - d/2 log 2 pi. For d = 2 the same
// operations, in the same order, as the form above.
template <class T>
double log_standard_normal(const T* z, std::size_t d) {
    double sq = double(z[0]) * double(z[0]);
    for (std::size_t j = 1; j < d; ++j) sq += double(z[j]) * double(z[j]);
    return -0.5 * sq - 0.5 * double(d) * std::log(2.0 * M_PI);
}

}  // namespace flow
