#pragma once
// What p1-cost's two files share (p1_cost.cpp, p1_cost_timing.cpp).
#include <string>
#include <vector>

#include "common.hpp"

namespace flow::chapters::ece792 {

constexpr std::size_t kBatch = 256;
constexpr int kRepeats = 5;

struct Timing {
    std::size_t d;
    double tri_step, dense_step;            // log |det A| and its gradient (a training step's part)
    double tri_synthesis, dense_synthesis;  // A^-1 z_a for a batch, a dense A's LU paid beforehand
};

// The linear part's cost as d grows (recorded, with the growth exponents of the dense
// step and the dense synthesis between the two largest sizes): the table's rows and the
// timings.
struct Costs {
    std::string rows;
    std::vector<Timing> ts;
};
Costs costs(Context& ctx);

}  // namespace flow::chapters::ece792
