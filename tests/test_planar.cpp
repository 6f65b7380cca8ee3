// Planar flows: the reparametrised û keeps every layer invertible whatever u and w are;
// the inverse undoes the normalizing pass to double precision, even for layers near the
// edge of invertibility; the log-determinant equals the log of the finite-difference
// Jacobian's determinant; the backward pass matches finite differences of the loss; the
// density integrates to 1.
#include <cmath>

#include <catch2/catch.hpp>

#include <xtensor/xview.hpp>

#include "model/registry.hpp"
#include "density.hpp"
#include "gradcheck.hpp"
#include "planar/train.hpp"
#include "train/loop.hpp"
#include "data/dataset.hpp"

using namespace flow;
using nn::Mat;

namespace {

planar::Flow<double> random_flow(std::size_t d, std::size_t k, std::uint64_t seed, double scale = 1.0) {
    Rng rng(seed, "test/planar");
    planar::Flow<double> f(d, k, rng);
    for (auto& L : f.layers) {
        for (auto& v : L.u) v = scale * rng.normal();
        for (auto& v : L.w) v = scale * rng.normal();
        L.b = rng.normal();
    }
    return f;
}

Mat<double> points(std::size_t n, std::size_t d, std::uint64_t seed) {
    Rng rng(seed, "test/planar-points");
    return test::random_matrix(n, d, rng);
}

}  // namespace

TEST_CASE("the reparametrised u keeps w'u-hat above -1 whatever u is", "[planar][fast]") {
    Rng rng(1, "test/planar");
    planar::Layer<double> L(3, rng);
    for (double k : {-100.0, -10.0, -1.0, 0.0, 1.0, 50.0}) {
        for (std::size_t j = 0; j < 3; ++j) L.u[j] = k * L.w[j];
        std::vector<double> uh;
        double c = 0, sp = 0;
        L.hat(uh, c, &sp);
        INFO("u = " << k << " w");
        // 1 + c = softplus(w'u) > 0, kept exactly even where c rounds to -1.
        CHECK(sp > 0.0);
        CHECK(c >= -1.0);
        CHECK(c == Approx(planar::Layer<double>::m(k * (L.w[0] * L.w[0] + L.w[1] * L.w[1] + L.w[2] * L.w[2]))));
        // The log-determinant is finite at every pre-activation, a = 0 included.
        planar::Flow<double> f;
        f.dim = 3;
        f.layers = {L};
        f.layers[0].b = 0;
        Mat<double> origin = xt::zeros<double>({std::size_t(1), std::size_t(3)});
        planar::Flow<double>::Tape tape;
        f.forward(origin, tape);
        CHECK(std::isfinite(tape.logdet[0]));
    }
}

TEST_CASE("the inverse undoes the normalizing pass, also at the edge of invertibility", "[planar][fast]") {
    for (std::size_t d : {2, 3, 5}) {
        for (double scale : {0.3, 1.0, 4.0}) {
            auto f = random_flow(d, 10, 7 + d, scale);
            if (scale == 4.0)  // w'u far below -1 before the reparametrisation: c near -1
                for (auto& L : f.layers)
                    for (std::size_t j = 0; j < d; ++j) L.u[j] = -3.0 * L.w[j];
            const Mat<double> x = points(50, d, d);
            planar::Flow<double>::Tape tape;
            const Mat<double> z = f.forward(x, tape);
            std::size_t its = 0;
            const Mat<double> back = f.inverse(z, &its);
            planar::Flow<double>::Tape again;
            const Mat<double> z2 = f.forward(back, again);
            double worst = 0, residual = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                worst = std::max(worst, std::fabs(back.data()[i] - x.data()[i]));
                residual = std::max(residual, std::fabs(z2.data()[i] - z.data()[i]));
            }
            INFO("D = " << d << ", scale " << scale << ", Newton steps at most " << its << ", round trip " << worst
                        << ", residual " << residual);
            // The inverse solves each layer to double precision: pushing it forward again
            // gives z back. Near the edge (c close to -1) a layer is nearly singular and
            // amplifies the forward pass's own rounding, so x comes back less exactly.
            CHECK(residual < 1e-10);
            CHECK(worst < (scale == 4.0 ? 1e-3 : 1e-9));
            CHECK(its < 100);
        }
    }
    // The scalar solve on its own: steep and nearly flat g.
    // It never runs to its cap: stalls and cycles fall back to bisection, and it stops at
    // the rounding level of g (a trained layer had c within 1e-12 of -1, and cycled).
    std::size_t most = 0;
    for (double c : {-1.0 + 1e-12, -0.999999, -0.5, 0.0, 3.0, 40.0, 1e4})
        for (double r : {-50.0, -1.0, -1e-7, 0.0, 1e-9, 0.3, 2.0, 20.0}) {
            std::size_t its = 0;
            const double a = planar::Flow<double>::solve(c, r, its);
            most = std::max(most, its);
            INFO("c = " << c << ", r = " << r << ", steps " << its);
            CHECK(a + c * std::tanh(a) == Approx(r).margin(1e-9 * (1 + std::fabs(r) + std::fabs(c))));
            CHECK(its < 120);
        }
    INFO("most steps " << most);
    CHECK(most < 120);
}

