#pragma once
// Two generated data sets, two moons and two circles, written as the usual generators do:
//
//   moons:   with probability 1/2 the upper moon (cos t, sin t), else the lower moon
//            (1 - cos t, 1/2 - sin t), t uniform on [0, pi]; plus N(0, sigma^2 I) noise,
//            sigma = 0.1.
//   circles: with probability 1/2 the circle of radius 1, else the one of radius 1/2 (the
//            factor), angle uniform; plus N(0, sigma^2 I) noise, sigma = 0.05.
//
// The component is drawn per point, so the points are independent draws from the
// density below, and that density is known: the noise kernel averaged over the curve,
//   p(x) = 1/2 sum_k  mean over the curve parameter u of N(x; c_k(u), sigma^2 I),
// which log_density() evaluates by the midpoint rule in u with kCurveNodes nodes (the
// nodes are at most pi/kCurveNodes apart along an arc of radius at most 1, a small
// fraction of sigma, so the rule's error is far below anything measured).
#include <array>
#include <cstddef>
#include <vector>

#include "core/rng.hpp"

namespace flow::data {

enum class Shape { Moons, Circles };

struct ShapeSpec {
    const char* name;
    double noise;      // sigma of the Gaussian noise, in the generator's units
    double factor;     // circles: inner radius over outer radius (unused for moons)
};

const ShapeSpec& spec(Shape s);

constexpr std::size_t kCurveNodes = 2048;

// n raw points of the shape, each from its own draws of rng.
std::vector<std::array<double, 2>> shape_points(Shape s, std::size_t n, Rng& rng);

// log p(x, y) of the generator's density, in its raw units.
double shape_log_density(Shape s, double x, double y);

// log of the marginal density of one coordinate (0: x, 1: y) at v, in raw units: the
// same average over the curve of the one-dimensional kernel.
double shape_log_marginal(Shape s, int coordinate, double v);

// The fixed rows of a generated data set, drawn once from the seed 0 streams
// "<name>/train" and "<name>/held" (a fixed split, whatever a model's seed): 2000
// training draws, of which the first kShapeTrainRows train and the last kShapeValRows
// validate (they choose epochs and settings), and kShapeHeldRows held-out rows, scored
// once.
constexpr std::size_t kShapeTrainRows = 1600, kShapeValRows = 400, kShapeHeldRows = 2000;

}  // namespace flow::data
