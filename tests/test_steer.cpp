// Steering a trained field toward a point, and a new class for a conditional field:
// the conditional field of Eq. 15 lands exactly where it should, a zero weight leaves
// the learned flow unchanged, a new class leaves the old ones as they were, and fitting
// it moves only what it may.
#include <cmath>

#include <catch2/catch.hpp>

#include "fields.hpp"
#include "fm/new_class.hpp"
#include "fm/steer.hpp"

using namespace flow;
using nn::Mat;

namespace {

fm::VectorField<float> field(std::size_t classes, std::uint64_t seed) {
    Rng rng(seed, "test/steer");
    return test::small_field<float>(classes, 8, rng);
}

Mat<float> normal(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, "test/steer-points");
    Mat<float> z = Mat<float>::from_shape({n, std::size_t(2)});
    for (auto& v : z) v = float(rng.normal());
    return z;
}

}  // namespace

TEST_CASE("switched to Eq. 15's field from t = 0, a path is the straight line to the target", "[fm][steer][fast]") {
    // With y_k = t_k a + (1 - t_k) y0, (a - y_k) / (1 - t_k) = a - y0, so every Euler
    // step stays on the line and the last one lands on a.
    auto f = field(0, 1);
    const Mat<float> y0 = normal(6, 2);
    const std::array<double, 2> a = {4.0, 5.0};
    double worst_off_line = 0;
    const auto run = fm::steered_flow(f, y0, 0.01, {a, [](double) { return 1.0; }}, nullptr,
                                      [&](std::size_t, double t, const Mat<float>& y) {
                                          for (std::size_t i = 0; i < 6; ++i)
                                              for (std::size_t c = 0; c < 2; ++c)
                                                  worst_off_line = std::max(
                                                      worst_off_line,
                                                      std::fabs(double(y(i, c)) - (t * a[c] + (1 - t) * double(y0(i, c)))));
                                      });
    CHECK(worst_off_line < 1e-5);  // float rounding over 100 steps
    for (std::size_t i = 0; i < 6; ++i) {
        CHECK(run.end(i, 0) == Approx(4.0).margin(1e-5));
        CHECK(run.end(i, 1) == Approx(5.0).margin(1e-5));
        // Constant speed |a - y0| along the straight path.
        CHECK(run.peak_speed[i] == Approx(std::hypot(4.0 - y0(i, 0), 5.0 - y0(i, 1))).epsilon(1e-4));
    }
}

TEST_CASE("a zero steering weight is the learned flow itself, at no force", "[fm][steer][fast]") {
    auto f = field(0, 3);
    const Mat<float> y0 = normal(8, 4);
    const auto run = fm::steered_flow(f, y0, 0.02, {{4.0, 5.0}, [](double) { return 0.0; }});
    const Mat<float> x = fm::forward_flow(f, y0, {0.02, fm::Solver::Euler});
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(run.end.data()[i] == Approx(x.data()[i]).margin(1e-5));
    for (double e : run.override_energy) CHECK(e == 0.0);
    // A switch at tau spends force only after tau, and lands on the target.
    const auto late = fm::steered_flow(f, y0, 0.02, {{4.0, 5.0}, [](double t) { return t >= 0.5 ? 1.0 : 0.0; }});
    for (std::size_t i = 0; i < 8; ++i) {
        CHECK(late.override_energy[i] > 0.0);
        CHECK(late.end(i, 0) == Approx(4.0).margin(1e-5));
    }
}

TEST_CASE("a new class leaves the old ones unchanged, and fitting it moves only what it may",
          "[fm][steer][fast]") {
    auto f = field(5, 5);
    fm::VectorField<float> g = fm::with_new_class(f);
    REQUIRE(g.shape.classes == 6);
    const Mat<float> y = normal(10, 6);
    const std::vector<float> t = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.95f};
    const fm::Labels old = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4};
    const Mat<float> before = f.velocity(y, t, &old);
    const bool same = g.velocity(y, t, &old) == before;
    CHECK(same);
    for (std::size_t j = 0; j < 3; ++j) {
        double mean = 0;
        for (std::size_t k = 0; k < 5; ++k) mean += f.embed.table(k, j) / 5.0;
        CHECK(g.embed.table(5, j) == Approx(mean).epsilon(1e-6));
    }

    // Embedding only: the network and the old rows stay as they were, the loss falls.
    data::PointSet data;
    Rng data_rng(7, "test/steer-data");
    data = data::conditional_rings(500, data_rng);
    fm::NewClassFit how;
    how.steps = 300;
    how.batch = 64;
    how.lr = 1e-2;
    how.time_floor = 3e-3;
    Rng rng(8, "test/steer-fit");
    const fm::VectorField<float> start = g;
    const auto loss = fm::fit_new_class(g, {4.0, 5.0}, &data, how, rng);
    REQUIRE(loss.size() == 300);
    double first = 0, last = 0;
    for (std::size_t i = 0; i < 30; ++i) first += loss[i] / 30, last += loss[270 + i] / 30;
    CHECK(last < first);
    bool frozen = true;
    for (std::size_t l = 0; l < g.mlp.linear.size(); ++l)
        frozen = frozen && g.mlp.linear[l].W == start.mlp.linear[l].W && g.mlp.linear[l].b == start.mlp.linear[l].b;
    CHECK(frozen);
    for (std::size_t k = 0; k < 5; ++k)
        for (std::size_t j = 0; j < 3; ++j) CHECK(g.embed.table(k, j) == start.embed.table(k, j));
    bool moved = false;
    for (std::size_t j = 0; j < 3; ++j) moved = moved || g.embed.table(5, j) != start.embed.table(5, j);
    CHECK(moved);

    // Fine-tuning moves the network too; it needs the old data.
    how.embedding_only = false;
    how.old_batch = 256;
    how.steps = 50;
    how.lr = 1e-3;
    const fm::VectorField<float> tuned_from = g;
    fm::fit_new_class(g, {4.0, 5.0}, &data, how, rng);
    const bool tuned = g.mlp.linear[0].W != tuned_from.mlp.linear[0].W;
    CHECK(tuned);
    CHECK_THROWS(fm::fit_new_class(g, {4.0, 5.0}, nullptr, how, rng));
    auto unconditional = field(0, 9);
    CHECK_THROWS(fm::with_new_class(unconditional));
}
