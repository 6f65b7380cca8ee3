#pragma once
// The prior of every model here: the standard normal in two dimensions.
#include <cmath>

namespace flow {

// log N((a, b); 0, I) = -(a^2 + b^2) / 2 - log 2 pi.
inline double log_standard_normal(double a, double b) { return -0.5 * (a * a + b * b) - std::log(2.0 * M_PI); }

}  // namespace flow