TEST_CASE("the log-determinant is the log of the Jacobian's determinant", "[planar][fast]") {
    for (std::size_t d : {2, 3}) {
        const auto f = random_flow(d, 6, 20 + d);
        const Mat<double> x = points(8, d, 30 + d);
        planar::Flow<double>::Tape tape;
        f.forward(x, tape);
        const auto logdet = tape.logdet;
        for (std::size_t i = 0; i < x.shape(0); ++i) {
            // Central differences of z with respect to each coordinate of x_i.
            Mat<double> J = Mat<double>::from_shape({d, d});
            for (std::size_t c = 0; c < d; ++c) {
                Mat<double> xp = xt::view(x, xt::range(i, i + 1), xt::all()), xm = xp;
                xp(0, c) += 1e-6;
                xm(0, c) -= 1e-6;
                planar::Flow<double>::Tape tp, tm;
                const Mat<double> zp = f.forward(xp, tp), zm = f.forward(xm, tm);
                for (std::size_t r = 0; r < d; ++r) J(r, c) = (zp(0, r) - zm(0, r)) / 2e-6;
            }
            const double det = d == 2 ? J(0, 0) * J(1, 1) - J(0, 1) * J(1, 0)
                                      : J(0, 0) * (J(1, 1) * J(2, 2) - J(1, 2) * J(2, 1)) -
                                            J(0, 1) * (J(1, 0) * J(2, 2) - J(1, 2) * J(2, 0)) +
                                            J(0, 2) * (J(1, 0) * J(2, 1) - J(1, 1) * J(2, 0));
            INFO("D = " << d << ", point " << i);
            CHECK(det > 0);
            CHECK(logdet[i] == Approx(std::log(det)).margin(1e-7));
        }
    }
}

TEST_CASE("the planar flow's backward pass matches finite differences of its loss", "[planar][gradcheck][fast]") {
    for (std::size_t d : {2, 3}) {
        auto f = random_flow(d, 4, 40 + d);
        Mat<double> x = points(6, d, 50 + d);
        nn::Params<double> ps;
        f.params(ps);
        nn::zero_grad(ps);
        planar::Flow<double>::Tape tape;
        f.loss(x, tape);
        Mat<double> dx;
        f.backward(tape, &dx);
        auto loss = [&] {
            planar::Flow<double>::Tape t;
            return f.loss(x, t);
        };
        for (const auto& p : ps) {
            const std::vector<double> analytic(p.grad, p.grad + p.size());
            test::check_gradient(p.name, p.value, analytic.data(), p.size(), loss);
        }
        test::check_gradient("x", x.data(), dx.data(), x.size(), loss);
    }
}

TEST_CASE("a planar flow's density integrates to 1", "[planar][fast]") {
    // A grid of 0.02 over [-9, 9]^2: the mass outside is below 1e-15 for this flow,
    // whose layers move points by at most |û| each.
    const auto f = random_flow(2, 8, 61, 0.7);
    const double mass = test::grid_mass<double>([&](const Mat<double>& g) { return f.log_prob(g); }, -9, 0.02);
    CHECK(mass == Approx(1.0).margin(2e-3));
}

