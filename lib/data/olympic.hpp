#pragma once
// The Olympic-rings data sets (docs/design.md): five rings of radius 1 and band thickness
// 0.25, sampled unconditionally (uniform over the union of the bands) or per class
// (n/5 points per ring, radius and angle uniform), then standardised per coordinate.
#include <array>
#include <cstddef>
#include <string_view>

#include <xtensor/xtensor.hpp>

#include "core/rng.hpp"
#include "data/points.hpp"

namespace flow::data {

constexpr double kRingRadius = 1.0;
constexpr double kBandInner = 0.875;  // a point is on a ring when its distance to the
constexpr double kBandOuter = 1.125;  // ring's centre lies in [inner, outer]
constexpr int kClasses = 5;

// A ring, indexed by its class label: labels follow the colour names sorted
// alphabetically (0 black, 1 blue, 2 green, 3 red, 4 yellow).
struct Ring {
    std::string_view colour;
    double cx, cy;
    std::string_view rgb;  // the Olympic colour, as hex for LaTeX's xcolor
};
const std::array<Ring, kClasses>& rings();

// The standardisers of the two sets measured on very large samples; used to
// place points such as (4, 5) or a chapter's probe points when no set is at hand.
Standardiser reference_unconditional();
Standardiser reference_conditional();

// Uniform over the union of the bands by rejection from [-1, 5] x [-2, 1].
PointSet unconditional_rings(std::size_t n, Rng& rng);
// n/5 points per ring (integer division), in ring order; labels as in rings().
PointSet conditional_rings(std::size_t n, Rng& rng);

// Area of the unconditional set's support (raw units): the union of the five bands
// within the sampling box [-1, 5] x [-2, 1], by the midpoint rule on a grid of
// `per_unit` cells per unit length (6.402).
double union_area(int per_unit = 1000);

// Differential entropy of the unconditional data in a frame with these standard
// deviations: log(area / (std_x std_y)). No model's held-out NLL can be lower.
double entropy_floor(const Standardiser& frame, double area);

// Whether a raw point lies in the band of ring `label`.
bool on_ring(double x, double y, int label);
// The label of the first ring whose band holds the raw point, or -1 when none does.
int ring_of(double x, double y);

}  // namespace flow::data
