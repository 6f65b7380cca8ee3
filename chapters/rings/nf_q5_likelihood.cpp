// nf-q5-likelihood: Normalizing flow, Q5 "Probability estimation".
//
// "For 5 points of your choice, present the inverse process layer by layer, as a
//  trajectory in a 2D space. Choose 3 points from inside the olympic logo and 2 outside
//  of it. Color the points according to their time t. Compute the log(p(x)) of each
//  point. Are the points inside the Olympic logo more or less likely from outside of
//  it? Why? Explain."
//
// The points are given in the logo's own units (--probes) and checked against the ring
// geometry. Beyond the exercise, a heatmap of the learned log-density over the plane
// shows where the probes sit in it.
#include <algorithm>
#include <cmath>

#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

std::vector<config::FlagSpec> nf_q5_flags() {
    return {probes_flag()};
}

namespace {

using report::tex_fixed;

// An outside point can invert far into the prior's tail: huge values in powers of ten.
std::string num(double v) { return std::fabs(v) >= 1e5 ? report::tex_num(v, 3) : tex_fixed(v, 2); }

// The inverse trajectories, coloured by flow time (x at t = 1, z at t = 0), in a window
// that also holds the bulk of the prior. A path that leaves it (an outside point can
// invert far into the prior's tail) is cut at the window's edge; the table gives its |z|.
struct Inversion {
    nn::Mat<float> z;
    std::vector<float> logdet;
    std::vector<std::size_t> cut;           // the paths that leave the window
    std::vector<std::vector<double>> norm;  // each path's distance from the origin, step by step
};
Inversion inverse_figure(Context& ctx, const nf::Model& m, const nn::Mat<float>& x, double extent) {
    const std::size_t n = x.shape(0), L = m.flow.layers();
    Inversion r;
    std::vector<nn::Mat<float>> path;
    m.flow.inverse(x, r.z, r.logdet, &path);
    nf::inverse_to_output_frame(path);
    std::vector<double> times;
    for (std::size_t j = 0; j <= L; ++j) times.push_back(1.0 - double(j) / double(L));
    const double window = std::max(extent, 4.0);
    const std::string inv_range = fmt::format(
        "xmin={0}, xmax={1}, ymin={0}, ymax={1}, unbounded coords=jump, "
        "restrict x to domain={0}:{1}, restrict y to domain={0}:{1}", -window, window);
    ctx.figure("inverse",
               report::trajectories_tikz("fr cloud, width=6.1cm, xlabel={$x_1$}, ylabel={$x_2$}, " + inv_range,
                                         "inverse.dat", n, L + 1, "", report::probe_labels(report::rows_of(x))),
               {{"inverse.dat", report::trajectories_dat(path, times)}});
    r.norm.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        bool out = false;
        for (const auto& st : path) {
            r.norm[i].push_back(std::hypot(double(st(i, 0)), double(st(i, 1))));
            out = out || std::fabs(st(i, 0)) > window || std::fabs(st(i, 1)) > window;
        }
        if (out) r.cut.push_back(i);
    }
    return r;
}

// Beyond the exercise: the learned log-density over the plane, with the probes marked.
void density_figure(Context& ctx, const nf::Model& m, const nn::Mat<float>& x, const std::vector<bool>& inside,
                    double extent) {
    const std::size_t G = 300;
    const double lo_x = -extent, hi_x = extent, cell = (hi_x - lo_x) / double(G);
    nn::Mat<float> grid = nn::Mat<float>::from_shape({G * G, 2});
    for (std::size_t r = 0; r < G; ++r)  // row 0 at the top
        for (std::size_t c = 0; c < G; ++c) {
            grid(r * G + c, 0) = float(lo_x + (double(c) + 0.5) * cell);
            grid(r * G + c, 1) = float(hi_x - (double(r) + 0.5) * cell);
        }
    const auto glp = m.flow.log_prob(grid);
    const double top = *std::max_element(glp.begin(), glp.end());
    const double bottom = top - 10.0;
    std::vector<std::vector<double>> gcols(3);
    for (std::size_t i = 0; i < glp.size(); ++i) {
        gcols[0].push_back(grid(i, 0));
        gcols[1].push_back(grid(i, 1));
        gcols[2].push_back(glp[i]);
    }
    std::string marks;
    for (std::size_t i = 0; i < x.shape(0); ++i)
        marks += fmt::format("\\node[circle, draw=white, fill={}, inner sep=1.6pt] at (axis cs:{},{}) {{}};\n",
                             inside[i] ? "black" : "red", x(i, 0), x(i, 1));
    marks += report::probe_labels(report::rows_of(x));
    const std::string range = fmt::format("xmin={0}, xmax={1}, ymin={0}, ymax={1}", -extent, extent);
    ctx.figure("density",
               fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[fr cloud, width=6.1cm, xlabel={{$x_1$}}, "
                           "ylabel={{$x_2$}}, {}, enlargelimits=false, axis on top, colormap name=fr viridis, "
                           "colorbar, point meta min={}, point meta max={}, colorbar style={{width=0.25cm, "
                           "title={{$\\log p$}}, yticklabel style={{font=\\scriptsize}}}}]\n"
                           "\\addplot graphics[xmin={}, xmax={}, ymin={}, ymax={}] {{density.png}};\n{}"
                           "\\end{{axis}}\n\\end{{tikzpicture}}\n",
                           range, bottom, top, lo_x, hi_x, lo_x, hi_x, marks),
               {{"density.png", report::png_viridis(glp, G, G, bottom, top)},
                {"density.dat", report::dat_table({"x", "y", "log_p"}, gcols, 4)}});
    ctx.stats["figures"]["density"] = {{"grid", G}, {"extent", extent}, {"max_log_p", top},
                                       {"colour_floor", bottom}};
}

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

