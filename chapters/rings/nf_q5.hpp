#pragma once
// What nf-q5-likelihood's two files share (nf_q5_likelihood.cpp, nf_q5_terms.cpp).
#include <string>
#include <vector>

#include "nf_common.hpp"

namespace flow::chapters::nf_q5 {

// An outside point can invert far into the prior's tail: huge values in powers of ten.
std::string num(double v);

// The inverse trajectories, coloured by flow time (x at t = 1, z at t = 0), in a window
// that also holds the bulk of the prior. A path that leaves it (an outside point can
// invert far into the prior's tail) is cut at the window's edge; the table gives its |z|.
struct Inversion {
    nn::Mat<float> z;
    std::vector<float> logdet;
    std::vector<std::size_t> cut;           // the paths that leave the window
    std::vector<std::vector<double>> norm;  // each path's distance from the origin, step by step
};

// The terms of the probes' log p, and why an outside point can land absurdly far in the
// prior: each inverse coupling is z_r = (y_r - b(y_l)) exp(-log s(y_l)) with |log s| < c,
// and b a LeakyReLU network, piecewise linear in y_l; outside the data nothing holds
// either back, so the distance can grow by a factor of up to about e^c per layer, while
// the log-determinant stays within c L in absolute value.
struct Terms {
    std::vector<double> lp, lpz, ld, rz;
};

// Whether every inside probe is more likely than every outside one, in words (a verdict).
std::string groups_verdict(Context& ctx, const std::vector<double>& lp, const std::vector<bool>& inside);
// The sentences on the probes' two terms, and why an outside probe lands where it does.
std::string terms_text(Context& ctx, const nf::Model& m, const Terms& t, const std::vector<bool>& inside,
                       const Inversion& inv);
// Which inverse paths leave the figure's window, in words (a verdict).
std::string cut_text(Context& ctx, const std::vector<std::size_t>& cut);

}  // namespace flow::chapters::nf_q5
