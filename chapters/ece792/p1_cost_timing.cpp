// p1-cost's timings: the triangular map of a layer's kept half against a dense one, as
// the half's size grows (p1_cost.hpp).
#include <chrono>

#include "core/linalg.hpp"
#include "p1_cost.hpp"
#include "report/latex.hpp"

namespace flow::chapters::ece792 {

namespace {

using report::tex_fixed;
using Clock = std::chrono::steady_clock;

// The fastest of kRepeats runs of work(), in seconds.
template <class Work>
double fastest(Work work) {
    double best = INFINITY;
    for (int r = 0; r < kRepeats; ++r) {
        const auto t0 = Clock::now();
        work();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best;
}



Timing time_maps(Context& ctx, std::size_t d) {
    Rng rng = ctx.rng("p1/cost-" + std::to_string(d));
    Mat<double> lower = xt::zeros<double>({d, d}), dense = Mat<double>::from_shape({d, d});
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            dense(i, j) = rng.normal() / std::sqrt(double(d)) + (i == j ? 1.0 : 0.0);
            if (j < i) lower(i, j) = rng.normal() / std::sqrt(double(d));
        }
    for (std::size_t i = 0; i < d; ++i) lower(i, i) = std::exp(0.1 * rng.normal());
    Mat<double> x = Mat<double>::from_shape({kBatch, d}), z = Mat<double>::from_shape({kBatch, d});
    for (auto& v : x) v = rng.normal();
    double sink = 0;
    // Density evaluation of a batch: log |det A| and z = A x for every point.
    const auto product = [&](const Mat<double>& a, bool triangular) {
        for (std::size_t n = 0; n < kBatch; ++n)
            for (std::size_t i = 0; i < d; ++i) {
                const double* ai = &a(i, 0);
                const double* xn = &x(n, 0);
                double v = 0;
                const std::size_t end = triangular ? i + 1 : d;
                for (std::size_t j = 0; j < end; ++j) v += ai[j] * xn[j];
                z(n, i) = v;
            }
    };
    Timing t{d, 0, 0, 0, 0};
    t.tri_density = fastest([&] {
        double ld = 0;
        for (std::size_t i = 0; i < d; ++i) ld += std::log(lower(i, i));
        product(lower, true);
        sink += ld + z(0, 0);
    });
    t.dense_density = fastest([&] {
        const double ld = linalg::log_abs_det(dense);
        product(dense, false);
        sink += ld + z(0, 0);
    });
    // Synthesis of a batch: x = A^{-1} z for every point.
    t.tri_synthesis = fastest([&] {
        Mat<double> y = z;
        linalg::lower_solve(lower, y);
        sink += y(0, 0);
    });
    t.dense_synthesis = fastest([&] {
        const auto f = linalg::lu_factor(dense);
        Mat<double> y = z;
        linalg::lu_solve(f, y);
        sink += y(0, 0);
    });
    ctx.stats["timings"]["sink"] = std::isfinite(sink);
    return t;
}

}  // namespace

Costs costs(Context& ctx) {
    std::string rows;
    std::vector<Timing> ts;
    for (std::size_t dd : {8, 32, 128, 512}) {
        const Timing t = time_maps(ctx, dd);
        ts.push_back(t);
        ctx.stats["timings"][std::to_string(dd)] = {{"triangular_density_seconds", t.tri_density},
                                                    {"triangular_synthesis_seconds", t.tri_synthesis},
                                                    {"dense_density_seconds", t.dense_density},
                                                    {"dense_synthesis_seconds", t.dense_synthesis}};
        rows += fmt::format("    {} & {} & {} & {} & {} & {} \\\\\n", dd, tex_fixed(t.tri_density * 1e6, 1),
                            tex_fixed(t.dense_density * 1e6, 1), tex_fixed(t.tri_synthesis * 1e6, 1),
                            tex_fixed(t.dense_synthesis * 1e6, 1),
                            tex_fixed(t.dense_synthesis / t.tri_synthesis, 1));
    }
    const auto slope = [&](double Timing::*f) {
        const auto& a = ts[ts.size() - 2];
        const auto& b = ts.back();
        return std::log(b.*f / a.*f) / std::log(double(b.d) / double(a.d));
    };
    const double s_tri = slope(&Timing::tri_synthesis), s_dense = slope(&Timing::dense_synthesis);
    ctx.stats["timings"]["slope_seconds"] = {{"triangular", s_tri}, {"dense", s_dense}};

    return {rows, ts, s_tri, s_dense};
}

}  // namespace flow::chapters::ece792
