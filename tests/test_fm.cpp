// Flow matching: the vector field's gradients and divergence against finite
// differences, the integrators' orders of convergence on an ODE with a known solution,
// the log-likelihood by the change of variables on a flow with a known density, and a
// short training run.
#include <cmath>

#include <catch2/catch.hpp>

#include "model/registry.hpp"
#include "fm/field.hpp"
#include "fm/likelihood.hpp"
#include "fm/ode.hpp"
#include "fm/train.hpp"
#include "fields.hpp"
#include "gradcheck.hpp"

using namespace flow;
using namespace flow::test;
using nn::Mat;

namespace {

// A field far from its initialisation, so that no gradient term is trivially zero.
fm::VectorField<double> random_field(std::size_t classes, std::uint64_t seed) {
    Rng rng(seed, "test/fm");
    fm::VectorField<double> f = small_field<double>(classes, 6, rng);
    nn::Params<double> ps;
    f.params(ps);
    for (auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) p.value[i] = 0.7 * rng.normal();
    return f;
}

std::vector<double> random_times(std::size_t n, Rng& rng) {
    std::vector<double> t(n);
    for (auto& v : t) v = rng.uniform();
    return t;
}

}  // namespace

TEST_CASE("vector field backward matches finite differences", "[fm][fast]") {
    const std::size_t classes = GENERATE(std::size_t(0), std::size_t(5));
    auto f = random_field(classes, 1 + classes);
    Rng rng(2, "test/fm-data");
    Mat<double> y = random_matrix(7, 2, rng), R = random_matrix(7, 2, rng);
    const std::vector<double> t = random_times(7, rng);
    fm::Labels labels = {0, 4, 2, 2, 1, 3, 0}, labels3 = {1, 1, 3};
    const fm::Labels* lp = classes ? &labels : nullptr;
    nn::Params<double> ps;
    f.params(ps);
    nn::zero_grad(ps);
    fm::VectorField<double>::Tape tape;
    Mat<double> dy;
    f.forward(y, t, lp, tape);
    f.velocity(random_matrix(3, 2, rng), random_times(3, rng), classes ? &labels3 : nullptr);  // stray
    f.backward(R, lp, tape, &dy);
    auto loss = [&] { return dot_all(f.velocity(y, t, lp), R); };
    for (const auto& p : ps) check_gradient(p.name, p.value, p.grad, p.size(), loss);
    check_gradient("dy", y.data(), dy.data(), y.size(), loss);
    if (classes) CHECK(ps.back().name == "embed.table");
}

TEST_CASE("vector field divergence matches finite differences of the field", "[fm][fast]") {
    auto f = random_field(0, 3);
    Rng rng(4, "test/fm-div");
    Mat<double> y = random_matrix(9, 2, rng);
    const std::vector<double> t = random_times(9, rng);
    nn::Params<double> ps;
    f.params(ps);
    nn::zero_grad(ps);
    fm::VectorField<double>::Tape tape;
    f.forward(y, t, nullptr, tape);
    const std::vector<double> div = f.divergence(tape);
    for (const auto& p : ps)
        for (std::size_t i = 0; i < p.size(); ++i) CHECK(p.grad[i] == 0.0);  // input derivatives only
    const double h = 1e-6;
    for (std::size_t i = 0; i < 9; ++i) {
        double numeric = 0;
        for (std::size_t c = 0; c < 2; ++c) {
            Mat<double> up = y, down = y;
            up(i, c) += h;
            down(i, c) -= h;
            const double vu = f.velocity(up, t)(i, c);
            const double vd = f.velocity(down, t)(i, c);
            numeric += (vu - vd) / (2 * h);
        }
        CHECK(div[i] == Approx(numeric).epsilon(1e-6).margin(1e-7));
    }
}

TEST_CASE("each ODE stepper converges at its order", "[fm][ode][fast]") {
    // dy/dt = cos(t) y has y(t) = y(0) exp(sin t). Halving the step divides the error at
    // t = 1 by 2^p for a method of order p; the observed log2 ratio must be within 0.15
    // of p (at these steps the asymptotic regime holds to a few hundredths).
    auto f = [](double t, const Mat<double>& y, Mat<double>& dy) { dy = std::cos(t) * y; };
    Mat<double> y0 = {{1.0, -0.5}};
    const double exact = std::exp(std::sin(1.0));
    const auto [solver, order] = GENERATE(std::pair{fm::Solver::Euler, 1.0},
                                          std::pair{fm::Solver::Midpoint, 2.0},
                                          std::pair{fm::Solver::RK4, 4.0});
    auto error = [&](double dt) {
        const Mat<double> y1 = fm::integrate<double>(f, y0, 0.0, 1.0, dt, solver);
        return std::fabs(y1(0, 0) - exact);
    };
    const double e1 = error(1.0 / 20), e2 = error(1.0 / 40);
    INFO(fm::solver_name(solver) << ": errors " << e1 << ", " << e2);
    CHECK(std::log2(e1 / e2) == Approx(order).margin(0.15));

    // Backward in time from the exact y(1) returns to y(0) to the same order.
    Mat<double> end = {{exact, -0.5 * exact}};
    const Mat<double> back = fm::integrate<double>(f, end, 1.0, 0.0, 1.0 / 40, solver);
    CHECK(std::fabs(back(0, 0) - 1.0) < 4 * e2);
    CHECK(std::fabs(back(0, 1) + 0.5) < 4 * e2);
}

