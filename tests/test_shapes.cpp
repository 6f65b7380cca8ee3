// The generated data sets of the ECE 792 exercise: their geometry, their fixed split and
// their stated density (which integrates to 1 and matches the samples).
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "data/dataset.hpp"
#include "data/shapes.hpp"

using namespace flow;

namespace {
// The mass of the stated density over the cells of side h tiling [x0, x1] x [y0, y1] whose
// midpoint satisfies keep(x, y).
template <class Keep>
double grid_mass(data::Shape s, double x0, double x1, double y0, double y1, double h, Keep keep) {
    double m = 0;
    for (double x = x0 + h / 2; x < x1; x += h)
        for (double y = y0 + h / 2; y < y1; y += h)
            if (keep(x, y)) m += std::exp(data::shape_log_density(s, x, y)) * h * h;
    return m;
}
}  // namespace

TEST_CASE("moons and circles lie where their generators put them", "[data][shapes][fast]") {
    Rng rng(1, "test/shapes");
    // Circles: every radius within 5 sigma of 1 or of 1/2, about half near each.
    const auto c = data::shape_points(data::Shape::Circles, 4000, rng);
    const double sc = data::spec(data::Shape::Circles).noise;
    std::size_t inner = 0;
    for (const auto& p : c) {
        const double r = std::hypot(p[0], p[1]);
        CHECK(std::min(std::fabs(r - 1), std::fabs(r - 0.5)) < 5 * sc);
        inner += r < 0.75;
    }
    CHECK(std::fabs(double(inner) / 4000 - 0.5) < 4 * 0.5 / std::sqrt(4000.0));
    // Moons: within 5 sigma of one of the two half circles.
    const auto m = data::shape_points(data::Shape::Moons, 4000, rng);
    const double sm = data::spec(data::Shape::Moons).noise;
    std::size_t upper = 0;
    for (const auto& p : m) {
        const double to_upper = p[1] > 0 ? std::fabs(std::hypot(p[0], p[1]) - 1) : std::hypot(std::fabs(p[0]) - 1, p[1]);
        const double qx = p[0] - 1, qy = p[1] - 0.5;
        const double to_lower = qy < 0 ? std::fabs(std::hypot(qx, qy) - 1) : std::hypot(std::fabs(qx) - 1, qy);
        CHECK(std::min(to_upper, to_lower) < 5 * sm);
        upper += to_upper < to_lower;
    }
    CHECK(std::fabs(double(upper) / 4000 - 0.5) < 0.05);
}

TEST_CASE("the stated densities integrate to 1 and match the samples", "[data][shapes][fast]") {
    const double h = 0.03;  // the midpoint rule is exact to far below 1e-3 for kernels of width 0.05
    const double moons = grid_mass(data::Shape::Moons, -1.8, 2.8, -1.3, 1.8, h, [](double, double) { return true; });
    CHECK(moons == Approx(1).margin(2e-3));
    const double circles = grid_mass(data::Shape::Circles, -1.5, 1.5, -1.5, 1.5, h, [](double, double) { return true; });
    CHECK(circles == Approx(1).margin(2e-3));
    // Each coordinate's marginal integrates to 1, and is the joint integrated over the other.
    for (auto s : {data::Shape::Moons, data::Shape::Circles})
        for (int c = 0; c < 2; ++c) {
            double m = 0, joint = 0;
            for (double v = -2.5 + h / 2; v < 3.0; v += h) m += std::exp(data::shape_log_marginal(s, c, v)) * h;
            CHECK(m == Approx(1).margin(1e-3));
            // At one value of coordinate c: the joint summed over the other coordinate.
            for (double w = -2.5 + h / 2; w < 3.0; w += h)
                joint += std::exp(c == 0 ? data::shape_log_density(s, 0.3, w) : data::shape_log_density(s, w, 0.3)) * h;
            CHECK(std::exp(data::shape_log_marginal(s, c, 0.3)) == Approx(joint).epsilon(1e-3));
        }
    // The inner circle's share of the mass is 1/2, as in the samples.
    const double inside = grid_mass(data::Shape::Circles, -1.5, 1.5, -1.5, 1.5, h,
                                    [](double x, double y) { return std::hypot(x, y) < 0.75; });
    CHECK(inside == Approx(0.5).margin(2e-3));
    // The mean log-density of the samples is the density's negative entropy, which the
    // grid gives too: -sum p log p h^2.
    Rng rng(4, "test/shapes");
    for (auto s : {data::Shape::Moons, data::Shape::Circles}) {
        const auto pts = data::shape_points(s, 4000, rng);
        double mean = 0, sq = 0;
        for (const auto& p : pts) {
            const double lp = data::shape_log_density(s, p[0], p[1]);
            mean += lp;
            sq += lp * lp;
        }
        mean /= 4000;
        const double se = std::sqrt((sq / 4000 - mean * mean) / 4000);
        double neg_entropy = 0;
        for (double x = -1.8 + h / 2; x < 2.8; x += h)
            for (double y = -1.5 + h / 2; y < 1.8; y += h) {
                const double lp = data::shape_log_density(s, x, y);
                neg_entropy += std::exp(lp) * lp * h * h;
            }
        INFO(data::spec(s).name << ": sample mean " << mean << " +- " << se << ", grid " << neg_entropy);
        CHECK(std::fabs(mean - neg_entropy) < 4 * se);
    }
}

TEST_CASE("moons and circles are data sets with a fixed split and a known density", "[data][shapes][fast]") {
    for (const char* name : {"moons", "circles"}) {
        const auto& d = data::dataset(name);
        CHECK(d.finite());
        CHECK(d.train_rows.size() == data::kShapeTrainRows);
        CHECK(d.held_rows.size() == data::kShapeHeldRows);
        CHECK(d.val_rows.size() == data::kShapeValRows);
        CHECK(data::validation_count(d, 7) == data::kShapeValRows);
        CHECK(d.train_rows.front() != d.held_rows.front());
        REQUIRE(d.log_density);
        CHECK(std::isfinite(d.log_density(d.held_rows[0][0], d.held_rows[0][1])));
        // Drawn from the seed 0 streams named after the set, whatever a model's seed.
        Rng again(0, std::string(name) + "/train");
        auto rows = data::shape_points(name == std::string("moons") ? data::Shape::Moons : data::Shape::Circles,
                                       data::kShapeTrainRows + data::kShapeValRows, again);
        // The validation rows are the training draws' last: none is a held-out row.
        CHECK(std::vector<std::array<double, 2>>(rows.begin() + long(data::kShapeTrainRows), rows.end()) == d.val_rows);
        rows.resize(data::kShapeTrainRows);
        CHECK(rows == d.train_rows);
        for (const auto& v : d.val_rows) CHECK(std::find(d.held_rows.begin(), d.held_rows.end(), v) == d.held_rows.end());
    }
}
