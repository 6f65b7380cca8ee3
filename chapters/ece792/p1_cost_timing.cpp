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
    Mat<double> z = Mat<double>::from_shape({kBatch, d});
    double sink = 0;
    Timing t{d, 0, 0, 0, 0};
    // What training needs every step: log |det A| and its gradient with respect to A.
    // Triangular: sum log A_ii, and 1 / A_ii on the diagonal. Dense: an LU factorisation,
    // and the gradient A^-T from it (d solves).
    t.tri_step = fastest([&] {
        double ld = 0;
        std::vector<double> g(d);
        for (std::size_t i = 0; i < d; ++i) {
            ld += std::log(lower(i, i));
            g[i] = 1.0 / lower(i, i);
        }
        sink += ld + g[0];
    });
    Mat<double> eye = xt::zeros<double>({d, d});
    for (std::size_t i = 0; i < d; ++i) eye(i, i) = 1;
    t.dense_step = fastest([&] {
        const auto f = linalg::lu_factor(dense);
        Mat<double> inv_t = eye;  // row i solves A y = e_i: the rows of A^-T
        linalg::lu_solve(f, inv_t);
        sink += linalg::log_abs_det(f) + inv_t(0, 0);
    });
    // Synthesis of a batch, x_a = A^-1 z_a, with a dense A's LU paid once beforehand.
    for (auto& v : z) v = rng.normal();
    t.tri_synthesis = fastest([&] {
        Mat<double> y = z;
        linalg::lower_solve(lower, y);
        sink += y(0, 0);
    });
    const auto lu = linalg::lu_factor(dense);
    t.dense_synthesis = fastest([&] {
        Mat<double> y = z;
        linalg::lu_solve(lu, y);
        sink += y(0, 0);
    });
    ctx.stats["timings"]["sink"] = std::isfinite(sink);
    return t;
}

}  // namespace

Costs costs(Context& ctx) {
    std::string rows;
    std::vector<Timing> ts;
    for (std::size_t dd : {8, 64, 512}) {
        const Timing t = time_maps(ctx, dd);
        ts.push_back(t);
        ctx.stats["timings"][std::to_string(dd)] = {{"triangular_step_seconds", t.tri_step},
                                                    {"dense_step_seconds", t.dense_step},
                                                    {"triangular_synthesis_seconds", t.tri_synthesis},
                                                    {"dense_synthesis_seconds", t.dense_synthesis}};
        rows += fmt::format("    {} & {} & {} & {} & {} \\\\\n", dd, tex_fixed(t.tri_step * 1e6, 2),
                            tex_fixed(t.dense_step * 1e6, 1), tex_fixed(t.tri_synthesis * 1e6, 1),
                            tex_fixed(t.dense_synthesis * 1e6, 1));
    }
    const auto slope = [&](double Timing::*f) {
        const auto& a = ts[ts.size() - 2];
        const auto& b = ts.back();
        return std::log(b.*f / a.*f) / std::log(double(b.d) / double(a.d));
    };
    ctx.stats["timings"]["slope_seconds"] = {{"dense_step", slope(&Timing::dense_step)},
                                             {"dense_synthesis", slope(&Timing::dense_synthesis)}};

    return {rows, ts};
}

}  // namespace flow::chapters::ece792
