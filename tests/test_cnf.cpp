// Continuous normalizing flows: the exact trace equals the trace of the field's
// finite-difference Jacobian; the field's backward pass (second derivatives included)
// and the whole loss's gradient through the RK4 solve match central differences;
// sampling undoes the normalizing solve; the density integrates to 1.
#include <cmath>

#include <catch2/catch.hpp>

#include "model/registry.hpp"
#include "cnf/train.hpp"
#include "density.hpp"
#include "gradcheck.hpp"

using namespace flow;
using nn::Mat;

namespace {

cnf::Field<double> field(std::uint64_t seed, std::size_t hidden = 8, std::size_t depth = 3) {
    Rng rng(seed, "test/cnf");
    return cnf::Field<double>(2, hidden, depth, rng);
}

}  // namespace

TEST_CASE("the exact trace is the trace of the field's Jacobian", "[cnf][fast]") {
    const auto f = field(1);
    cnf::Field<double>::Point p, pp, pm;
    for (const auto& z : std::vector<std::array<double, 2>>{{0.3, -1.2}, {2.0, 0.5}, {-0.7, 0.1}}) {
        f.eval(z.data(), 0.4, p);
        double tr = 0;
        for (std::size_t j = 0; j < 2; ++j) {
            std::array<double, 2> zp = z, zm = z;
            zp[j] += 1e-6;
            zm[j] -= 1e-6;
            f.eval(zp.data(), 0.4, pp);
            f.eval(zm.data(), 0.4, pm);
            tr += (pp.out[j] - pm.out[j]) / 2e-6;
        }
        CHECK(p.trace == Approx(tr).margin(1e-8));
    }
}

TEST_CASE("the field's backward pass of f and its trace matches finite differences", "[cnf][gradcheck][fast]") {
    auto f = field(2);
    nn::Params<double> ps;
    f.params(ps);
    std::array<double, 2> z = {0.4, -0.9};
    const double gf[2] = {0.7, -1.3}, gtr = 0.55, t = 0.3;
    auto loss = [&] {
        cnf::Field<double>::Point p;
        f.eval(z.data(), t, p);
        return gf[0] * p.out[0] + gf[1] * p.out[1] + gtr * p.trace;
    };
    nn::zero_grad(ps);
    cnf::Field<double>::Point p;
    f.eval(z.data(), t, p);
    double gz[2] = {0, 0};
    f.backward(p, gf, gtr, gz);
    for (const auto& q : ps) {
        const std::vector<double> analytic(q.grad, q.grad + q.size());
        test::check_gradient(q.name, q.value, analytic.data(), q.size(), loss);
    }
    test::check_gradient("z", z.data(), gz, 2, loss);
}

TEST_CASE("the loss's gradient through the RK4 solve matches finite differences", "[cnf][gradcheck][fast]") {
    cnf::Flow<double> flow{field(3, 6, 3), 3};
    Rng rng(4, "test/cnf-x");
    Mat<double> x = test::random_matrix(4, 2, rng);
    nn::Params<double> ps;
    flow.field.params(ps);
    nn::zero_grad(ps);
    Mat<double> dx;
    flow.loss(x, true, &dx);
    auto loss = [&] { return flow.loss(x); };
    for (const auto& q : ps) {
        const std::vector<double> analytic(q.grad, q.grad + q.size());
        test::check_gradient(q.name, q.value, analytic.data(), q.size(), loss);
    }
    test::check_gradient("x", x.data(), dx.data(), x.size(), loss);
}

TEST_CASE("sampling undoes the normalizing solve, and the density integrates to 1", "[cnf][fast]") {
    cnf::Flow<double> flow{field(5, 16, 3), 40};
    Rng rng(6, "test/cnf-x");
    const Mat<double> x = test::random_matrix(20, 2, rng);
    std::vector<double> zf, ell;
    flow.forward_batch(x, zf, ell);
    Mat<double> z = Mat<double>::from_shape({20, 2});
    for (std::size_t i = 0; i < 20; ++i) {
        z(i, 0) = zf[i];
        z(i, 1) = zf[20 + i];
    }
    const Mat<double> back = flow.inverse(z);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(back.data()[i] - x.data()[i]));
    INFO("round trip " << worst);
    CHECK(worst < 1e-6);

    flow.steps = 10;
    const double mass = test::grid_mass<double>([&](const Mat<double>& g) { return flow.log_prob(g); }, -7, 0.05);
    INFO("mass " << mass);
    CHECK(mass == Approx(1.0).margin(0.01));
}

