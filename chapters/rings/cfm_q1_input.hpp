#pragma once
// cfm-q1-input's figure and per-class statistics (cfm_q1_input_figure.cpp).
#include <vector>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "data/points.hpp"

namespace flow::chapters::cfm_q1 {

constexpr std::size_t kPlottedPerClass = 1000;  // 5,000 points: five rings read clearly

// The figure: the plotted points of every class in the ring's colour; the .dat holds
// them sorted by class. Returns how many are plotted.
std::size_t input_figure(Context& ctx, const data::PointSet& set,
                         const std::vector<std::vector<std::size_t>>& plotted);

// Each class's moments, in the figure and in the whole set, and its share on its own
// ring (the smallest share is returned).
double class_stats(Context& ctx, const data::PointSet& set, const std::vector<std::vector<std::size_t>>& rows,
                   const std::vector<std::vector<std::size_t>>& plotted, nlohmann::json& set_classes);

}  // namespace flow::chapters::cfm_q1