TEST_CASE("integration takes round(1 / dt) equal steps and reports every state", "[fm][ode][fast]") {
    auto f = [](double, const Mat<double>& y, Mat<double>& dy) { dy = xt::ones_like(y); };
    std::vector<double> times;
    Mat<double> y0 = {{0.0}};
    const Mat<double> y1 = fm::integrate<double>(f, y0, 0.0, 1.0, 0.02, fm::Solver::Euler,
                                                 [&](std::size_t k, double t, const Mat<double>& y) {
                                                     CHECK(y(0, 0) == Approx(t).margin(1e-12));
                                                     CHECK(k == times.size());
                                                     times.push_back(t);
                                                 });
    REQUIRE(times.size() == 51);
    CHECK(times.back() == 1.0);
    CHECK(y1(0, 0) == Approx(1.0).margin(1e-12));
    CHECK(fm::step_count(0, 1, 0.001) == 1000);
    CHECK(fm::step_count(1, 0, 0.3) == 3);
    CHECK_THROWS(fm::step_count(0, 1, 0.0));
}

TEST_CASE("log-likelihood by the change of variables is exact on a Gaussian flow", "[fm][fast]") {
    // With x ~ N(mu, s^2 I) and y_t = t x + (1 - t) eps, y_t ~ N(t mu, sigma_t^2 I) with
    // sigma_t^2 = t^2 s^2 + (1 - t)^2, and the marginal field
    //   v(y, t) = mu + (t s^2 - (1 - t)) / sigma_t^2 (y - t mu),
    // div v = 2 (t s^2 - (1 - t)) / sigma_t^2, carries N(0, I) to N(mu, s^2 I) exactly.
    const double mu0 = 1.5, mu1 = -0.7, s = 0.4;
    auto field = [&](double t, const Mat<double>& y, Mat<double>& v, std::vector<double>& div) {
        const double var = t * t * s * s + (1 - t) * (1 - t);
        const double k = (t * s * s - (1 - t)) / var;
        nn::ensure_shape(v, y.shape(0), 2);
        div.assign(y.shape(0), 2 * k);
        for (std::size_t i = 0; i < y.shape(0); ++i) {
            v(i, 0) = mu0 + k * (y(i, 0) - t * mu0);
            v(i, 1) = mu1 + k * (y(i, 1) - t * mu1);
        }
    };
    Mat<double> x = {{1.5, -0.7}, {2.0, -0.2}, {0.3, -1.9}, {5.0, 3.0}};
    Mat<double> y0;
    const auto lp = fm::log_likelihood_of(field, x, 1e-3, fm::Solver::RK4, &y0);
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const double a = (x(i, 0) - mu0) / s, b = (x(i, 1) - mu1) / s;
        const double exact = -0.5 * (a * a + b * b) - std::log(2 * M_PI) - 2 * std::log(s);
        INFO("point " << i);
        CHECK(lp[i] == Approx(exact).epsilon(1e-8).margin(1e-8));
        CHECK(y0(i, 0) == Approx(a).margin(1e-8));
        CHECK(y0(i, 1) == Approx(b).margin(1e-8));
    }
}

TEST_CASE("flow matching training lowers the loss and records every batch", "[fm][train][fast]") {
    fm::Config c = fm::config(model::values("fm", {"--time-sampling", "uniform"}), "rings", false);
    c.shape.depth = 3;
    c.shape.hidden = 32;
    c.points = 6000;
    c.val_points = 2000;
    c.epochs = 3;
    c.batch = 64;
    c.lr = 3e-3;
    c.seed = 7;
    const auto m = fm::train(c, false);
    REQUIRE(m.history.size() == 3);
    CHECK(m.batch_loss.size() == 3 * ((6000 + 63) / 64));
    // A zero field scores E|x - eps|^2 = 2 + 2 = 4 on standardised data. The target
    // x - eps is not a function of (y, t), so even the best field keeps a residual: this
    // configuration levels off at 3.19 after 12 epochs, and reaches 3.27 in these 3.
    CHECK(m.history.front().val_loss < 3.8);
    CHECK(m.history.back().val_loss < 3.4);
    CHECK(m.history.back().val_loss < m.history.front().val_loss);
    // Every batch's loss is recorded in order: each epoch's mean is its training loss.
    const std::size_t per_epoch = m.batch_loss.size() / 3;
    for (std::size_t e = 0; e < 3; ++e) {
        double mean = 0;
        for (std::size_t b = 0; b < per_epoch; ++b) mean += double(m.batch_loss[e * per_epoch + b]) / double(per_epoch);
        CHECK(mean == Approx(m.history[e].train_loss).epsilon(1e-5));
    }

    // The forward and reverse flows are each other's inverse up to the step's error.
    fm::Model mm = m;
    Rng rng(8, "test/fm-z");
    Mat<float> z = Mat<float>::from_shape({50, 2});
    for (auto& v : z) v = float(rng.normal());
    const fm::Integration how{1e-3, fm::Solver::RK4};
    const Mat<float> x = fm::forward_flow(mm.field, z, how);
    const Mat<float> back = fm::reverse_flow(mm.field, x, how);
    double worst = 0;
    for (std::size_t i = 0; i < z.size(); ++i) worst = std::max(worst, double(std::fabs(back.data()[i] - z.data()[i])));
    CHECK(worst < 1e-3);

    c.lr = 1e12;
    c.epochs = 1;
    try {
        fm::train(c, false);
        FAIL("a run with lr 1e12 did not diverge");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("not finite") && Catch::Contains("epoch"));
    }
}

