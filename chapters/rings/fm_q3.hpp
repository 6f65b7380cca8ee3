#pragma once
// What fm-q3-trajectories' two files share (fm_q3_trajectories.cpp, fm_q3_paths.cpp): how
// paths turn, and how the cloud's radius changes along them.
#include <tuple>
#include <utility>
#include <vector>

#include "fm_common.hpp"
#include "report/stats.hpp"

namespace flow::chapters::fm_q3 {

struct Turning {
    double mean_total = 0;    // mean over paths of the summed turns
    double mean_largest = 0;  // mean over paths of the largest single turn
};

// The cloud's root-mean-square distance from the origin over t, against its start.
// By the law of y_t = t x1 + (1 - t) x0 its square is t^2 E|x1|^2 + (1 - t)^2 E|x0|^2.
struct Radius {
    double r0, r1;          // at the start and the end
    std::vector<double> ratio;  // at every state, over r0
    std::size_t k_min = 0;  // the state where the ratio is smallest
};

// The change of direction (radians, in [0, pi]) between consecutive segments of every
// path, or NaN where a segment has no length. turn[k][i] is the turn at state k + 1.
std::vector<std::vector<double>> turns(const std::vector<nn::Mat<float>>& s);

Turning turning(const std::vector<std::vector<double>>& turn);

Radius radius(const std::vector<nn::Mat<float>>& all);

// Turning per tenth of the time: the share of all turning in each, and the pair of
// neighbouring tenths that holds the most (its first tenth).
std::pair<std::vector<double>, std::size_t> turning_by_tenth(const std::vector<std::vector<double>>& fm_turns,
                                                             const std::vector<double>& all_t);

// Both models' paths from the same prior points (flow matching's every step).
struct Paths {
    std::vector<nn::Mat<float>> all;
    std::vector<double> all_t;
    report::PathStats fm_r, nf_r;
    std::vector<std::vector<double>> fm_turns;
    Turning fm_turn, nf_turn;
};

// What the text concludes about the paths' shape, as verdicts.
std::tuple<bool, bool, bool> shape_verdicts(Context& ctx, const Paths& p, const Radius& rad);

}  // namespace flow::chapters::fm_q3
