// fm-q5-reverse's comparison of the two models on the probes (fm_q5.hpp).
#include <algorithm>
#include <cmath>

#include "fm_q5.hpp"
#include "report/latex.hpp"

namespace flow::chapters::fm_q5 {

using report::tex_fixed;

Comparison compare(const std::vector<std::array<double, 2>>& probes, const std::vector<bool>& inside,
                   const nn::Mat<float>& x, const nn::Mat<float>& xn, const nn::Mat<float>& y0,
                   const nn::Mat<double>& y0d, const std::vector<double>& lp_fm, const nn::Mat<float>& x_again,
                   const nf::Model& nfm) {
    // Flow matching: log p1(x) = log p0(y0) - integral of div v along the path; the
    // normalizing flow: log p(x) = log p_z(z) + log|det|.
    nn::Mat<float> z_nf, x_nf_again;
    std::vector<float> logdet;
    nfm.flow.inverse(xn, z_nf, logdet);
    nfm.flow.forward(z_nf, x_nf_again);
    const std::vector<double> lp_nf = nfm.flow.log_prob(xn);
    Comparison c;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const double rt_fm = std::hypot(x_again(i, 0) - x(i, 0), x_again(i, 1) - x(i, 1));
        const double rt_nf = std::hypot(x_nf_again(i, 0) - xn(i, 0), x_nf_again(i, 1) - xn(i, 1));
        const double gap = std::hypot(double(y0(i, 0)) - z_nf(i, 0), double(y0(i, 1)) - z_nf(i, 1));
        const double lp0 = log_standard_normal(y0d(i, 0), y0d(i, 1));
        const double lpz = log_standard_normal(z_nf(i, 0), z_nf(i, 1));
        if (std::fabs(lp_nf[i] - lp_fm[i]) > std::fabs(lp_nf[c.far] - lp_fm[c.far])) c.far = i;
        c.max_rt_fm = std::max(c.max_rt_fm, rt_fm);
        c.max_rt_nf = std::max(c.max_rt_nf, rt_nf);
        c.min_gap = std::min(c.min_gap, gap);
        c.max_gap = std::max(c.max_gap, gap);
        c.pts.push_back({{"logo", probes[i]}, {"inside", bool(inside[i])},
                         {"fm_y0", {y0(i, 0), y0(i, 1)}}, {"nf_z", {z_nf(i, 0), z_nf(i, 1)}},
                         {"latent_distance", gap}, {"fm_round_trip", rt_fm}, {"nf_round_trip", rt_nf},
                         {"fm_log_p", lp_fm[i]}, {"fm_log_p0", lp0}, {"fm_divergence_term", lp_fm[i] - lp0},
                         {"nf_log_p", lp_nf[i]}, {"nf_log_pz", lpz}, {"nf_logdet", double(logdet[i])}});
        c.rows += fmt::format("P{} & {} & $({}, {})$ & $({}, {})$ & {} & {} & {}\\\\\n", i + 1,
                              inside[i] ? "in" : "out", tex_fixed(y0(i, 0), 2), tex_fixed(y0(i, 1), 2),
                              report::tex_num(z_nf(i, 0), 3), report::tex_num(z_nf(i, 1), 3),
                              report::tex_num(gap, 3), report::tex_num(rt_fm, 2), report::tex_num(rt_nf, 2));
        c.lrows += fmt::format("P{} & {} & {} & {} & {} & {} & {}\\\\\n", i + 1, tex_fixed(lp0, 2),
                               tex_fixed(lp_fm[i] - lp0, 2), tex_fixed(lp_fm[i], 2), report::tex_num(lpz, 3),
                               report::tex_num(logdet[i], 3), report::tex_num(lp_nf[i], 3));
    }
    return c;
}

}  // namespace flow::chapters::fm_q5
