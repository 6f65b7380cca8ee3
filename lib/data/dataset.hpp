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
    std::size_t dim = 2;                // coordinates per point
    // The named parts of the support (e.g. the five rings), their colours (hex), and
    // whether the sampler labels each point with the index of its part.
    std::vector<std::string> regions;
    std::vector<std::string> colours;
    bool labelled = false;
    // n points, standardised, with labels when the set is labelled.
    std::function<PointSet(std::size_t n, Rng& rng)> sample;
    // The first region (>= 0) a raw point lies in, -1 outside the support; and whether it
    // lies in region k (regions may overlap). Empty when the support is not known.
    std::function<int(double x, double y)> region_of;
    std::function<bool(double x, double y, int k)> in_region;
    double (*support_area)() = nullptr; // raw units, computed once when first asked; null when unknown
    Standardiser reference;             // measured on a very large sample

    // The class names: the regions when the set is labelled, else none.
    std::vector<std::string> classes() const { return labelled ? regions : std::vector<std::string>{}; }
    // log(area / (std_x std_y)) for a set uniform on its support, in a frame with these
    // standard deviations: no model's held-out NLL can be lower. NaN when unknown.
    double entropy_floor(const Standardiser& frame) const;
};

// The data set of this name; throws (naming the known ones) when there is none.
const Dataset& dataset(const std::string& name);
std::vector<std::string> dataset_names();

}  // namespace flow::data
