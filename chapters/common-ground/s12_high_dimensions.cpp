// Slide 12: the log-determinant's cost as D grows, timed from D = 2 to 784 with networks
// of one size (two hidden layers of 64 tanh or LeakyReLU units, double precision, 32
// points a batch): an affine coupling (one network pass on half the coordinates; the
// log-determinant is a sum of D/2 scales), a CNF field with the exact trace (D tangent
// passes, cnf::Field::eval_batch) and with Hutchinson's estimate (one tangent pass along
// a Rademacher probe, eval_batch_probe), whose spread across probes is measured too.
// And the source's log-determinant of x + tanh(Wx + b): as written its batch of 1000 rows
// does not broadcast against W (100 x 100); read per point it is not
// log|det(I + diag(s) W)|, which is measured at D = 100 (seed_error).
#include <chrono>
#include <cmath>

#include <xtensor/xexception.hpp>

#include "cnf/field.hpp"
#include "common.hpp"
#include "core/linalg.hpp"

namespace flow::chapters::deck::s12 {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatch = 32, kHidden = 64;
volatile double timed_result = 0;

template <class Work>
double fastest_per_point(Work work) {
    double best = INFINITY;
    for (int r = 0; r < 3; ++r) {
        const auto t0 = Clock::now();
        work();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best / double(kBatch);
}

struct Timing {
    std::size_t d;
    double coupling, exact, probe, trace, probe_sd;
};

Timing time_at(std::size_t D, Rng& rng) {
    Timing t{D, 0, 0, 0, 0, 0};
    const std::size_t half = D / 2;
    nn::MLP<double> net(std::max<std::size_t>(half, 1), kHidden, 2 * (D - half), 3, rng);
    Mat<double> xa = Mat<double>::from_shape({kBatch, std::max<std::size_t>(half, 1)});
    for (auto& v : xa) v = rng.normal();
    nn::MLP<double>::Tape tape;
    double sink = 0;
    t.coupling = fastest_per_point([&] {
        const Mat<double>& st = net.forward(xa, tape);
        for (std::size_t i = 0; i < kBatch; ++i)
            for (std::size_t j = 0; j < D - half; ++j) sink += std::tanh(st(i, j));  // log-det: the scales' sum
    });
    const cnf::Field<double> field(D, kHidden, 3, rng);
    std::vector<double> z(D * kBatch), eps(D * kBatch);
    for (auto& v : z) v = rng.normal();
    for (auto& v : eps) v = rng.uniform() < 0.5 ? -1.0 : 1.0;
    cnf::Field<double>::Batch p;
    t.exact = fastest_per_point([&] { field.eval_batch(z.data(), kBatch, 0.5, p); });
    t.trace = p.trace[0];
    t.probe = fastest_per_point([&] { field.eval_batch_probe(z.data(), kBatch, 0.5, eps.data(), p); });
    // The spread of the estimate at the first point over 400 probes.
    const std::size_t M = 400;
    std::vector<double> zz(D * M), ee(D * M);
    for (std::size_t i = 0; i < D; ++i)
        for (std::size_t n = 0; n < M; ++n) {
            zz[i * M + n] = z[i * kBatch];
            ee[i * M + n] = rng.uniform() < 0.5 ? -1.0 : 1.0;
        }
    field.eval_batch_probe(zz.data(), M, 0.5, ee.data(), p);
    double mean = 0, var = 0;
    for (double v : p.trace) mean += v / double(M);
    for (double v : p.trace) var += (v - mean) * (v - mean) / double(M - 1);
    t.probe_sd = std::sqrt(var);
    timed_result = sink;  // the coupling's sums are used, so the timed loop is kept
    return t;
}

// The source's log-determinant of x + tanh(Wx + b), read for one point (the only batch
// its broadcast accepts when the batch is not the width): after x is updated,
// s = 1 - tanh^2(W x_new + b) and it sums log|1 + sum_j W_ij s_j| over i. The exact one
// is log|det(I + diag(1 - tanh^2(W x + b)) W)| at the point before the update. D = 100, W
// and b as PyTorch initialises nn.Linear; the mean |difference| over points.
double seed_error(Rng& rng, std::size_t points) {
    const std::size_t D = 100;
    double err = 0;
    for (std::size_t n = 0; n < points; ++n) {
        Mat<double> W = Mat<double>::from_shape({D, D}), J = Mat<double>::from_shape({D, D});
        std::vector<double> b(D), x(D), s(D), next(D), s_next(D);
        for (auto& w : W) w = rng.uniform(-0.1, 0.1);
        for (auto& v : b) v = rng.uniform(-0.1, 0.1);
        for (auto& v : x) v = rng.normal();
        const auto pre = [&](const std::vector<double>& at, std::size_t i) {
            double a = b[i];
            for (std::size_t j = 0; j < D; ++j) a += W(i, j) * at[j];
            return a;
        };
        for (std::size_t i = 0; i < D; ++i) {
            const double t = std::tanh(pre(x, i));
            s[i] = 1 - t * t;
            next[i] = x[i] + t;
        }
        for (std::size_t i = 0; i < D; ++i) s_next[i] = 1 - std::pow(std::tanh(pre(next, i)), 2);
        double seed = 0;
        for (std::size_t i = 0; i < D; ++i) {
            double row = 0;
            for (std::size_t j = 0; j < D; ++j) row += W(i, j) * s_next[j];
            seed += std::log(std::fabs(1 + row));
        }
        for (std::size_t i = 0; i < D; ++i)
            for (std::size_t j = 0; j < D; ++j) J(i, j) = (i == j) + s[i] * W(i, j);
        err += std::fabs(seed - linalg::log_abs_det(J)) / double(points);
    }
    return err;
}

bool seed_batch_broadcasts() {
    const xt::xtensor<double, 2> W = xt::zeros<double>({100, 100}), s = xt::zeros<double>({1000, 100});
    try {
        const xt::xtensor<double, 2> prod = W * s;
        return prod.size() > 0;
    } catch (const xt::broadcast_error&) {
        return false;
    }
}

void run(Context& ctx) {
    Rng rng = ctx.rng("timing");
    std::vector<Timing> ts;
    std::vector<std::array<double, 2>> coupling, exact, probe;
    for (std::size_t D : {2, 8, 32, 128, 392, 784}) {
        const Timing t = time_at(D, rng);
        ts.push_back(t);
        ctx.stats["timings"][std::to_string(D)] = {{"coupling_seconds", t.coupling}, {"exact_trace_seconds", t.exact},
                                                   {"hutchinson_seconds", t.probe}, {"trace", t.trace},
                                                   {"hutchinson_sd", t.probe_sd}};
        coupling.push_back({double(D), 1e3 * t.coupling});
        exact.push_back({double(D), 1e3 * t.exact});
        probe.push_back({double(D), 1e3 * t.probe});
    }
    const Timing& top = ts.back();
    const double slope = std::log(top.exact / ts[ts.size() - 2].exact) / std::log(784.0 / 392.0);
    ctx.stats["timings"]["exact_slope_seconds"] = slope;
    Rng seed_rng = ctx.rng("seed-snippet");
    const double err = seed_error(seed_rng, 20);
    const bool broadcasts = seed_batch_broadcasts();
    ctx.stats["seed_error_nats"] = err;
    ctx.stats["seed_batch_broadcasts"] = broadcasts;
    const bool ordered = top.exact > 20 * top.probe && top.exact > 20 * top.coupling;
    ctx.verdict("exact-costs-most", "at D = 784 the exact trace takes more than 20 times Hutchinson's and the coupling's time",
                {{"exact", top.exact}, {"hutchinson", top.probe}, {"coupling", top.coupling}}, ordered);

    const std::string axis = chart_axis(
        "xmode=log, ymode=log, log basis x=2, xlabel={dimension $D$}, ylabel={ms per point}, xmin=1.6, xmax=1000, "
        "xtick={2,8,32,128,784}, xticklabels={2,8,32,128,784}, legend pos=outer north east", 6.0, 3.3,
        {{"red!80!black, very thick, mark=*", "CNF, exact trace ($D$ passes)", exact},
         {"orange!90!black, very thick, mark=square*", "CNF, Hutchinson (1 pass)", probe},
         {"blue!70!black, very thick, mark=triangle*", "affine coupling (1 pass)", coupling}});
    ctx.figure("cost", picture(axis), {});
    ctx.text = ctx.slide(
        "A CNF's exact trace costs $D$ passes; a coupling's log-det, one.",
        "\\includegraphics{" + ctx.figure_pdf("cost") + "}",
        {fmt::format("At $D=784$ a probe costs {}$\\times$ less; its sd {}, the trace {}.",
                     tex_fixed(top.exact / top.probe, 0), tex_fixed(top.probe_sd, 2), tex_fixed(top.trace, 2)),
         fmt::format("Source's log-det {}; per point, {} nats off.", broadcasts ? "runs" : "raises a broadcast error",
                     tex_fixed(err, 1))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s12-high-dimensions", nullptr, run)
}  // namespace flow::chapters::deck::s12
