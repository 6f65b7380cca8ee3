// fm-q5-reverse's comparison of the two models on the probes, and the Euler round trip
// at several steps (fm_q5.hpp).
#include <algorithm>
#include <cmath>

#include "fm_q5.hpp"
#include "report/latex.hpp"

namespace flow::chapters::fm_q5 {

using report::tex_fixed;

namespace {
double distance(const nn::Mat<float>& a, const nn::Mat<float>& b, std::size_t i) {
    return std::hypot(double(a(i, 0)) - b(i, 0), double(a(i, 1)) - b(i, 1));
}
}  // namespace

Comparison compare(const std::vector<std::array<double, 2>>& probes, const std::vector<bool>& inside,
                   const nn::Mat<float>& x, const nn::Mat<float>& xn, const nn::Mat<float>& y0,
                   const nn::Mat<float>& x_again, const nf::Model& nfm) {
    // The flow's inversion (closed form per coupling), and its re-entry.
    nn::Mat<float> z_nf, x_nf_again;
    std::vector<float> logdet;
    nfm.flow.inverse(xn, z_nf, logdet);
    nfm.flow.forward(z_nf, x_nf_again);
    Comparison c;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const double rt_fm = distance(x_again, x, i), rt_nf = distance(x_nf_again, xn, i);
        const double gap = distance(y0, z_nf, i);
        const double norm_nf = std::hypot(double(z_nf(i, 0)), double(z_nf(i, 1)));
        if (norm_nf > c.far_nf) {
            c.far = i;
            c.far_nf = norm_nf;
            c.far_fm = std::hypot(double(y0(i, 0)), double(y0(i, 1)));
        }
        c.max_rt_fm = std::max(c.max_rt_fm, rt_fm);
        c.max_rt_nf = std::max(c.max_rt_nf, rt_nf);
        c.min_gap = std::min(c.min_gap, gap);
        c.max_gap = std::max(c.max_gap, gap);
        c.pts.push_back({{"logo", probes[i]}, {"inside", bool(inside[i])}, {"fm_y0", {y0(i, 0), y0(i, 1)}},
                         {"nf_z", {z_nf(i, 0), z_nf(i, 1)}}, {"latent_distance", gap}, {"fm_round_trip", rt_fm},
                         {"nf_round_trip", rt_nf}});
        // Both norms and their gap to three significant figures.
        c.rows += fmt::format("    P{} & {} & {} & {} & {} & {}\\\\\n", i + 1, inside[i] ? "in" : "out",
                              report::tex_num(std::hypot(double(y0(i, 0)), double(y0(i, 1))), 3),
                              report::tex_num(norm_nf, 3), report::tex_num(gap, 3), report::tex_num(rt_fm, 2));
    }
    return c;
}

RoundTrips round_trips(fm::Model& m, const nn::Mat<float>& x, double dt) {
    // Steps 4 dt, 2 dt and dt: halving the step should halve a first-order error.
    RoundTrips r;
    for (double h : {4 * dt, 2 * dt, dt}) {
        const fm::Integration how{h, fm::Solver::Euler};
        const nn::Mat<float> back = fm::forward_flow(m.field, fm::reverse_flow(m.field, x, how), how);
        double mean = 0, max = 0;
        for (std::size_t i = 0; i < x.shape(0); ++i) {
            mean += distance(back, x, i) / double(x.shape(0));
            max = std::max(max, distance(back, x, i));
        }
        r.dt.push_back(h);
        r.mean.push_back(mean);
        r.max.push_back(max);
    }
    return r;
}

}  // namespace flow::chapters::fm_q5
