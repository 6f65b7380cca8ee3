// Hutchinson's trace estimator on the CNF field (cnf::Field::eval_batch_probe) in five
// dimensions: a probe along e_i reads the Jacobian's diagonal entry J_ii, so the probes
// e_1..e_D sum to the exact trace; a probe e_i + e_j reads J_ii + J_jj + J_ij + J_ji, which
// gives every off-diagonal pair; and over 20,000 Rademacher probes at one point the
// estimates average to the exact trace within four standard errors, with the variance
// sum_{i<j} (J_ij + J_ji)^2 that theory gives.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "cnf/field.hpp"
#include "core/rng.hpp"

using namespace flow;

namespace {

constexpr std::size_t D = 5;

// The estimate eps^T J eps at z (D entries) for each of the probes (D x M, feature-major),
// the point repeated M times; and the field's output at z (from the same batch).
std::vector<double> estimates(const cnf::Field<double>& f, const std::vector<double>& z,
                              const std::vector<double>& probes, std::size_t M) {
    std::vector<double> zb(D * M);
    for (std::size_t i = 0; i < D; ++i)
        for (std::size_t n = 0; n < M; ++n) zb[i * M + n] = z[i];
    cnf::Field<double>::Batch p;
    f.eval_batch_probe(zb.data(), M, 0.3, probes.data(), p);
    return p.trace;
}

}  // namespace

TEST_CASE("Hutchinson's estimate along e_i reads J_ii, and its mean over probes is the trace", "[cnf][fast]") {
    Rng rng(4, "test/hutchinson");
    const cnf::Field<double> f(D, 16, 3, rng);
    std::vector<double> z(D);
    for (auto& v : z) v = rng.normal();
    cnf::Field<double>::Batch exact;
    f.eval_batch(z.data(), 1, 0.3, exact);
    const double trace = exact.trace[0];

    // Unit probes e_i and pair probes e_i + e_j, one per column of a batch.
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (std::size_t i = 0; i < D; ++i) pairs.push_back({i, i});
    for (std::size_t i = 0; i < D; ++i)
        for (std::size_t j = i + 1; j < D; ++j) pairs.push_back({i, j});
    const std::size_t P = pairs.size();
    std::vector<double> probes(D * P, 0.0);
    for (std::size_t c = 0; c < P; ++c) {
        probes[pairs[c].first * P + c] = 1.0;
        probes[pairs[c].second * P + c] = 1.0;  // the same entry for a unit probe
    }
    const std::vector<double> read = estimates(f, z, probes, P);
    double diagonal = 0, variance = 0;
    for (std::size_t c = 0; c < D; ++c) diagonal += read[c];
    for (std::size_t c = D; c < P; ++c) {
        const double symmetric = read[c] - read[pairs[c].first] - read[pairs[c].second];  // J_ij + J_ji
        variance += symmetric * symmetric;
    }
    CHECK(diagonal == Approx(trace).margin(1e-12));
    REQUIRE(variance > 1e-6);  // a field whose estimates vary, so the test below can fail

    // Rademacher probes: unbiased, with the variance above.
    const std::size_t M = 20000;
    std::vector<double> rademacher(D * M);
    for (auto& v : rademacher) v = rng.uniform(0, 1) < 0.5 ? -1.0 : 1.0;
    const std::vector<double> est = estimates(f, z, rademacher, M);
    double mean = 0, second = 0;
    for (const double e : est) mean += e / double(M);
    for (const double e : est) second += (e - mean) * (e - mean) / double(M - 1);
    INFO("trace " << trace << ", mean " << mean << ", variance " << second << " against " << variance);
    CHECK(std::fabs(mean - trace) < 4 * std::sqrt(variance / double(M)));
    CHECK(second == Approx(variance).epsilon(0.05));
}

TEST_CASE("A batch holding a probe's estimate is refused by the backward pass", "[cnf][fast]") {
    Rng rng(5, "test/hutchinson-backward");
    cnf::Field<double> f(2, 8, 3, rng);
    const std::vector<double> z{0.1, -0.4}, eps{1.0, -1.0}, g{1.0, 1.0};
    cnf::Field<double>::Batch p;
    f.eval_batch_probe(z.data(), 1, 0.5, eps.data(), p);
    double gz[2] = {0, 0}, gtr = 1;
    CHECK_THROWS_AS(f.backward_batch(p, g.data(), &gtr, gz), std::logic_error);
    // An exact batch afterwards is served again.
    f.eval_batch(z.data(), 1, 0.5, p);
    CHECK_NOTHROW(f.backward_batch(p, g.data(), &gtr, gz));
}
