#pragma once
// What p2-datasets measures on a grid of cells of each set's raw box: the mass of a
// density where the truth has almost none (outside its 99 % region), and for the circles
// the gap between the rings, the hole of the inner one, and the density along the gap.
#include <array>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common.hpp"

namespace flow::chapters::ece792 {

constexpr double kGapLo = 0.65, kGapHi = 0.85, kHole = 0.3;  // circles, raw units

// The cells of a set's raw box (its data's bounding box widened by half each side),
// the true log-density at each and the threshold of the truth's 99 % region.
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
    double threshold = 0;       // of the 99 % region, on log p
};
SetGrid set_grid(const std::string& set);

// log p of a fit at raw points (its standardised density less log std_x std_y).
std::vector<double> model_raw_log_p(const Fit& f, const std::vector<std::array<double, 2>>& raw);

// log p (raw) on the set's cells of each model of the wider width, by couplings in the
// grid's order.
std::vector<std::vector<double>> wide_log_p(const std::vector<GridFit>& g, const std::string& set, const SetGrid& s);
// The mass each of those models (lps, as wide_log_p gives them) puts outside the truth's
// 99 % region, by couplings, and the truth's ("truth").
nlohmann::json mass_outside(const SetGrid& s, const std::vector<std::vector<double>>& lps);

// For the circles' deepest wide model: the mass in the gap and the hole (model and truth),
// the density along the middle of the gap against the truth's and its own median, and
// the share of samples and of held-out points in the gap.
// lp: the model's log p on the cells (from wide_log_p).
std::map<std::string, double> circles_gap(const SetGrid& s, const GridFit& f, const std::vector<double>& lp);

}  // namespace flow::chapters::ece792
