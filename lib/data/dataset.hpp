#pragma once
// A data set is a value: a name, a sampler, and what is known about it. Models name the
// data set they are trained on (it is part of their configuration and its hash), and
// chapters ask it for the support test, the entropy floor, the class names and colours
// and the units in which a reader sees points.
#include <functional>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/olympic.hpp"

namespace flow::data {

struct Dataset {
    std::string name;
    std::string description;            // a phrase for the report: "uniform over the five rings' bands"
    std::string units;                  // what a raw coordinate measures
    std::vector<std::string> classes;   // class names by label; empty when unlabelled
    std::vector<std::string> colours;   // the classes' colours (hex), by label
    // n points, standardised, with labels when the set has classes.
    std::function<PointSet(std::size_t n, Rng& rng)> sample;
    // The class region (>= 0) a raw point lies in, -1 outside the support; empty when
    // the support is not known.
    std::function<int(double x, double y)> region_of;
    double (*support_area)() = nullptr; // raw units, computed once when first asked; null when unknown
    Standardiser reference;             // measured on a very large sample

    bool labelled() const { return !classes.empty(); }
    // log(area / (std_x std_y)) for a set uniform on its support, in a frame with these
    // standard deviations: no model's held-out NLL can be lower. NaN when unknown.
    double entropy_floor(const Standardiser& frame) const;
};

// The data set of this name; throws (naming the known ones) when there is none.
const Dataset& dataset(const std::string& name);
std::vector<std::string> dataset_names();

}  // namespace flow::data
