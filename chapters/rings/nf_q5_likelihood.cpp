// nf-q5-likelihood: Normalizing flow, Q5 "Probability estimation".
//
// "For 5 points of your choice, present the inverse process layer by layer, as a
//  trajectory in a 2D space. Choose 3 points from inside the olympic logo and 2 outside
//  of it. Color the points according to their time t. Compute the log(p(x)) of each
//  point. Are the points inside the Olympic logo more or less likely from outside of
//  it? Why? Explain."
//
// The points are given in the logo's own units (--probes) and checked against the ring
// geometry; each probe's log p is set beside the data's true log-density there. Beyond
// the exercise, a heatmap of the learned log-density over the plane shows where the
// probes sit in it.
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

// How long the inverse figure's window (its side, 2 window) is drawn, in pt (the axis box
// of its raster layer, the size fr cloud at 6.6 cm with a colour bar has): for drawing it
// and placing its labels.
constexpr double kAxisPt = 117.0;

// The inverse trajectories, coloured by flow time (x at t = 1, z at t = 0), over
// held-out data in grey (drawn first, behind the paths), in the window both panels share;
// a path that leaves it is cut at the window's edge.
Inversion inverse_figure(Context& ctx, const nf::Model& m, const nn::Mat<float>& x, double window) {
    const std::size_t n = x.shape(0), L = m.flow.layers();
    Inversion r;
    std::vector<nn::Mat<float>> path;
    m.flow.inverse(x, r.z, r.logdet, &path);
    nf::inverse_to_output_frame(path);
    r.drawn = path.back();
    std::vector<double> times;
    for (std::size_t j = 0; j <= L; ++j) times.push_back(1.0 - double(j) / double(L));
    // The held-out points in light grey under the paths.
    report::RasterLayer layer = report::RasterLayer::equal_units({-window, window, -window, window}, kAxisPt);
    layer.marks(held_out(ctx, m.scale, 2000), {209, 209, 209, 1.0}, 0.35);  // black!18
    report::Files files;
    ctx.figure("inverse",
               report::trajectories_tikz("fr cloud, xlabel={$x_1$}, ylabel={$x_2$}", std::move(layer), path, times, n,
                                         "inverse.png", files, nf_q5::path_labels(path, window, kAxisPt)),
               files);
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

// The density map's colours span this many nats below its maximum (and are clamped there).
constexpr double kNfColourRange = 10.0;

// Beyond the exercise: the learned log-density over the same window, with the probes.
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
    const double bottom = top - kNfColourRange;
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
               fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[fr cloud, width=6.6cm, xlabel={{$x_1$}}, "
                           "ylabel={{$x_2$}}, {}, enlargelimits=false, axis on top, colormap name=fr viridis, "
                           "colorbar, point meta min={}, point meta max={}, colorbar style={{width=0.25cm, "
                           "ylabel={{$\\log p(x)$ (nats)}}, ylabel style={{font=\\scriptsize}}, "
                           "yticklabel style={{font=\\scriptsize}}}}]\n"
                           "\\addplot graphics[xmin={}, xmax={}, ymin={}, ymax={}] {{density.png}};\n{}"
                           "\\end{{axis}}\n\\end{{tikzpicture}}\n",
                           range, bottom, top, lo_x, hi_x, lo_x, hi_x, marks),
               {{"density.png", report::png_viridis(glp, G, G, bottom, top)},
                {"density.dat", report::dat_table({"x", "y", "log_p"}, gcols, 4)}});
    ctx.stats["figures"]["density"] = {{"grid", G}, {"extent", extent}, {"max_log_p", top},
                                       {"colour_floor", bottom}};
}

