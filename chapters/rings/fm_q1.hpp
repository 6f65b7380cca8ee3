#pragma once
// What fm-q1-loss's files share (fm_q1_loss.cpp, fm_q1_figure.cpp, fm_q1_recipe.cpp).
#include <string>
#include <vector>

#include "fm_common.hpp"

namespace flow::chapters::fm_q1 {

// The mean of the losses of batches [a, b).
double mean_loss(const std::vector<float>& bl, std::size_t a, std::size_t b);
// The figure of every batch's loss and the validation losses (recorded); returns the
// longest run of batches one of its points stands for.
std::size_t loss_figure(Context& ctx, const fm::Model& m);
// The exercise's recipe (the manifest's fm-recipe) against this field, with its
// verdict: a paragraph when they differ.
std::string recipe_paragraph(Context& ctx, fm::Model& m, const fm::Integration& how);

}  // namespace flow::chapters::fm_q1
