// Adam and the cosine schedule against values worked out by hand.
#include <cmath>

#include <catch2/catch.hpp>

#include "optim/adam.hpp"

using namespace flow;

TEST_CASE("Adam follows the PyTorch update step by step", "[optim][fast]") {
    // Two scalars: p starts at 1 and sees gradients 0.5, -1, 2; q starts at 3 and sees
    // gradient 0 throughout, so it must not move. lr = 0.1, betas 0.9/0.999, eps 1e-8.
    double p = 1.0, gp = 0.0, q = 3.0, gq = 0.0;
    optim::Adam<double> adam({{"p", &p, &gp, {1}}, {"q", &q, &gq, {1}}});
    // Step 1: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 2.5e-4; m^ = 0.05/0.1 = 0.5,
    //   v^ = 2.5e-4/0.001 = 0.25; p = 1 - 0.1 * 0.5/(0.5 + 1e-8) = 0.900000002.
    // Step 2: m = 0.045 - 0.1 = -0.055, v = 2.4975e-4 + 1e-3 = 1.24975e-3;
    //   m^ = -0.055/0.19 = -0.2894737, v^ = 1.24975e-3/1.999e-3 = 0.6251876 (sqrt 0.7906881);
    //   p = 0.900000002 + 0.1 * 0.2894737/0.7906881 = 0.9366104.
    // Step 3: m = -0.0495 + 0.2 = 0.1505, v = 1.24850025e-3 + 4e-3 = 5.24850025e-3;
    //   m^ = 0.1505/0.271 = 0.5553506, v^ = 5.2485e-3/2.997001e-3 = 1.7512508 (sqrt 1.3233483);
    //   p = 0.9366104 - 0.1 * 0.5553506/1.3233483 = 0.8946448.
    const double grads[] = {0.5, -1.0, 2.0};
    const double expected[] = {0.900000002, 0.9366103542, 0.8946447927};
    for (int s = 0; s < 3; ++s) {
        adam.zero_grad();
        gp += grads[s];
        adam.step(0.1);
        CHECK(p == Approx(expected[s]).epsilon(1e-9));
        CHECK(q == 3.0);
    }
    CHECK(adam.steps() == 3);
}

TEST_CASE("Adam's first step moves every parameter by lr against its gradient's sign",
          "[optim][fast]") {
    // With m^ = g and v^ = g^2 after one step, the update is lr * g/(|g| + eps).
    float a = 0.0f, ga = 1e-3f, b = 0.0f, gb = -50.0f;
    optim::Adam<float> adam({{"a", &a, &ga, {1}}, {"b", &b, &gb, {1}}});
    adam.step(0.01);
    CHECK(a == Approx(-0.01).epsilon(1e-5));
    CHECK(b == Approx(0.01).epsilon(1e-6));
}

TEST_CASE("the gradients' global norm counts every element of every parameter", "[optim][fast]") {
    // 37 and 20 elements (more than the 16 partial sums, with remainders): gradients 1 and
    // 2, so the norm is sqrt(37 + 80) and the clip factor 3 / sqrt(117).
    std::vector<float> va(37, 0.0f), ga(37, 1.0f), vb(20, 0.0f), gb(20, 2.0f);
    optim::AdamSettings s;
    s.clip_norm = 3.0;
    optim::Adam<float> adam({{"a", va.data(), ga.data(), {37}}, {"b", vb.data(), gb.data(), {4, 5}}}, s);
    CHECK(adam.clip_factor() == Approx(3.0 / std::sqrt(117.0)).epsilon(1e-15));
    gb.back() = 0.0f;  // one element less: the last remainder counts
    CHECK(adam.clip_factor() == Approx(3.0 / std::sqrt(113.0)).epsilon(1e-15));
}

TEST_CASE("Adam with clipping scales the gradients to the clip norm first", "[optim][fast]") {
    // Gradients (3, 4) have norm 5; clipped to norm 1 they are (0.6, 0.8). Step 1 with
    // lr = 0.1: m = 0.1 g, v = 0.001 g^2, so m^ = g and v^ = g^2 and each parameter moves by
    // lr g / (|g| + eps) = 0.1 (1 - eps / |g|) against its sign: the same as unclipped.
    // Step 2 with the same raw gradients: still clipped to (0.6, 0.8), the same update again.
    // Step 3 with gradients (0.3, 0.4), norm 0.5 < 1, are not clipped: m = 0.09 g1 + 0.1 g3
    // per coordinate, i.e. for a: m = 0.9(0.9*0.06 + 0.06) + 0.1*0.3 = 0.1326; v = 0.999(0.999*
    // 0.00036 + 0.00036) + 0.001*0.09 = 0.00080892036, so m^ = 0.1326/0.271 = 0.48929889 and
    // v^ = 0.00080892036/0.002997001 = 0.26990994 (sqrt 0.51952857): a moves by 0.1 * 0.9418132.
    double a = 0.0, ga = 0.0, b = 0.0, gb = 0.0;
    optim::AdamSettings s;
    s.clip_norm = 1.0;
    optim::Adam<double> adam({{"a", &a, &ga, {1}}, {"b", &b, &gb, {1}}}, s);
    ga = 3;
    gb = 4;
    CHECK(adam.clip_factor() == Approx(0.2).epsilon(1e-15));
    adam.step(0.1);
    CHECK(a == Approx(-0.1 * (1 - 1e-8 / 0.6)).epsilon(1e-12));
    CHECK(b == Approx(-0.1 * (1 - 1e-8 / 0.8)).epsilon(1e-12));
    adam.step(0.1);
    CHECK(a == Approx(-0.2).epsilon(1e-7));
    ga = 0.3;
    gb = 0.4;
    CHECK(adam.clip_factor() == 1.0);
    adam.step(0.1);
    CHECK(a == Approx(-0.2 - 0.1 * 0.48929889 / 0.51952857).epsilon(1e-7));
    // Unclipped, the same gradients would have moved a differently (m^ over a larger g).
    double c = 0.0, gc = 3.0;
    optim::Adam<double> plain({{"c", &c, &gc, {1}}});
    plain.step(0.1);
    plain.step(0.1);
    gc = 0.3;
    plain.step(0.1);
    CHECK(std::fabs(c - a) > 1e-3);
}

TEST_CASE("cosine schedule anneals from lr0 to lr_min over the run", "[optim][fast]") {
    // lr(s) = lr_min + (lr0 - lr_min)(1 + cos(pi s/T))/2 with T = 4:
    // s = 0: lr0; s = 1: (1 + 1/sqrt 2)/2 = 0.8535534; s = 2: 1/2; s = 3: 0.1464466; s = 4: lr_min.
    optim::CosineSchedule cos{1.0, 4};
    CHECK(cos(0) == Approx(1.0));
    CHECK(cos(1) == Approx(0.8535533906).epsilon(1e-9));
    CHECK(cos(2) == Approx(0.5).epsilon(1e-12));
    CHECK(cos(3) == Approx(0.1464466094).epsilon(1e-9));
    CHECK(cos(4) == Approx(0.0).margin(1e-15));
    optim::CosineSchedule floor{2e-3, 10, 1e-4};
    CHECK(floor(5) == Approx(1e-4 + 1.9e-3 * 0.5).epsilon(1e-12));
    CHECK(floor(10) == Approx(1e-4).epsilon(1e-12));
}
