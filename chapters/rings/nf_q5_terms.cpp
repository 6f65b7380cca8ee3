// nf-q5-likelihood's sentences on the probes' log-likelihoods and their terms (nf_q5.hpp).
#include <algorithm>
#include <cmath>

#include "nf_q5.hpp"
#include "report/latex.hpp"

namespace flow::chapters::nf_q5 {

using report::tex_fixed;

// Every digit, grouped by thousands: a sum of a huge and a small term must visibly add up.
std::string num(double v) { return tex_grouped(v, 2); }

// Rounding z1 and z2 to d decimals moves |z|^2/2 by at most (|z1| + |z2|) 10^-d / 2 (to
// first order): the fewest decimals, at least 2, that keep log p_z within a quarter nat.
int z_decimals(double z1, double z2) {
    int d = 2;
    while (d < 6 && 0.5 * std::pow(10.0, -d) * (std::fabs(z1) + std::fabs(z2)) > 0.25) ++d;
    return d;
}

namespace {

// The smallest and largest of v over the probes on the given side.
std::pair<double, double> range_of(const std::vector<double>& v, const std::vector<bool>& inside, bool side) {
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (inside[i] == side) lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
    return {lo, hi};
}

}  // namespace

std::string answer_text(Context& ctx, const Terms& t, const std::vector<bool>& inside) {
    const std::size_t n_in = std::size_t(std::count(inside.begin(), inside.end(), true));
    if (n_in == 0 || n_in == inside.size())
        return fmt::format("All {} points lie {} the rings, so the two groups cannot be compared.", inside.size(),
                           n_in ? "inside" : "outside");
    const auto [min_in, max_in] = range_of(t.lp, inside, true);
    const auto [min_out, max_out] = range_of(t.lp, inside, false);
    ctx.stats["groups"] = {{"min_inside", min_in}, {"max_outside", max_out}};
    const bool more = ctx.verdict("inside_more_likely",
                                  "the least likely probe inside a band is more likely than the most likely probe "
                                  "outside",
                                  {{"min_inside", min_in}, {"max_outside", max_out}}, min_in > max_out);
    // How far the inside probes' log p is from the truth, the uniform density on the support.
    double off = 0, lq = 0;
    for (std::size_t i = 0; i < inside.size(); ++i)
        if (inside[i]) off = std::max(off, std::fabs(t.lp[i] - t.lq[i])), lq = t.lq[i];
    const bool close = ctx.verdict("inside_near_truth",
                                   "every inside probe's log p is within 0.5 nats of the data's true log-density",
                                   {{"largest_difference", off}, {"true_log_density", lq}}, off < 0.5);
    // The bound stated: the largest difference rounded up to a tenth of a nat.
    const double bound = std::max(0.1, std::ceil(off * 10.0 - 1e-9) / 10.0);
    const std::string truth = fmt::format("The inside points come {}within {} nats of the data's true log-density, "
                                          "${}$ nats.", close ? "" : "only ", tex_fixed(bound, 1), tex_fixed(lq, 2));
    if (!more)
        return fmt::format("Inside and outside points overlap in likelihood here: the most likely outside point has "
                           "$\\log p = {}$ (Table~\\ref{{tab:nf-q5}}, Figure~\\ref{{fig:nf-q5-likelihood}}). {}",
                           num(max_out), truth);
    return fmt::format("Points inside the logo are more likely than points outside (Table~\\ref{{tab:nf-q5}}, "
                       "Figure~\\ref{{fig:nf-q5-likelihood}}): each outside point is at least {} nats below the "
                       "least likely inside one. {}",
                       tex_fixed(min_in - max_out, 1), truth);
}

// The sentence on an outside probe whose inverse path escapes: how fast its distance
// from the origin grows once it is beyond twice the data's reach, and why nothing stops
// it: each inverse coupling is z_r = (y_r - b(y_l)) exp(-log s(y_l)) with b a LeakyReLU
// network, piecewise linear in y_l, so far from the data the distance can compound over
// the layers while the log-determinant stays within c L in absolute value.
std::string escape_sentence(Context& ctx, const nf::Model& m, std::size_t i, const Terms& t, const Inversion& inv,
                            double reach) {
    const std::size_t L = m.flow.layers();
    const auto& norm = inv.norm[i];
    std::size_t from = norm.size();
    while (from > 0 && norm[from - 1] > reach) --from;
    if (from >= norm.size() || t.rz[i] <= 100.0) return "";
    const double growth = std::pow(t.rz[i] / norm[from], 1.0 / double(L - from));
    ctx.stats["escapes"].push_back({{"probe", i + 1}, {"leaves_after_step", from}, {"growth_per_layer", growth}});
    return fmt::format(
        " P{} is an extrapolation: its inverse path runs out to $\\lVert z\\rVert = {}$, as nothing far from the "
        "data stops the couplings' shifts and scales compounding.",
        i + 1, t.rz[i] >= 1e5 ? num(t.rz[i]) : tex_fixed(t.rz[i], 0));
}

std::string why_text(Context& ctx, const nf::Model& m, const Terms& t, const std::vector<bool>& inside,
                     const Inversion& inv) {
    double data_reach = 0;  // the largest distance of a held-out data point from the origin
    const auto data = held_out(ctx, m.scale);
    for (std::size_t i = 0; i < data.shape(0); ++i)
        data_reach = std::max(data_reach, std::hypot(double(data(i, 0)), double(data(i, 1))));
    ctx.stats["data_reach"] = data_reach;
    const auto in_z = range_of(t.rz, inside, true), out_z = range_of(t.rz, inside, false);
    const bool farther = ctx.verdict("outside_land_farther",
                                     "every outside probe's latent point is farther from the origin than every "
                                     "inside probe's",
                                     {{"max_inside", in_z.second}, {"min_outside", out_z.first}},
                                     out_z.first > in_z.second);
    std::string s =
        "Why: the flow is fitted by maximum likelihood to points of the bands only, raising its density there; "
        "since a density integrates to 1 (normalisation), what the bands gain is taken from the rest of the "
        "plane, gaps included. In latent space, " +
        std::string(farther ? "every outside point lands farther from the prior's centre than every inside one, "
                              "where $p_z$ is smaller."
                            : "the outside points do not all land farther out than the inside ones (column $z$); "
                              "the log-determinant makes up the rest.");
    ctx.stats["escapes"] = nlohmann::json::array();
    for (std::size_t i = 0; i < inside.size(); ++i)
        if (!inside[i]) s += escape_sentence(ctx, m, i, t, inv, 2.0 * data_reach);
    return s;
}

std::string clear_of_edges(Context& ctx, const Terms& t, const std::vector<bool>& inside) {
    double margin = INFINITY;
    for (std::size_t i = 0; i < inside.size(); ++i)
        if (inside[i]) margin = std::min(margin, t.margin[i]);
    const bool clear = ctx.verdict("inside_clear_of_edges",
                                   "every inside probe lies at least 0.05 (logo units) from a band's edge and from "
                                   "the sampling box's edges",
                                   {{"smallest_margin", std::isfinite(margin) ? margin : 0.0}}, margin >= 0.05);
    const std::string cut = fmt::format("the data's rings are cut flat at $y = {}$ and $y = {}$ (the logo's units)",
                                        tex_fixed(kBoxY1, 0), tex_fixed(kBoxY0, 0));
    return clear ? "We chose inside points on the rings' mid-circles, away from where " + cut + "."
                 : "Some inside point lies near a band's edge or where " + cut +
                       ", where a smooth density falls below the data's.";
}

std::string cut_text(Context& ctx, const std::vector<std::size_t>& cut) {
    ctx.verdict("paths_inside_window", "no inverse path of a probe leaves the figure's window",
                {{"cut", cut.size()}}, cut.empty());
    std::string txt;
    for (std::size_t k = 0; k < cut.size(); ++k)
        txt += fmt::format("{}P{}", k == 0 ? "" : k + 1 == cut.size() ? " and " : ", ", cut[k] + 1);
    if (cut.size() == 1) return txt + "'s path leaves the window";
    return cut.empty() ? std::string("every path stays inside the window")
                       : fmt::format("the paths of {} leave the window", txt);
}

}  // namespace flow::chapters::nf_q5
