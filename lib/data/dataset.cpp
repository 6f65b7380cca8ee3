#include "data/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "data/csv.hpp"
#include "data/shapes.hpp"

namespace flow::data {

double Dataset::entropy_floor(const Standardiser& frame) const {
    if (!support_area) return std::numeric_limits<double>::quiet_NaN();
    return data::entropy_floor(frame, support_area());
}

// Written by the build from data/*.csv: (file name, text) pairs.
std::vector<std::pair<std::string, std::string>> embedded_files();

namespace {

// A data file's rows, split once into training and held-out rows.
Dataset file_set(const std::string& file, const std::string& text) {
    const xt::xtensor<double, 2> raw = parse_csv(file, text, {"feature_1", "feature_2"});
    const std::size_t n = raw.shape(0), n_train = std::size_t(std::llround(kTrainShare * double(n)));
    Dataset d;
    d.name = file.substr(0, file.rfind('.'));
    std::replace(d.name.begin(), d.name.end(), '_', '-');
    if (n_train < 2 || n - n_train < 2)
        throw std::runtime_error(fmt::format("{}: {} rows are too few to split into training and held-out rows", file, n));
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    Rng split(0, d.name + "/split");
    split.shuffle(order);
    std::vector<std::array<double, 2>> train, held;
    for (std::size_t k = 0; k < n; ++k)
        (k < n_train ? train : held).push_back({raw(order[k], 0), raw(order[k], 1)});
    d.description = fmt::format("the {} points of {}", n, file);
    d.units = "the file's units";
    d.reference = standardise(train).scale;
    d.train_rows = std::move(train);
    d.held_rows = std::move(held);
    return d;
}

// A generator's fixed rows (data/shapes.hpp).
Dataset shape_set(Shape shape) {
    const ShapeSpec& sp = spec(shape);
    Dataset d;
    d.name = sp.name;
    Rng train(0, d.name + "/train"), held(0, d.name + "/held");
    d.train_rows = shape_points(shape, kShapeTrainRows, train);
    d.held_rows = shape_points(shape, kShapeHeldRows, held);
    d.description = shape == Shape::Moons
        ? fmt::format("two half circles of radius 1, the lower one shifted by (1, -1/2), with Gaussian noise of "
                      "standard deviation {}", sp.noise)
        : fmt::format("two concentric circles of radii 1 and {}, with Gaussian noise of standard deviation {}",
                      sp.factor, sp.noise);
    d.units = "the generator's units";
    d.log_density = [shape](double x, double y) { return shape_log_density(shape, x, y); };
    d.reference = standardise(d.train_rows).scale;
    return d;
}

std::vector<Dataset> build() {
    std::vector<std::string> names, colours;
    for (const auto& r : rings()) {
        names.emplace_back(r.colour);
        colours.emplace_back(r.rgb);
    }
    Dataset uniform;
    uniform.name = "rings";
    uniform.description = "uniform over the union of the five Olympic rings' bands";
    uniform.units = "the rings' units (rings of radius 1)";
    uniform.sample = [](std::size_t n, Rng& rng) { return unconditional_rings(n, rng); };
    uniform.regions = names;
    uniform.colours = colours;
    uniform.region_of = [](double x, double y) { return ring_of(x, y); };
    uniform.in_region = [](double x, double y, int k) { return on_ring(x, y, k); };
    uniform.support_area = [] {
        static const double area = union_area();
        return area;
    };
    uniform.reference = reference_unconditional();

    Dataset by_class = uniform;
    by_class.name = "rings-by-class";
    by_class.description = "n/5 points per Olympic ring, radius and angle uniform, labelled by ring";
    by_class.labelled = true;
    by_class.sample = [](std::size_t n, Rng& rng) { return conditional_rings(n, rng); };
    by_class.support_area = nullptr;  // not uniform on its support: no entropy floor of that form
    by_class.reference = reference_conditional();
    std::vector<Dataset> sets = {uniform, by_class, shape_set(Shape::Moons), shape_set(Shape::Circles)};
    for (const auto& [file, text] : embedded_files()) sets.push_back(file_set(file, text));
    return sets;
}

const std::vector<Dataset>& all() {
    static const std::vector<Dataset> sets = build();
    return sets;
}

}  // namespace

const Dataset& dataset(const std::string& name) {
    std::string known;
    for (const auto& d : all()) {
        if (d.name == name) return d;
        known += (known.empty() ? "" : ", ") + d.name;
    }
    throw std::invalid_argument("unknown data set '" + name + "' (data sets: " + known + ")");
}

PointSet training_points(const Dataset& d, std::size_t n, Rng& rng) {
    if (!d.finite()) return d.sample(n, rng);
    if (n > d.train_rows.size())
        throw std::runtime_error(fmt::format("data set {} has {} training rows; {} were asked for", d.name,
                                             d.train_rows.size(), n));
    return standardise({d.train_rows.begin(), d.train_rows.begin() + long(n)});
}

PointSet held_out_points(const Dataset& d, std::size_t n, Rng& rng) {
    if (!d.finite()) return d.sample(n, rng);
    if (n != d.held_rows.size())
        throw std::logic_error(fmt::format("data set {} holds out {} rows, not {}", d.name, d.held_rows.size(), n));
    return d.part(true);
}

std::size_t held_out_count(const Dataset& d, std::size_t otherwise) {
    return d.finite() ? d.held_rows.size() : otherwise;
}

std::vector<std::string> dataset_names() {
    std::vector<std::string> v;
    for (const auto& d : all()) v.push_back(d.name);
    return v;
}

}  // namespace flow::data
