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
    auto f = nf_flags();
    f.push_back(probes_flag());
    return f;
}

void nf_q5_likelihood(Context& ctx) {
    using report::tex_fixed;
    // An outside point can invert far into the prior's tail: huge values in powers of ten.
    auto num = [](double v) { return std::fabs(v) >= 1e5 ? report::tex_num(v, 3) : tex_fixed(v, 2); };
    nf::Model m = nf_model(ctx);
    const std::size_t L = m.flow.layers();
    const auto probes = ctx.flags().points("probes");
    const std::size_t n = probes.size();

    // --- the probes: inside or outside, by the geometry --------------------------------
    nn::Mat<float> x = nn::Mat<float>::from_shape({n, 2});
    std::vector<bool> inside(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto s = m.scale.to_standard(probes[i][0], probes[i][1]);
        x(i, 0) = float(s[0]);
        x(i, 1) = float(s[1]);
        inside[i] = data::ring_of(probes[i][0], probes[i][1]) >= 0;
    }

    // --- inverse trajectories, coloured by flow time (x at t = 1, z at t = 0) -------------
    std::vector<nn::Mat<float>> path;
    nn::Mat<float> z;
    std::vector<float> logdet;
    m.flow.inverse(x, z, logdet, &path);
    nf::inverse_to_output_frame(path);
    std::vector<double> times;
    for (std::size_t j = 0; j <= L; ++j) times.push_back(1.0 - double(j) / double(L));
    // The heatmap covers the data and the probes; the trajectory panel also the bulk of
    // the prior. A path that leaves its window (an outside point can invert far into
    // the prior's tail) is cut at the window's edge; the table gives its |z|.
    double extent = 2.6;
    for (std::size_t i = 0; i < n; ++i)
        extent = std::max({extent, std::fabs(double(x(i, 0))) + 0.3, std::fabs(double(x(i, 1))) + 0.3});
    const double window = std::max(extent, 4.0);
    const std::string range = fmt::format("xmin={0}, xmax={1}, ymin={0}, ymax={1}", -extent, extent);
    const std::string inv_range = fmt::format(
        "xmin={0}, xmax={1}, ymin={0}, ymax={1}, unbounded coords=jump, "
        "restrict x to domain={0}:{1}, restrict y to domain={0}:{1}", -window, window);
    ctx.figure("inverse",
               report::trajectories_tikz("fr cloud, width=7.4cm, xlabel={$x_1$}, ylabel={$x_2$}, " + inv_range,
                                         "inverse.dat", n, L + 1),
               {{"inverse.dat", report::trajectories_dat(path, times)}});

    // --- log p(x) per point --------------------------------------------------------------
    std::vector<double> lp(n), lpz(n), ld(n), rz(n);
    nlohmann::json pts = nlohmann::json::array();
    std::string rows;
    for (std::size_t i = 0; i < n; ++i) {
        lpz[i] = nf::NormalizingFlow<float>::log_pz(z(i, 0), z(i, 1));
        ld[i] = logdet[i];
        lp[i] = lpz[i] + ld[i];
        rz[i] = std::hypot(double(z(i, 0)), double(z(i, 1)));
        pts.push_back({{"logo", probes[i]}, {"x", {x(i, 0), x(i, 1)}}, {"inside", bool(inside[i])},
                       {"log_p", lp[i]}, {"log_pz", lpz[i]}, {"logdet", ld[i]}, {"z_norm", rz[i]}});
        rows += fmt::format("P{} & $({}, {})$ & $({}, {})$ & {} & {} & {} & {} & {}\\\\\n", i + 1,
                            tex_fixed(probes[i][0], 2), tex_fixed(probes[i][1], 2),
                            tex_fixed(x(i, 0), 2), tex_fixed(x(i, 1), 2),
                            inside[i] ? "inside" : "outside", num(rz[i]),
                            num(lpz[i]), num(ld[i]), num(lp[i]));
    }
    ctx.stats["probes"] = pts;

    // --- beyond the exercise: the learned log-density over the plane -------------------
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
    for (std::size_t i = 0; i < n; ++i)
        marks += fmt::format("\\node[circle, draw=white, fill={}, inner sep=1.6pt, label={{[font=\\scriptsize, "
                             "text=white]above right:P{}}}] at (axis cs:{},{}) {{}};\n",
                             inside[i] ? "black" : "red", i + 1, x(i, 0), x(i, 1));
    ctx.figure("density",
               fmt::format("\\begin{{tikzpicture}}\n\\begin{{axis}}[fr cloud, width=7.4cm, xlabel={{$x_1$}}, "
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

    // --- the answer, from the numbers ----------------------------------------------------
    double min_in = INFINITY, max_out = -INFINITY, in_pz = 0, out_pz = 0, in_ld = 0, out_ld = 0;
    std::size_t n_in = 0, n_out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (inside[i]) {
            min_in = std::min(min_in, lp[i]);
            in_pz += lpz[i];
            in_ld += ld[i];
            ++n_in;
        } else {
            max_out = std::max(max_out, lp[i]);
            out_pz += lpz[i];
            out_ld += ld[i];
            ++n_out;
        }
    }
    std::string verdict;
    if (n_in == 0 || n_out == 0) {
        verdict = fmt::format("All {} probes lie {} the rings, so this run cannot compare the two "
                              "groups (choose others with --probes).",
                              n, n_in ? "inside" : "outside");
    } else {
        in_pz /= double(n_in), out_pz /= double(n_out), in_ld /= double(n_in), out_ld /= double(n_out);
        const double d_pz = in_pz - out_pz, d_ld = in_ld - out_ld;
        double in_rz = 0, out_rz = 0;
        for (std::size_t i = 0; i < n; ++i) (inside[i] ? in_rz : out_rz) += rz[i];
        in_rz /= double(n_in);
        out_rz /= double(n_out);
        const std::string parts = fmt::format(
            "Of the difference between the groups' mean $\\log p$ ({}), {} comes from "
            "$\\log p_z$ (the inside points invert to a mean $\\lVert z\\rVert$ of {}, the "
            "outside ones to {}) and {} from the log-determinant (how much the inverse "
            "stretches a small neighbourhood of the point).",
            num(d_pz + d_ld), num(d_pz), num(in_rz), num(out_rz),
            num(d_ld));
        if (min_in > max_out)
            verdict = fmt::format(
                "Every point inside the logo is more likely than every point outside it: the "
                "least likely inside point has $\\log p = {}$, the most likely outside point {}, "
                "a ratio of densities of at least $e^{{{}}}$. The model was fitted by maximum "
                "likelihood to points from the bands only, and as a bijection it can give the "
                "bands density only by taking it from the rest of the plane. {}",
                num(min_in), num(max_out), tex_fixed(min_in - max_out, 1), parts);
        else
            verdict = fmt::format(
                "In this run the groups overlap: the least likely inside point has "
                "$\\log p = {}$ and the most likely outside point {}, so the model has not "
                "separated the bands from their surroundings at these points. {}",
                num(min_in), num(max_out), parts);
        ctx.stats["groups"] = {{"min_inside", min_in}, {"max_outside", max_out},
                               {"delta_log_pz", d_pz}, {"delta_logdet", d_ld}};
    }
    ctx.text = fmt::format(
        R"(\section{{{heading}}}\label{{sec:nf-q5-likelihood}}

Table~\ref{{tab:nf-q5}} lists the {n} points, their side of the rings by the logo's geometry,
and their log-likelihood $\log p(x) = \log p_z(\phi^{{-1}}(x)) + \log|\det \partial\phi^{{-1}}/\partial x|$.
Figure~\ref{{fig:nf-q5}} (left) follows them through the inverse flow, from the data
($t = 1$, dots) to the prior ($t = 0$, open circles); on the right, the model's log-density
over the plane with the points marked (black inside, red outside). {verdict}

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{lllrrrrr}}
    point & logo units & standardised & side & $\lVert z\rVert$ & $\log p_z$ & $\log|\det|$ & $\log p(x)$\\
    \hline
{rows}  \end{{tabular}}
  \caption{{Normalizing flow: log-likelihood of the probe points.}}
  \label{{tab:nf-q5}}
\end{{table}}

\begin{{figure}}[htbp]
  \centering
  \includegraphics{{{inv}}}\hfill\includegraphics{{{dens}}}
  \caption{{Normalizing flow. Left: inverse trajectories of the probe points, coloured by $t$
  (cut at the window's edge; Table~\ref{{tab:nf-q5}} gives where they end).
  Right: the learned $\log p(x)$ on a {G}$\times${G} grid (colours clamped {span} nats below
  the maximum), with the probes.}}
  \label{{fig:nf-q5}}
\end{{figure}}
)",
        fmt::arg("heading", ctx.chapter().heading), fmt::arg("n", n), fmt::arg("verdict", verdict),
        fmt::arg("rows", rows), fmt::arg("inv", ctx.figure_pdf("inverse")),
        fmt::arg("dens", ctx.figure_pdf("density")), fmt::arg("G", G), fmt::arg("span", 10));
}

}  // namespace flow::chapters
