#pragma once
// What p2-datasets measures on a grid of cells of each set's raw box: for the circles the
// mass in the gap between the rings and in the hole of the inner one.
#include <array>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common.hpp"

namespace flow::chapters::ece792 {

constexpr double kGapLo = 0.65, kGapHi = 0.85, kHole = 0.3;  // circles, raw units

// The cells of a set's raw box (its data's bounding box widened by half each side) and
// the true log-density at each.
struct Box {
    double lo[2], h[2];
    std::array<double, 2> centre(std::size_t i, std::size_t j) const {
        return {lo[0] + (double(i) + 0.5) * h[0], lo[1] + (double(j) + 0.5) * h[1]};
    }
};
struct SetGrid {
    Box box;
    std::vector<std::array<double, 2>> cells;
    std::vector<double> truth;  // log p, raw
};
SetGrid set_grid(const std::string& set);

// log p of a fit at raw points (its standardised density less log std_x std_y).
std::vector<double> model_raw_log_p(const Fit& f, const std::vector<std::array<double, 2>>& raw);

// log p (raw) on the set's cells of each fit.
std::vector<std::vector<double>> cells_log_p(const std::vector<const Fit*>& fits, const SetGrid& s);

// For a circles fit: the mass in the gap and the hole (model and truth), and the share of
// samples and of held-out points in the gap. lp: the fit's log p on the cells.
std::map<std::string, double> circles_gap(const SetGrid& s, const SeedFit& f, const std::vector<double>& lp);

}  // namespace flow::chapters::ece792
