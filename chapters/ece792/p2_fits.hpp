#pragma once
// What p2-fits' two files share (p2_fits.cpp, p2_fits_figures.cpp).
#include <vector>

#include "common.hpp"

namespace flow::chapters::ece792 {

constexpr std::size_t kShown = 500;  // points per cloud in a panel
constexpr double kLatentExtent = 4.0;

// The chapter's two figures: "loss", the held-out NLL per epoch of every model, and
// "transforms", each model's forward and inverse transformation.
void draw_fits(Context& ctx, const std::vector<GridFit>& g);

}  // namespace flow::chapters::ece792
