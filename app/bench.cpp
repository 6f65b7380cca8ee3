// flowreport bench: the speed figures, measured on one core (BLAS single-threaded).
//
// Measured: generating the data sets; one training epoch (250,000 points, batch 128) of
// the normalizing flow, for the exercise's recipe (15 couplings, networks of 5 layers
// of 8 units) and the default (30 couplings of 5x16); one training epoch of flow
// matching, for the exercise's recipe (5 layers of 64) and for --hidden/--depth,
// unconditional and conditional, and 1000 samples integrated with dt = 1/1000.
#include <chrono>
#include <iostream>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "config/options.hpp"
#include "core/rng.hpp"
#include "data/batches.hpp"
#include "data/olympic.hpp"
#include "fm/train.hpp"
#include "model/registry.hpp"
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
    // The flow-matching kind's flags, with its defaults (the field measured beside the recipe's).
    const config::Values fm_defaults = model::values("fm");
    const auto fm_flag = [&](const std::string& name, const std::string& help) {
        return config::FlagSpec{name, config::Kind::Count, fm_defaults.text(name), help};
    };
    std::vector<config::FlagSpec> specs{
        {"seed", config::Kind::Seed, "0", "seed of the benchmark's random streams"},
        fm_flag("points", "number of training points"),
        fm_flag("batch", "mini-batch size"),
        fm_flag("hidden", "units per hidden layer of the flow-matching field"),
        fm_flag("depth", "linear layers of the flow-matching field"),
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
        const nf::Config c = nf::config(
            model::values("nf", {"--couplings", std::to_string(couplings), "--hidden", std::to_string(hidden),
                                 "--depth", "5", "--points", v.text("points"), "--batch", v.text("batch"),
                                 "--epochs", "1", "--seed", v.text("seed")}),
            "rings");
        const auto m = nf::train(c, false);
        std::cout << fmt::format("nf ({}): {} couplings, 5x{} networks, training epoch, {} points, batch {}   {:8.3f} s\n",
                                 what, couplings, hidden, n, batch, m.history[0].seconds);
        Rng zr(v.seed(), "bench/nf-z");
        t0 = std::chrono::steady_clock::now();
        nf::sample(m.flow, 1000, zr);
        std::cout << fmt::format("nf ({}): {} couplings, 5x{} networks, 1000 samples   {:8.3f} s\n", what, couplings,
                                 hidden, seconds_since(t0));
    }

    // Flow matching: one training epoch of the exercise's recipe (5 layers of 64) and of
    // the --hidden/--depth given, unconditional and conditional, and sampling 1000 points
    // with dt = 1/1000 (Euler: 1000 field evaluations of the batch).
    // (The unconditional field of --hidden/--depth is measured only when it is not the recipe's.)
    // Training draws t ~ U[0, 1], as the PyTorch reference does.
    std::vector<std::tuple<bool, std::size_t, std::size_t>> fields{{false, 64, 5}};
    const std::size_t h = std::size_t(v.count("hidden")), d = std::size_t(v.count("depth"));
    if (h != 64 || d != 5) fields.push_back({false, h, d});
    fields.push_back({true, h, d});
    for (const auto& [conditional, hidden, depth] : fields) {
        const std::string kind = conditional ? "cfm" : "fm";
        const fm::Config c = fm::config(
            model::values(kind, {"--hidden", std::to_string(hidden), "--depth", std::to_string(depth), "--points",
                                 v.text("points"), "--batch", v.text("batch"), "--epochs", "1", "--seed",
                                 v.text("seed"), "--time-sampling", "uniform"}),
            conditional ? "rings-by-class" : "rings", conditional);
        auto m = fm::train(c, false);
        std::cout << fmt::format("{}: {} layers of {}, training epoch, {} points, batch {}   {:8.3f} s\n",
                                 kind, depth, hidden, n, batch, m.history[0].seconds);
        Rng zr(v.seed(), "bench/z");
        const nn::Mat<float> z = nn::normal_draws(zr, 1000);
        fm::Labels labels = xt::zeros<int>({std::size_t(1000)});
        for (std::size_t i = 0; i < 1000; ++i) labels(i) = int(i % 5);
        for (const auto solver : {fm::Solver::Euler, fm::Solver::RK4}) {
            t0 = std::chrono::steady_clock::now();
            fm::forward_flow(m.field, z, {1e-3, solver}, c.shape.classes ? &labels : nullptr);
            std::cout << fmt::format("{}: {} layers of {}, 1000 samples, dt 1/1000, {:<8}          {:8.3f} s\n",
                                     kind, depth, hidden, fm::solver_name(solver), seconds_since(t0));
        }
    }
    return 0;
}

}  // namespace flow
