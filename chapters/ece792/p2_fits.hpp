#pragma once
// What p2-fits' two files share (p2_fits.cpp, p2_fits_figures.cpp).
#include <vector>

#include "common.hpp"

namespace flow::chapters::ece792 {

constexpr std::size_t kShown = 500;  // points per cloud in a panel
constexpr double kLatentExtent = 4.0;

// The chapter's two figures, of each cell's first fit: "loss", its training and
// validation NLL per epoch, and "transforms", its forward and inverse transformation.
void draw_fits(Context& ctx, const std::vector<Cell>& g);
// The first of them (p2_fits_loss.cpp).
void draw_loss(Context& ctx, const std::vector<Cell>& g);

}  // namespace flow::chapters::ece792