TEST_CASE("a planar flow trained on a data file beats the Gaussian and samples by its inverse",
          "[planar][train]") {
    // Two moons, 400 training and 100 held-out rows, standardised: N(0, I) alone scores
    // about log(2 pi) + 1 = 2.84 nats per point on them.
    planar::Config cfg = planar::config(model::values("planar", {"--points", "400"}), "two-moons");
    cfg.layers = 16;
    cfg.points = 400;
    cfg.val_points = 100;
    cfg.epochs = 300;
    cfg.batch = 100;
    cfg.lr = 1e-2;
    cfg.data = "two-moons";
    const planar::Model m = planar::train(cfg, false);
    REQUIRE(m.history.size() == 300);
    const double first = m.history.front().val_loss, last = m.history.back().val_loss;
    INFO("validation NLL " << first << " -> " << last);
    CHECK(last < first);
    CHECK(last < 2.84 - 0.3);
    Rng rng(3, "test/planar-sample");
    const planar::Samples s = planar::sample(m.flow, 500, rng);
    planar::Flow<float>::Tape tape;
    const Mat<float> back = m.flow.forward(s.x, tape);
    double worst = 0;
    for (std::size_t i = 0; i < back.size(); ++i)
        worst = std::max(worst, double(std::fabs(back.data()[i] - s.z.data()[i])));
    CHECK(worst < 1e-4);
    // Its density integrates to 1 over a box that holds its mass (grid 0.02 on [-8, 8]^2).
    const double mass = test::grid_mass<float>([&](const Mat<float>& g) { return m.flow.log_prob(g); }, -8, 0.02);
    INFO("mass " << mass);
    CHECK(mass == Approx(1.0).margin(0.02));
}

TEST_CASE("early stopping keeps the epoch with the lowest validation NLL and stops after its patience",
          "[planar][train][early]") {
    planar::Config cfg = planar::config(model::values("planar", {"--points", "300", "--patience", "15"}),
                                        "two-moons:1");
    cfg.layers = 8;
    cfg.epochs = 2000;
    cfg.batch = 100;
    cfg.lr = 0.1;  // large enough that the validation NLL stops improving well before 2000 epochs
    REQUIRE(cfg.patience == 15);
    REQUIRE(cfg.to_json().at("patience") == 15);
    const planar::Model m = planar::train(cfg, false);
    std::vector<double> val;
    for (const auto& e : m.history) val.push_back(e.val_loss);
    const std::size_t kept = train::kept_epoch(val, cfg.patience);
    INFO("epochs run " << val.size() << ", kept " << kept);
    REQUIRE(val.size() < cfg.epochs);
    CHECK(val.size() == kept + cfg.patience);  // stopped exactly `patience` epochs after the best
    // The model has the kept epoch's parameters: its validation NLL is the lowest of the history.
    const data::Dataset& d = data::dataset("two-moons:1");
    Rng unused(0, "test/early");
    const Mat<float> v = data::in_frame(data::validation_points(d, 100, unused), m.scale);
    planar::Flow<float>::Tape tape;
    planar::Model copy = m;
    CHECK(copy.flow.loss(v, tape) == Approx(val[kept - 1]).epsilon(1e-6));
    CHECK(val[kept - 1] < val.back());
    // Without patience every epoch runs and the last is kept; the configuration keeps no key.
    CHECK(train::kept_epoch(val, 0) == val.size());
    planar::Config plain = cfg;
    plain.patience = 0;
    CHECK_FALSE(plain.to_json().contains("patience"));
}

TEST_CASE("BestEpoch copies the parameters only when the validation loss improves", "[train][early][fast]") {
    std::vector<float> w{1.0f, 2.0f}, g(2, 0.0f);
    nn::Params<float> ps{{"w", w.data(), g.data(), {2}}};
    train::BestEpoch best(ps, 2);
    best.offer(1, 5.0);
    w = {3.0f, 4.0f};
    best.offer(2, 4.0);  // the best: (3, 4)
    w = {5.0f, 6.0f};
    best.offer(3, 4.5);
    CHECK_FALSE(best.exhausted());
    w = {7.0f, 8.0f};
    best.offer(4, 4.0);  // a tie is no improvement
    CHECK(best.exhausted());
    best.restore();
    CHECK(w == std::vector<float>{3.0f, 4.0f});
    train::BestEpoch none(ps, 0);
    none.offer(1, 1.0);
    w = {9.0f, 9.0f};
    none.restore();
    CHECK_FALSE(none.exhausted());
    CHECK(w == std::vector<float>{9.0f, 9.0f});
    CHECK(train::kept_epoch({5.0, 4.0, 4.5, 4.0}, 2) == 2);
}