TEST_CASE("a continuous flow trained on a data file beats the Gaussian, and is kept in its checkpoint",
          "[cnf][train]") {
    cnf::Config cfg = cnf::config(model::values("cnf", {"--points", "400", "--batch", "100", "--lr", "0.005"}), "two-moons");
    cfg.hidden = 16;
    cfg.steps = 4;
    cfg.epochs = 40;
    cfg.data = "two-moons";
    const cnf::Model m = cnf::train(cfg, false);
    REQUIRE(m.history.size() == 40);
    const double first = m.history.front().val_loss, last = m.history.back().val_loss;
    INFO("validation NLL " << first << " -> " << last);
    CHECK(last < first);
    CHECK(last < 2.84 - 0.2);  // N(0, I) scores about log(2 pi) + 1 on standardised points
    Rng rng(7, "test/cnf-sample");
    nn::Mat<float> z;
    const nn::Mat<float> x = cnf::sample(m.flow, 100, rng, &z);
    CHECK(x.shape(0) == 100);
    // The configuration round-trips through its JSON, and names the data set.
    const auto back = cnf::Config::from_json(cfg.to_json());
    CHECK(back.to_json() == cfg.to_json());
    CHECK(cfg.to_json()["data"] == "two-moons");
}

TEST_CASE("the batch pass of the field equals the per-point pass", "[cnf][fast]") {
    auto f = field(8, 8, 3), g = f;
    Rng rng(9, "test/cnf-batch");
    const std::size_t B = 5;
    std::vector<double> zb(2 * B), gf(2 * B), gtr(B), gz(2 * B, 0.0);
    for (auto& v : zb) v = rng.normal();
    for (auto& v : gf) v = rng.normal();
    for (auto& v : gtr) v = rng.normal();
    cnf::Field<double>::Batch pb;
    f.eval_batch(zb.data(), B, 0.6, pb);
    f.backward_batch(pb, gf.data(), gtr.data(), gz.data());
    cnf::Field<double>::Point p;
    for (std::size_t n = 0; n < B; ++n) {
        const double z[2] = {zb[n], zb[B + n]}, gfn[2] = {gf[n], gf[B + n]};
        double gzn[2] = {0, 0};
        g.eval(z, 0.6, p);
        g.backward(p, gfn, gtr[n], gzn);
        CHECK(pb.out[n] == Approx(p.out[0]).margin(1e-12));
        CHECK(pb.out[B + n] == Approx(p.out[1]).margin(1e-12));
        CHECK(pb.trace[n] == Approx(p.trace).margin(1e-12));
        CHECK(gz[n] == Approx(gzn[0]).margin(1e-12));
        CHECK(gz[B + n] == Approx(gzn[1]).margin(1e-12));
    }
    for (std::size_t k = 0; k < f.depth; ++k)
        for (std::size_t i = 0; i < f.dW[k].size(); ++i) CHECK(f.dW[k][i] == Approx(g.dW[k][i]).margin(1e-12));
}

TEST_CASE("the frames of the sampling solve end at its samples and follow the ODE between steps", "[cnf][fast]") {
    cnf::Flow<double> flow{field(8, 16, 3), 5};
    Rng rng(9, "test/cnf-path");
    const Mat<double> z = test::random_matrix(30, 2, rng);
    const auto frames = flow.inverse_path(z, 4);
    REQUIRE(frames.size() == 21);
    const Mat<double> x = flow.inverse(z);
    CHECK(frames.front() == z);
    CHECK(frames.back() == x);
    // Frames between the solver's steps (t = 1 - k/20) agree with a fine solve (200 steps)
    // to the accuracy of the steps.
    cnf::Flow<double> fine = flow;
    fine.steps = 200;
    const auto ref = fine.inverse_path(z, 1);
    double worst = 0, moved = 0;
    for (std::size_t k : {3, 6, 10, 13}) {
        const Mat<double>& a = frames[k];
        const Mat<double>& b = ref[k * 10];
        for (std::size_t i = 0; i < a.size(); ++i) {
            worst = std::max(worst, std::fabs(a.data()[i] - b.data()[i]));
            moved = std::max(moved, std::fabs(b.data()[i] - z.data()[i]));
        }
    }
    INFO("largest frame error " << worst << ", largest move " << moved);
    CHECK(moved > 0.05);
    CHECK(worst < 1e-3 * moved);
    // latent() is the normalizing solve, which the sampling solve undoes.
    const Mat<double> back = flow.latent(x);
    for (std::size_t i = 0; i < z.size(); ++i) CHECK(back.data()[i] == Approx(z.data()[i]).margin(1e-4));
}