// The terms of the probes' log p, and why an outside point can land absurdly far in the
// prior: each inverse coupling is z_r = (y_r - b(y_l)) exp(-log s(y_l)) with |log s| < c,
// and b a LeakyReLU network, piecewise linear in y_l; outside the data nothing holds
// either back, so the distance can grow by a factor of up to about e^c per layer, while
// the log-determinant stays within c L in absolute value.
struct Terms {
    std::vector<double> lp, lpz, ld, rz;
};
std::string terms_text(Context& ctx, const nf::Model& m, const Terms& t, const std::vector<bool>& inside,
                       const Inversion& inv) {
    const std::size_t n = t.lp.size(), L = m.flow.layers();
    const auto &lp = t.lp, &lpz = t.lpz, &ld = t.ld, &rz = t.rz;
    const auto& norm = inv.norm;
    const double ld_bound = m.config.arch.log_scale_bound * double(L);
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
            terms += fmt::format(
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

}  // namespace

void nf_q5_likelihood(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const auto probes = ctx.flags().points("probes");
    const std::size_t n = probes.size();
    const nn::Mat<float> x = probes_in_frame(probes, m.scale);
    const std::vector<bool> inside = probes_inside(probes);

    // The heatmap covers the data and the probes; the trajectory panel also the bulk of
    // the prior.
    double extent = 2.6;
    for (std::size_t i = 0; i < n; ++i)
        extent = std::max({extent, std::fabs(double(x(i, 0))) + 0.3, std::fabs(double(x(i, 1))) + 0.3});
    const Inversion inv = inverse_figure(ctx, m, x, extent);

    // log p(x) per point, with its two terms.
    Terms t{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
    nlohmann::json pts = nlohmann::json::array();
    std::string rows;
    for (std::size_t i = 0; i < n; ++i) {
        t.lpz[i] = nf::NormalizingFlow<float>::log_pz(inv.z, i);
        t.ld[i] = inv.logdet[i];
        t.lp[i] = t.lpz[i] + t.ld[i];
        t.rz[i] = std::hypot(double(inv.z(i, 0)), double(inv.z(i, 1)));
        pts.push_back({{"logo", probes[i]}, {"x", {x(i, 0), x(i, 1)}}, {"inside", bool(inside[i])},
                       {"log_p", t.lp[i]}, {"log_pz", t.lpz[i]}, {"logdet", t.ld[i]}, {"z_norm", t.rz[i]}});
        rows += fmt::format("P{} & $({}, {})$ & $({}, {})$ & {} & {} & {} & {} & {}\\\\\n", i + 1,
                            tex_fixed(probes[i][0], 2), tex_fixed(probes[i][1], 2),
                            tex_fixed(x(i, 0), 2), tex_fixed(x(i, 1), 2),
                            inside[i] ? "inside" : "outside", num(t.rz[i]),
                            num(t.lpz[i]), num(t.ld[i]), num(t.lp[i]));
    }
    ctx.stats["probes"] = pts;
    density_figure(ctx, m, x, inside, extent);
    const std::string verdict = groups_verdict(ctx, t.lp, inside);
    const std::string terms = terms_text(ctx, m, t, inside, inv);

    ctx.text = ctx.section() + fmt::format(
        R"(Table~\ref{{tab:nf-q5}} lists the {n} points, their side of the rings by the logo's geometry,
and their log-likelihood $\log p(x) = \log p_z(\phi^{{-1}}(x)) + \log|\det \partial\phi^{{-1}}/\partial x|$.
Figure~\ref{{fig:nf-q5-likelihood}} (left) follows them through the inverse flow, from the data
($t = 1$) to the prior ($t = 0$); on the right, the model's log-density over the plane with
the points marked. {verdict} {terms}

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lllrrrrr}}
    point & logo units & standardised & side & $\lVert z\rVert$ & $\log p_z$ & $\log|\det|$ & $\log p(x)$\\
    \hline
{rows}  \end{{tabular}}
  \caption{{Normalizing flow: log-likelihood of the probe points and its two terms.}}
  \label{{tab:nf-q5}}
\end{{table}}

)",
        fmt::arg("n", n), fmt::arg("verdict", verdict), fmt::arg("terms", terms), fmt::arg("rows", rows)) +
        ctx.figure_float("  \\includegraphics{" + ctx.figure_pdf("inverse") + "}\\hfill\\includegraphics{" +
                             ctx.figure_pdf("density") + "}\n",
                         fmt::format("Normalizing flow. Left: inverse trajectories of the probe points, coloured by $t$\n"
                                     "  ({0}; Table~\\ref{{tab:nf-q5}} gives where they end). Right: the learned $\\log p(x)$ on a\n"
                                     "  {1}$\\times${1} grid (colours clamped {2:g} nats below the maximum), with the probes.",
                                     cut_text(ctx, inv.cut), ctx.stats["figures"]["density"]["grid"].get<std::size_t>(),
                                     ctx.stats["figures"]["density"]["max_log_p"].get<double>() -
                                         ctx.stats["figures"]["density"]["colour_floor"].get<double>()));
}

FLOWREPORT_CHAPTER("rings", "nf-q5-likelihood", nf_q5_flags, nf_q5_likelihood)

}  // namespace flow::chapters