// log p(x) of every probe with its two terms and the data's true log-density there
// (recorded), and the table's rows; z as the figure draws it.
Terms probe_terms(Context& ctx, const std::vector<std::array<double, 2>>& probes, const nf::Model& m,
                  const nn::Mat<float>& x, const std::vector<bool>& inside, const Inversion& inv, std::string& rows) {
    const std::size_t n = probes.size();
    Terms t;
    nlohmann::json pts = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) {
        t.lpz.push_back(nf::NormalizingFlow<float>::log_pz(inv.z, i));
        t.ld.push_back(inv.logdet[i]);
        t.lp.push_back(t.lpz[i] + t.ld[i]);
        t.rz.push_back(std::hypot(double(inv.z(i, 0)), double(inv.z(i, 1))));
        t.lq.push_back(true_log_density(probes[i], m.scale));
        t.margin.push_back(support_margin(probes[i]));
        const double z1 = inv.drawn(i, 0), z2 = inv.drawn(i, 1);
        pts.push_back({{"logo", probes[i]}, {"x", {x(i, 0), x(i, 1)}}, {"inside", bool(inside[i])},
                       {"log_p", t.lp[i]}, {"log_pz", t.lpz[i]}, {"logdet", t.ld[i]}, {"z_norm", t.rz[i]},
                       {"z_drawn", {z1, z2}}, {"support_margin", t.margin[i]}});
        if (std::isfinite(t.lq[i])) pts.back()["true_log_density"] = t.lq[i];  // -inf off the support
        const int d = nf_q5::z_decimals(z1, z2);
        rows += fmt::format("    P{} & $({}, {})$ & $({}, {})$ & {} & {} & {} & {}\\\\\n", i + 1,
                            tex_fixed(probes[i][0], 2), tex_fixed(probes[i][1], 2), tex_grouped(z1, d),
                            tex_grouped(z2, d),
                            nf_q5::num(t.lpz[i]), nf_q5::num(t.ld[i]), nf_q5::num(t.lp[i]),
                            std::isfinite(t.lq[i]) ? "$" + tex_fixed(t.lq[i], 2) + "$" : "$-\\infty$");
    }
    ctx.stats["probes"] = pts;
    return t;
}

}  // namespace

void nf_q5_likelihood(Context& ctx) {
    nf::Model& m = nf_model(ctx);
    const auto probes = ctx.flags().points("probes");
    const nn::Mat<float> x = probes_in_frame(probes, m.scale);
    const std::vector<bool> inside = probes_inside(probes);

    // Both panels share one window: the data, the probes and the bulk of the prior.
    double window = 4.0;
    for (std::size_t i = 0; i < probes.size(); ++i)
        window = std::max({window, std::fabs(double(x(i, 0))) + 0.3, std::fabs(double(x(i, 1))) + 0.3});
    const Inversion inv = inverse_figure(ctx, m, x, window);
    std::string rows;
    const Terms t = probe_terms(ctx, probes, m, x, inside, inv, rows);
    density_figure(ctx, m, x, inside, window);

    ctx.text = ctx.section() + nf_q5::answer_text(ctx, t, inside) + " " + nf_q5::clear_of_edges(ctx, t, inside) +
               "\n\n" + nf_q5::why_text(ctx, m, t, inside, inv) + R"(

\begin{table}[htbp]
  \centering\small
  \begin{tabular}{lllrrrr}
    & $x$ (logo units) & $z$ & $\log p_z$ & $\log|\det|$ & $\log p(x)$ & true\\
    \hline
)" + rows + R"(  \end{tabular}
  \caption{Normalizing flow: the probes, their latent points $z$ (as in Figure~\ref{fig:nf-q5-likelihood})
  and log-densities (nats); ``true'': the data's.}
  \label{tab:nf-q5}
\end{table}

)" + ctx.figure_float("  \\includegraphics{" + ctx.figure_pdf("inverse") + "}\\hfill\\includegraphics{" +
                          ctx.figure_pdf("density") + "}\n",
                      "Normalizing flow. Left: inverse paths, probes P$i$ to latent points $z_i$, over held-out "
                      "data (grey); " +
                          nf_q5::cut_text(ctx, inv.cut) + ". Right: the learned $\\log p(x)$, clamped " +
                          report::tex_fixed(kNfColourRange, 0) + " nats below its maximum.");
}

FLOWREPORT_CHAPTER("rings", "nf-q5-likelihood", nf_q5_flags, nf_q5_likelihood)

}  // namespace flow::chapters
