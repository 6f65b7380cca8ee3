#pragma once
// What the ECE 792 chapters share: the grid of Problem 2 (couplings x hidden units x data
// set), each fit measured against the data sets' known density, and the Problem 1 flows.
// A fit is measured as every density model is (model/measure.hpp): held-out NLL, mass and
// sample distance the same way in every report.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "data/shapes.hpp"
#include "exercise/chapter.hpp"
#include "model/measure.hpp"

namespace flow::chapters::ece792 {

using model::Difference;
using model::Fit;
using exercise::Context;
using nn::Mat;

const std::vector<std::string>& grid_sets();   // moons, circles
const std::vector<std::size_t>& grid_couplings();  // 1, 3, 5
const std::vector<std::size_t>& grid_widths();     // 512, 1024
// "1, 3 and 5": the grid's numbers of couplings, for the text.
std::string couplings_list();
inline std::string grid_name(const std::string& set, std::size_t couplings, std::size_t hidden) {
    return set + "-c" + std::to_string(couplings) + "-h" + std::to_string(hidden);
}

// One fit of the grid, measured.
struct GridFit {
    std::string set;
    std::size_t couplings = 0, hidden = 0;
    Fit fit;
    model::Points pts;
    model::Measures m;
    Mat<float> z, samples;             // the prior draws of the set and their images g(z)
    std::vector<double> truth_log_p;   // the true log-density of each held-out point, in the fit's frame
    double truth_nll = 0;
    Difference excess;                 // model NLL minus the truth's, paired over the held-out points
};

// Every fit of the grid in the order set, width, couplings; each recorded in stats.json
// under "grid"/<model>.
std::vector<GridFit> grid_fits(Context& ctx);
const GridFit& grid_fit(const std::vector<GridFit>& g, const std::string& set, std::size_t couplings,
                        std::size_t hidden);

// log p of the set's true density at standardised points of a frame (its raw density
// plus log std_x std_y).
std::vector<double> truth_log_p(const std::string& set, const data::Standardiser& frame, const Mat<float>& u);

// "0.123 \pm 0.004".
std::string pm(const Difference& d, int decimals = 3);
// Paired difference of NLLs, a - b (positive: a is worse).
Difference nll_difference(const std::vector<double>& log_p_a, const std::vector<double>& log_p_b);

// The settings of the grid, in a sentence.
std::string grid_settings(const std::vector<GridFit>& g);

}  // namespace flow::chapters::ece792
