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
#include "nf_q5.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

std::vector<config::FlagSpec> nf_q5_flags() {
    return {probes_flag()};
}

namespace {

using namespace nf_q5;
using report::tex_fixed;

// The inverse trajectories, coloured by flow time (x at t = 1, z at t = 0), in a window
// that also holds the bulk of the prior; a path that leaves it is cut at the window's edge.
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

// log p(x) of every probe with its two terms (recorded), and the table's rows.
Terms probe_terms(Context& ctx, const std::vector<std::array<double, 2>>& probes, const nn::Mat<float>& x,
                  const std::vector<bool>& inside, const Inversion& inv, std::string& rows) {
    const std::size_t n = probes.size();
    Terms t{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
    nlohmann::json pts = nlohmann::json::array();
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
    return t;
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

    std::string rows;
    const Terms t = probe_terms(ctx, probes, x, inside, inv, rows);
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
