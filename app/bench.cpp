// flowreport bench: the speed figures, measured on one core (BLAS single-threaded).
//
// What exists so far: generating the data sets; one training epoch of the normalizing
// flow, for the exercise's recipe (15 couplings, networks of 5 layers of 8 units) and the
// default (30 couplings of 5x16), batch 128, 250,000 points; one epoch of the exercise's flow-matching network shape (an MLP
// 3 -> 64 x 4 hidden -> 2: forward, backward and Adam step per batch of 128).
#include <chrono>
#include <iostream>
#include <tuple>

#include <fmt/format.h>

#include "config/options.hpp"
#include "core/rng.hpp"
#include "data/batches.hpp"
#include "data/olympic.hpp"
#include "nf/train.hpp"
#include "nn/layers.hpp"
#include "optim/adam.hpp"

namespace flow {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int bench(const std::vector<std::string>& args) {
    std::vector<config::FlagSpec> specs{
        {"seed", config::Kind::Seed, "0", "seed of the benchmark's random streams"},
        config::points_flag(),
        {"batch", config::Kind::Count, "128", "mini-batch size"},
        {"hidden", config::Kind::Count, "64", "units per hidden layer of the MLP"},
        {"depth", config::Kind::Count, "5", "linear layers of the MLP"},
    };
    const auto parsed = config::parse("bench", specs, args);
    if (parsed.help) {
        std::cout << config::help_text("flowreport bench [flags]", specs);
        return 0;
    }
    const auto& v = parsed.values;
    const std::size_t n = std::size_t(v.count("points"));
    const std::size_t batch = std::size_t(v.count("batch"));

    auto t0 = std::chrono::steady_clock::now();
    Rng data_rng(v.seed(), "bench/data");
    const auto uncond = data::unconditional_rings(n, data_rng);
    const double t_uncond = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const auto cond = data::conditional_rings(n, data_rng);
    const double t_cond = seconds_since(t0);
    std::cout << fmt::format("data: unconditional set of {} points   {:8.3f} s\n", n, t_uncond);
    std::cout << fmt::format("data: conditional set of {} points     {:8.3f} s\n", n, t_cond);

    // One epoch of the exercise's recipe and one of the default architecture.
    for (const auto& [couplings, hidden, what] :
         {std::tuple{15, 8, "exercise's recipe"}, std::tuple{30, 16, "default"}}) {
        nf::Config c;
        c.arch.couplings = std::size_t(couplings);
        c.arch.hidden = std::size_t(hidden);
        c.points = n;
        c.batch = batch;
        c.epochs = 1;
        c.seed = v.seed();
        const auto m = nf::train(c, false);
        std::cout << fmt::format("nf ({}): {} couplings, 5x{} networks, training epoch, {} points, batch {}   {:8.3f} s\n",
                                 what, couplings, hidden, n, batch, m.history[0].seconds);
    }

    // One epoch of an MLP on (x, t) -> 2 with a squared loss against (x - noise).
    Rng init(v.seed(), "bench/init"), noise(v.seed(), "bench/noise"), order(v.seed(), "bench/order");
    nn::MLP<float> mlp(3, std::size_t(v.count("hidden")), 2, std::size_t(v.count("depth")), init);
    nn::Params<float> ps;
    mlp.params(ps, "mlp");
    optim::Adam<float> adam(ps);
    data::Batches batches(n, batch);
    batches.shuffle(order);
    nn::Mat<float> xb, in, dy;
    t0 = std::chrono::steady_clock::now();
    double loss = 0.0;
    for (std::size_t b = 0; b < batches.count(); ++b) {
        batches.gather(b, uncond.x, xb);
        const std::size_t B = xb.shape(0);
        nn::ensure_shape(in, B, 3);
        nn::ensure_shape(dy, B, 2);
        std::vector<float> eps(2 * B);
        for (std::size_t i = 0; i < B; ++i) {
            const float t = float(noise.uniform());
            for (int c = 0; c < 2; ++c) {
                eps[2 * i + c] = float(noise.normal());
                in(i, c) = t * xb(i, c) + (1 - t) * eps[2 * i + c];
            }
            in(i, 2) = t;
        }
        adam.zero_grad();
        const auto& out = mlp.forward(in);
        loss = 0.0;
        for (std::size_t i = 0; i < B; ++i)
            for (int c = 0; c < 2; ++c) {
                const float r = out(i, c) - (xb(i, c) - eps[2 * i + c]);
                loss += r * r;
                dy(i, c) = 2.0f * r / float(B);
            }
        mlp.backward(dy);
        adam.step(1e-3);
    }
    const double t_epoch = seconds_since(t0);
    std::cout << fmt::format("mlp: 3-{}x{}-2 training epoch, {} points, batch {}   {:8.3f} s (last loss {:.3f})\n",
                             v.text("hidden"), v.count("depth") - 1, n, batch, t_epoch, loss / double(xb.shape(0)));
    return 0;
}

}  // namespace flow