TEST_CASE("training times follow the chosen distribution", "[fm][train][fast]") {
    // Uniform: t on [0, 1) with mean 1/2. Log: s = log(1 - t) / log(floor) is uniform on
    // [0, 1], so its mean is 1/2 and a quarter of the draws have s < 1/4; every t lies in
    // [0, 1 - floor]. With 200k draws the standard error of a mean of U[0, 1] is 6.5e-4
    // and of a share near 1/4 is 9.7e-4: margins of 5e-3 leave over 5 standard errors.
    const std::size_t n = 200000;
    const double floor = 3e-3;
    Rng rng(11, "test/times");
    double mean_u = 0, mean_s = 0, below = 0, t_max = 0;
    std::size_t outside = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double u = fm::draw_time(rng, fm::TimeSampling::Uniform, floor);
        outside += u < 0.0 || u >= 1.0;
        mean_u += u / double(n);
        const double t = fm::draw_time(rng, fm::TimeSampling::Log, floor);
        outside += t < 0.0;
        t_max = std::max(t_max, t);
        const double s = std::log(1.0 - t) / std::log(floor);
        mean_s += s / double(n);
        below += s < 0.25 ? 1.0 / double(n) : 0.0;
    }
    CHECK(outside == 0);
    CHECK(mean_u == Approx(0.5).margin(5e-3));
    CHECK(mean_s == Approx(0.5).margin(5e-3));
    CHECK(below == Approx(0.25).margin(5e-3));
    CHECK(t_max <= 1.0 - floor + 1e-6);
    CHECK(t_max > 1.0 - 1.01 * floor);
}

TEST_CASE("the share of late training times: the law, and the counts training keeps", "[fm][train][fast]") {
    // P(t > a): 1 - a for uniform times; 1 - log(1 - a) / log(floor) for log times, so
    // with floor 0.003, P(t > 0.9) = 1 - log 10 / log(1 / 0.003) = 0.6036 (not 0.396,
    // which is P(t <= 0.9)). No time above 1 - floor is drawn.
    CHECK(fm::time_share_above(fm::TimeSampling::Uniform, 3e-3, 0.9) == Approx(0.1));
    CHECK(fm::time_share_above(fm::TimeSampling::Log, 3e-3, 0.9) ==
          Approx(1.0 - std::log(10.0) / std::log(1.0 / 3e-3)).epsilon(1e-12));
    CHECK(fm::time_share_above(fm::TimeSampling::Log, 3e-3, 0.9) == Approx(0.6036).margin(1e-4));
    CHECK(fm::time_share_above(fm::TimeSampling::Log, 3e-3, 0.999) == 0.0);
    CHECK(fm::time_share_above(fm::TimeSampling::Log, 3e-3, 0.0) == Approx(1.0));

    // Training counts every time it draws: epochs x points in all, and the late share
    // within 5 binomial standard errors of the law (sqrt(p (1 - p) / n) = 0.0028 here).
    fm::Config c = fm::config(model::values("fm"), "rings", false);
    c.shape.depth = 2;
    c.shape.hidden = 8;
    c.points = 10000;
    c.val_points = 500;
    c.epochs = 3;
    c.seed = 5;
    c.time_sampling = fm::TimeSampling::Log;
    const auto m = fm::train(c, false);
    CHECK(m.time_counts.total() == 30000);
    const double law = fm::time_share_above(c.time_sampling, c.time_floor, 0.9);
    CHECK(m.time_counts.share_above(0.9) == Approx(law).margin(5 * std::sqrt(law * (1 - law) / 30000)));
    CHECK(m.time_counts.share_above(0.0) == 1.0);
    CHECK_THROWS(m.time_counts.share_above(0.93));  // not a bin edge
    // The validation loss at the training's times is recorded beside the uniform one.
    for (const auto& e : m.history) CHECK(std::isfinite(e.val_loss_train_times));
}
