#pragma once
// What p2-layers' two files share (p2_layers.cpp, p2_layers_floor.cpp).
#include <string>

#include "common.hpp"

namespace flow::chapters::ece792 {

// The lowest excess over the truth any one-coupling flow can reach on the set, in nats,
// in the frame of fit f (recorded): a one-coupling flow has x_1 ~ N(0, 1) in that frame
// and p(x_2 | x_1) Gaussian, so its excess is at least KL(p(x_1) || N(0, 1)) plus the
// mean over x_1 of KL(p(x_2 | x_1) || the Gaussian of its mean and variance), both
// integrated on a grid from the known density.
double one_coupling_floor(Context& ctx, const std::string& set, const SeedFit& f);

}  // namespace flow::chapters::ece792
