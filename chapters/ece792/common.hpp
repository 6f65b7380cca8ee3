#pragma once
// What the ECE 792 chapters share: the grid of Problem 2 (data set x couplings x hidden
// units), each cell a family of fits that differ by seed only (the manifest's
// "<set>-c<couplings>-h<units>", three seeds each), every fit measured against the data
// set's known density. Training looks only at the validation rows (a split of the
// training draws) to stop; the held-out rows score each fit once. A fit is measured as
// every density model is (model/measure.hpp).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "data/shapes.hpp"
#include "exercise/chapter.hpp"
#include "model/measure.hpp"

namespace flow::chapters::ece792 {

using exercise::Context;
using model::Difference;
using model::Fit;
using model::Paired;
using model::Spread;
using nn::Mat;

const std::vector<std::string>& grid_sets();       // moons, circles
const std::vector<std::size_t>& grid_couplings();  // 1, 3, 5
const std::vector<std::size_t>& grid_widths();     // 512, 1024
// "1, 3 and 5": the grid's numbers of couplings, for the text.
std::string couplings_list();
inline std::string cell_name(const std::string& set, std::size_t couplings, std::size_t hidden) {
    return set + "-c" + std::to_string(couplings) + "-h" + std::to_string(hidden);
}

// One fit of a cell (one seed), measured on the held-out rows.
struct SeedFit {
    Fit fit;
    model::Points pts;
    model::Measures m;
    Mat<float> z, samples;            // prior draws (the same for every fit of a set) and g(z)
    std::vector<double> truth_log_p;  // the true log-density of each held-out point, in the fit's frame
    double truth_nll = 0;
    double excess = 0;                // held-out NLL minus the truth's: an estimate of KL(data || model)
    std::size_t steps = 0, kept_step = 0;  // Adam steps taken, and the step whose parameters it keeps
    double stop_rate = 0;             // the learning rate at the kept step over the initial one
};

// A family of fits: a cell of the grid, or another family (deeper, a looser bound).
struct Cell {
    std::string name, set;
    std::size_t couplings = 0, hidden = 0;
    std::vector<SeedFit> fits;        // seed 1, 2, ...
    Spread excess, nll;               // over the fits
    std::vector<double> excesses() const;
};

// Adam steps per epoch of a model (its batches of its training points).
inline std::size_t steps_per_epoch(std::size_t points, std::size_t batch) { return (points + batch - 1) / batch; }
inline std::size_t steps_per_epoch(const Fit& f) { return steps_per_epoch(f.points, f.batch); }

// The family's fits, measured (recorded in stats.json under "cells"/<name>).
Cell load_cell(Context& ctx, const std::string& family, const std::string& set, std::size_t couplings,
               std::size_t hidden);
// Every cell of the grid in the order set, width, couplings.
std::vector<Cell> grid_cells(Context& ctx);
const Cell& cell_of(const std::vector<Cell>& g, const std::string& set, std::size_t couplings, std::size_t hidden);

// log p of the set's true density at standardised points of a frame (its raw density
// plus log std_x std_y).
std::vector<double> truth_log_p(const std::string& set, const data::Standardiser& frame, const Mat<float>& u);

// a's excess minus b's over seeds (mean and spread of the differences by seed number),
// and whether all of a's fits are below all of b's ("a below"), the reverse ("b below")
// or neither ("overlap"): seeds of two cells share only their number, so a difference
// counts only when the two sets of fits do not overlap.
struct Compared {
    Spread diff;
    std::string order;
};
Compared compare_excess(const Cell& a, const Cell& b);
// "0.123 \pm 0.004" (mean and standard deviation over fits).
std::string pm(const Spread& s, int decimals = 3);

// The settings every fit of the grid shares, in a sentence.
std::string grid_settings(const std::vector<Cell>& g);

}  // namespace flow::chapters::ece792
