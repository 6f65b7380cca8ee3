#pragma once
// A data set is a value: a name, a sampler (or a file's fixed rows), and what is known
// about it. Models name the
// data set they are trained on (it is part of their configuration and its hash), and
// chapters ask it for the support test, the entropy floor, the class names and colours
// and the units in which a reader sees points.
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/olympic.hpp"
#include "data/points.hpp"

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
    // log p(x, y) of the density the points are drawn from, in raw units; empty when not
    // known (a data file).
    std::function<double(double x, double y)> log_density;
    double (*support_area)() = nullptr; // raw units, computed once when first asked; null when unknown
    Standardiser reference;             // measured on a very large sample (a file: its training rows)
    // A set of fixed rows (a data file) instead of a sampler: its training and held-out
    // rows, raw. Empty for a sampler; `sample` is empty for a file.
    std::vector<std::array<double, 2>> train_rows, held_rows;
    // Validation rows (a split of a data file, "<file>:<k>"): what training may look at
    // to choose its epoch and settings; the held-out rows are then scored once. Empty
    // when the set validates on its held-out rows.
    std::vector<std::array<double, 2>> val_rows;
    std::vector<std::array<double, 2>> all_rows;  // a data file's rows in its order (what splits cut)
    bool finite() const { return !train_rows.empty(); }
    // The training rows (held_out false) or the held-out rows, each standardised by its
    // own statistics.
    PointSet part(bool held_out) const { return standardise(held_out ? held_rows : train_rows); }

    // The class names: the regions when the set is labelled, else none.
    std::vector<std::string> classes() const { return labelled ? regions : std::vector<std::string>{}; }
    // log(area / (std_x std_y)) for a set uniform on its support, in a frame with these
    // standard deviations: no model's held-out NLL can be lower. NaN when unknown.
    double entropy_floor(const Standardiser& frame) const;
};

// What a model trains on: n points drawn from a sampler, or a file's first n training
// rows (n at most their number; a larger n is refused in one line).
PointSet training_points(const Dataset& d, std::size_t n, Rng& rng);
// What a model is scored on: n more points drawn from a sampler, or all of a file's
// held-out rows (n must be their number: see held_out_count).
PointSet held_out_points(const Dataset& d, std::size_t n, Rng& rng);
// The held-out rows of a file, or `otherwise` for a sampler.
std::size_t held_out_count(const Dataset& d, std::size_t otherwise);
// What a model is validated on while it trains: a split's validation rows when it has
// them, else as held_out_points (n must be validation_count's).
PointSet validation_points(const Dataset& d, std::size_t n, Rng& rng);
std::size_t validation_count(const Dataset& d, std::size_t otherwise);

// The generated sets "moons" and "circles" (data/shapes.hpp) are fixed rows too: drawn
// once, their split fixed whatever a model's seed, and their true density known.
//
// Every data/*.csv compiled into the program is a data set of fixed rows, named by its
// file (two_moons.csv: "two-moons"). Its columns are feature_1 and feature_2, in the
// file's own units; its rows are split once, by a permutation from the seed 0 stream
// "<name>/split", into the first 80 % for training and the rest held out.
constexpr double kTrainShare = 0.8;
// Its k-th split (k >= 1), the data set "<name>:<k>": the rows permuted by the seed 0
// stream "<name>/split<k>", the first 60 % for training, the next 20 % for validation
// and the rest held out; standardised by its training rows.
constexpr double kSplitTrainShare = 0.6, kSplitValShare = 0.2;
std::string split_name(const std::string& file_set, std::size_t k);
// "two-moons" of "two-moons:2" (a name without a split: itself), and the split (0: none).
std::string unsplit_name(const std::string& name);
std::size_t split_of(const std::string& name);

// The data set of this name; throws (naming the known ones) when there is none.
const Dataset& dataset(const std::string& name);
std::vector<std::string> dataset_names();

}  // namespace flow::data
