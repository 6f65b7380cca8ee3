// nf-q5-likelihood's sentences on the probes' log-likelihoods and their terms (nf_q5.hpp).
#include <algorithm>
#include <cmath>

#include "nf_q5.hpp"
#include "report/latex.hpp"

namespace flow::chapters::nf_q5 {

using report::tex_fixed;

std::string num(double v) { return std::fabs(v) >= 1e5 ? report::tex_num(v, 3) : tex_fixed(v, 2); }

// Whether every inside probe is more likely than every outside one.
std::string groups_verdict(Context& ctx, const std::vector<double>& lp, const std::vector<bool>& inside) {
    const std::size_t n = lp.size();
    double min_in = INFINITY, max_out = -INFINITY;
    std::size_t n_in = 0, n_out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (inside[i]) {
            min_in = std::min(min_in, lp[i]);
            ++n_in;
        } else {
            max_out = std::max(max_out, lp[i]);
            ++n_out;
        }
    }
    if (n_in == 0 || n_out == 0)
        return fmt::format("All {} probes lie {} the rings, so this run cannot compare the two "
                           "groups (choose others with --probes).",
                           n, n_in ? "inside" : "outside");
    ctx.stats["groups"] = {{"min_inside", min_in}, {"max_outside", max_out}};
    if (ctx.verdict("inside_more_likely",
                    "the least likely probe inside a band is more likely than the most likely probe outside",
                    {{"min_inside", min_in}, {"max_outside", max_out}}, min_in > max_out))
        return fmt::format(
            "Every point inside the logo is more likely than every point outside it: the "
            "least likely inside point has $\\log p = {}$, the most likely outside point {}, "
            "a ratio of densities of at least $e^{{{}}}$. The model was fitted by maximum "
            "likelihood to points from the bands only, and as a bijection it can give the "
            "bands density only by taking it from the rest of the plane.",
            num(min_in), num(max_out), tex_fixed(min_in - max_out, 1));
    return fmt::format(
        "In this run the groups overlap: the least likely inside point has "
        "$\\log p = {}$ and the most likely outside point {}, so the model has not "
        "separated the bands from their surroundings at these points.",
        num(min_in), num(max_out));
}

// The sentence on an outside probe whose inverse path escapes: from which step it stays
// beyond `reach`, how fast its distance grows, and why nothing stops it.
std::string escape_sentence(const nf::Model& m, std::size_t i, std::size_t from, double reach, double growth,
                            double largest, const Terms& t) {
    const std::size_t L = m.flow.layers();
    const double ld_bound = m.config.arch.log_scale_bound * double(L);
    const auto &lp = t.lp, &ld = t.ld, &rz = t.rz;
    return fmt::format(
                " P{0} lies off the rings, where the model never saw data. After its {2} inverse step "
                "its path never comes back within {1} of the origin (twice the reach of the data), and "
                "from there its distance grows by a factor of {3} per layer on average (up to {4} in one "
                "layer) to "
                "$\\lVert z\\rVert = {5}$. Each inverse coupling computes $z_r = (y_r - b(y_l))\\,e^{{-\\log s(y_l)}}$ "
                "with $|\\log s| < {6}$ and $b$ a LeakyReLU network, linear in $y_l$ far from the data: "
                "nothing there stops the distance from compounding over {7} layers. The log-determinant "
                "is bounded by $\\pm {8}$ nats ({9} here), so the whole of $\\log p = {10}$ is "
                "$\\log p_z = -\\lVert z\\rVert^2/2 - \\log 2\\pi$. The number measures how the flow "
                "extrapolates, not the data; Section~\\ref{{sec:fm-q5-reverse}} contrasts flow matching.",
                i + 1, tex_fixed(reach, 1), report::ordinal((long long)from), tex_fixed(growth, 2), tex_fixed(largest, 1), num(rz[i]),
                tex_fixed(m.config.arch.log_scale_bound, 0), L, tex_fixed(ld_bound, 0), num(ld[i]), num(lp[i]));
}

