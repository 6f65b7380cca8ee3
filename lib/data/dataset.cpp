#include "data/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
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

// A data file's rows, raw, in the file's order.
std::vector<std::array<double, 2>> file_rows(const std::string& file, const std::string& text) {
    const xt::xtensor<double, 2> raw = parse_csv(file, text, {"feature_1", "feature_2"});
    std::vector<std::array<double, 2>> rows;
    for (std::size_t i = 0; i < raw.shape(0); ++i) rows.push_back({raw(i, 0), raw(i, 1)});
    return rows;
}

// The rows permuted by the seed 0 stream `stream`, cut into parts of these shares (the
// last part takes the rest); each part must keep at least two rows.
std::vector<std::vector<std::array<double, 2>>> cut(const std::string& file,
                                                    const std::vector<std::array<double, 2>>& rows,
                                                    const std::string& stream, const std::vector<double>& shares) {
    const std::size_t n = rows.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    Rng split(0, stream);
    split.shuffle(order);
    std::vector<std::vector<std::array<double, 2>>> parts(shares.size() + 1);
    std::size_t start = 0;
    for (std::size_t p = 0; p <= shares.size(); ++p) {
        const std::size_t end = p < shares.size() ? start + std::size_t(std::llround(shares[p] * double(n))) : n;
        if (end > n || end < start + 2)
            throw std::runtime_error(fmt::format("{}: {} rows are too few to split into training, validation "
                                                 "and held-out rows", file, n));
        for (std::size_t k = start; k < end; ++k) parts[p].push_back(rows[order[k]]);
        start = end;
    }
    return parts;
}

// A data file's rows, split once into training and held-out rows.
Dataset file_set(const std::string& file, const std::string& text) {
    const auto rows = file_rows(file, text);
    Dataset d;
    d.name = file.substr(0, file.rfind('.'));
    std::replace(d.name.begin(), d.name.end(), '_', '-');
    auto parts = cut(file, rows, d.name + "/split", {kTrainShare});
    d.description = fmt::format("the {} points of {}", rows.size(), file);
    d.units = "the file's units";
    d.reference = standardise(parts[0]).scale;
    d.train_rows = std::move(parts[0]);
    d.held_rows = std::move(parts[1]);
    d.all_rows = rows;
    return d;
}

// The k-th split of a data file's set into training, validation and held-out rows.
Dataset split_set(const Dataset& whole, std::size_t k) {
    auto parts = cut(whole.description, whole.all_rows, fmt::format("{}/split{}", whole.name, k),
                     {kSplitTrainShare, kSplitValShare});
    Dataset d = whole;
    d.name = split_name(whole.name, k);
    d.description = fmt::format("{}, split {}", whole.description, k);
    d.reference = standardise(parts[0]).scale;
    d.train_rows = std::move(parts[0]);
    d.val_rows = std::move(parts[1]);
    d.held_rows = std::move(parts[2]);
    return d;
}

// A generator's fixed rows (data/shapes.hpp).
Dataset shape_set(Shape shape) {
    const ShapeSpec& sp = spec(shape);
    Dataset d;
    d.name = sp.name;
    Rng train(0, d.name + "/train"), held(0, d.name + "/held");
    // The validation rows are the last of the training draws: a split of the training
    // rows, never the held-out ones.
    d.train_rows = shape_points(shape, kShapeTrainRows + kShapeValRows, train);
    d.val_rows.assign(d.train_rows.end() - long(kShapeValRows), d.train_rows.end());
    d.train_rows.resize(kShapeTrainRows);
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

std::string split_name(const std::string& file_set, std::size_t k) { return fmt::format("{}:{}", file_set, k); }

std::string unsplit_name(const std::string& name) { return name.substr(0, name.find(':')); }

std::size_t split_of(const std::string& name) {
    const auto colon = name.find(':');
    if (colon == std::string::npos) return 0;
    const std::string k = name.substr(colon + 1);
    if (k.empty() || k.size() > 4 || k.find_first_not_of("0123456789") != std::string::npos || std::stoul(k) == 0)
        throw std::invalid_argument("data set '" + name + "': a split is a whole number from 1, as in two-moons:2");
    return std::stoul(k);
}

const Dataset& dataset(const std::string& name) {
    const std::size_t k = split_of(name);
    const std::string base = unsplit_name(name);
    std::string known;
    for (const auto& d : all()) {
        if (d.name != base) {
            known += (known.empty() ? "" : ", ") + d.name;
            continue;
        }
        if (k == 0) return d;
        if (!d.finite() || d.all_rows.empty())
            throw std::invalid_argument("data set '" + base + "' is not a data file and has no splits");
        // Splits are made when first asked for and kept (their addresses stay valid).
        static std::mutex lock;
        static std::map<std::string, std::unique_ptr<Dataset>> splits;
        const std::lock_guard<std::mutex> hold(lock);
        auto& slot = splits[name];
        if (!slot) slot = std::make_unique<Dataset>(split_set(d, k));
        return *slot;
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

PointSet validation_points(const Dataset& d, std::size_t n, Rng& rng) {
    if (d.val_rows.empty()) return held_out_points(d, n, rng);
    if (n != d.val_rows.size())
        throw std::logic_error(fmt::format("data set {} validates on {} rows, not {}", d.name, d.val_rows.size(), n));
    return standardise(d.val_rows);
}

std::size_t validation_count(const Dataset& d, std::size_t otherwise) {
    return d.val_rows.empty() ? held_out_count(d, otherwise) : d.val_rows.size();
}

std::vector<std::string> dataset_names() {
    std::vector<std::string> v;
    for (const auto& d : all()) v.push_back(d.name);
    return v;
}

}  // namespace flow::data
