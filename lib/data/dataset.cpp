#include "data/dataset.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace flow::data {

double Dataset::entropy_floor(const Standardiser& frame) const {
    if (!support_area) return std::numeric_limits<double>::quiet_NaN();
    return data::entropy_floor(frame, support_area());
}

namespace {

std::vector<Dataset> build() {
    std::vector<std::string> names, colours;
    for (const auto& r : rings()) {
        names.emplace_back(r.colour);
        colours.emplace_back(r.rgb);
    }
    Dataset uniform;
    uniform.name = "rings";
    uniform.description = "uniform over the union of the five Olympic rings' bands";
    uniform.units = "the logo's units (rings of radius 1)";
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
    return {uniform, by_class};
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

std::vector<std::string> dataset_names() {
    std::vector<std::string> v;
    for (const auto& d : all()) v.push_back(d.name);
    return v;
}

}  // namespace flow::data