std::string terms_text(Context& ctx, const nf::Model& m, const Terms& t, const std::vector<bool>& inside,
                       const Inversion& inv) {
    const std::size_t n = t.lp.size(), L = m.flow.layers();
    const auto &lpz = t.lpz, &ld = t.ld, &rz = t.rz;
    const auto& norm = inv.norm;
    double data_reach = 0;  // the largest distance of a held-out data point from the origin
    const auto data = held_out(ctx, m.scale);
    for (std::size_t i = 0; i < data.shape(0); ++i)
        data_reach = std::max(data_reach, std::hypot(double(data(i, 0)), double(data(i, 1))));
    ctx.stats["data_reach"] = data_reach;
    // Which term dominates each outside probe's log p, recorded per probe.
    auto dominant = [&](std::size_t i) {
        return ctx.verdict(fmt::format("dominant_term/P{}", i + 1),
                           "log p_z is at least as large in magnitude as the log-determinant",
                           {{"log_pz", lpz[i]}, {"logdet", ld[i]}}, std::fabs(lpz[i]) >= std::fabs(ld[i]))
                   ? "$\\log p_z$"
                   : "the log-determinant";
    };
    std::string terms = "Table~\\ref{tab:nf-q5} splits each $\\log p(x)$ into its two terms.";
    if (std::find(inside.begin(), inside.end(), true) != inside.end()) {
        double a = INFINITY, b = -INFINITY, c = INFINITY, d = -INFINITY, r = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (inside[i]) {
                a = std::min(a, lpz[i]), b = std::max(b, lpz[i]), c = std::min(c, ld[i]), d = std::max(d, ld[i]);
                r = std::max(r, rz[i]);
            }
        terms += fmt::format(" For the points on a ring, $\\log p_z$ lies between {} and {} (they land "
                             "within $\\lVert z\\rVert \\le {}$) and the log-determinant between {} and {}.",
                             num(a), num(b), num(r), num(c), num(d));
    }
    nlohmann::json escapes = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) {
        if (inside[i]) continue;
        // The inverse step after which the path stays beyond twice the data's reach.
        const double reach = 2.0 * data_reach;
        std::size_t from = norm[i].size();
        while (from > 0 && norm[i][from - 1] > reach) --from;
        if (from < norm[i].size() && rz[i] > 100.0) {
            const double growth = std::pow(rz[i] / norm[i][from], 1.0 / double(L - from));
            double largest = 0;
            for (std::size_t j = from + 1; j <= L; ++j) largest = std::max(largest, norm[i][j] / norm[i][j - 1]);
            escapes.push_back({{"probe", i + 1}, {"leaves_after_step", from}, {"growth_per_layer", growth},
                               {"largest_growth", largest}});
            terms += escape_sentence(m, i, from, reach, growth, largest, t);
        } else {
            terms += fmt::format(" P{} lies off the rings and lands at $\\lVert z\\rVert = {}$; {} dominates "
                                 "its $\\log p$ ({} against {}).",
                                 i + 1, num(rz[i]), dominant(i), num(lpz[i]), num(ld[i]));
        }
    }
    ctx.stats["escapes"] = escapes;
    return terms;
}

std::string cut_text(Context& ctx, const std::vector<std::size_t>& cut) {
    ctx.verdict("paths_inside_window", "no inverse path of a probe leaves the figure's window",
                {{"cut", cut.size()}}, cut.empty());
    std::string txt;
    for (std::size_t k = 0; k < cut.size(); ++k)
        txt += fmt::format("{}P{}", k == 0 ? "" : k + 1 == cut.size() ? " and " : ", ", cut[k] + 1);
    return cut.empty() ? std::string("every path stays inside the window")
                       : fmt::format("the path{} of {} leave{} the window and {} cut at its edge",
                                     cut.size() > 1 ? "s" : "", txt, cut.size() > 1 ? "" : "s",
                                     cut.size() > 1 ? "are" : "is");
}

}  // namespace flow::chapters::nf_q5
