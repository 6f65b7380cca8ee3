// fm-q4-time-quantization: Flow matching, Q4 "Time quantization".
//
// "Sample 1000 points from the models using dt = 0.002, 0.02, 0.05, 0.1, 0.2. Plot the
//  results in separate figures. How does this quantization of the flow affect the
//  resulting distribution?"
//
// The same 1000 prior points are integrated with each step (with --solver, Euler by
// default); each result is measured by its share in a ring band, its distance to
// held-out data, how far each point lands from where the finest step puts it, and its
// total variance. For the coarse steps the last step is set beside the posterior mean
// E[x1 | y_t] it should land on.
#include <algorithm>
#include <cmath>

#include "fm_common.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters {

namespace {

// E[x1 | y_t = y] for y_t = t x1 + (1 - t) x0, x0 ~ N(0, I), with x1 drawn from the
// points of `data` (held-out samples of the data): the average of the data weighted by
// N(y; t x1, (1 - t)^2 I). Row i of the result is the posterior mean at row i of y.
nn::Mat<float> posterior_mean(const nn::Mat<float>& y, double t, const nn::Mat<float>& data) {
    const std::size_t n = y.shape(0), m = data.shape(0);
    nn::Mat<float> out = nn::Mat<float>::from_shape({n, std::size_t(2)});
    std::vector<double> logw(m);
    const double s2 = 2 * (1 - t) * (1 - t);
    for (std::size_t i = 0; i < n; ++i) {
        double top = -INFINITY;
        for (std::size_t j = 0; j < m; ++j) {
            const double dx = y(i, 0) - t * data(j, 0), dy = y(i, 1) - t * data(j, 1);
            logw[j] = -(dx * dx + dy * dy) / s2;
            top = std::max(top, logw[j]);
        }
        double sw = 0, sx = 0, sy = 0;
        for (std::size_t j = 0; j < m; ++j) {
            const double w = std::exp(logw[j] - top);
            sw += w;
            sx += w * data(j, 0);
            sy += w * data(j, 1);
        }
        out(i, 0) = float(sx / sw);
        out(i, 1) = float(sy / sw);
    }
    return out;
}

double total_variance(const nn::Mat<float>& x) {
    const auto c = report::cloud_stats(x);
    return c.cov[0][0] + c.cov[1][1];
}

double mean_distance(const nn::Mat<float>& a, const nn::Mat<float>& b) {
    double d = 0;
    for (std::size_t p = 0; p < a.shape(0); ++p)
        d += std::hypot(a(p, 0) - b(p, 0), a(p, 1) - b(p, 1)) / double(a.shape(0));
    return d;
}

// One step size: its panel, its statistics and its table row.
struct Steps {
    std::string rows;
    std::vector<std::string> panels;
    std::vector<double> band, sw, drift, var;
    nlohmann::json last_step = nlohmann::json::object();
};
void one_step(Context& ctx, fm::Model& m, const nn::Mat<float>& z, const nn::Mat<float>& data,
              const nn::Mat<float>& ref, double dt, fm::Solver solver, std::size_t i, Steps& st) {
    const fm::Integration how{dt, solver};
    const std::size_t steps = fm::step_count(0, 1, dt);
    nn::Mat<float> before_last;  // the state one step before t = 1
    double t_last = 0;
    const nn::Mat<float> x = fm::forward_flow(m.field, z, how, nullptr,
                                              [&](std::size_t k, double t, const nn::Mat<float>& y) {
                                                  if (k + 1 == steps) {
                                                      before_last = y;
                                                      t_last = t;
                                                  }
                                              });
    const std::string name = fmt::format("dt{}", i);
    const std::string title = fmt::format("$\\Delta t = {:g}$ ({} steps)", dt, steps);
    ctx.figure(name, report::cloud_tikz("fr panel, title={" + title + "}", name + ".dat"),
               {{name + ".dat", report::points_dat(x)}});
    auto j = cloud_json(x, m.scale, data);
    const double d = mean_distance(x, ref);
    j["dt"] = dt;
    j["mean_distance_to_fine"] = d;
    j["total_variance"] = total_variance(x);
    // For the coarse steps, the last one against the posterior mean E[x1 | y] from
    // held-out data: y + (1 - t) v(y, t) is exactly that mean when v is the field
    // Eq. 13 defines.
    if (dt >= 0.1) {
        const nn::Mat<float> post = posterior_mean(before_last, t_last, data);
        st.last_step[name] = {{"t", t_last}, {"distance_to_posterior_mean", mean_distance(x, post)},
                              {"step_length", mean_distance(x, before_last)},
                              {"posterior_total_variance", total_variance(post)}};
    }
    ctx.stats["figures"][name] = j;
    st.band.push_back(j["share_in_band"].get<double>());
    st.sw.push_back(j["sliced_w2_to_data"].get<double>());
    st.drift.push_back(d);
    st.var.push_back(j["total_variance"].get<double>());
    st.rows += fmt::format("    {:g} & {} & {} & {} & {} & {}\\\\\n", dt, steps,
                           report::tex_percent(st.band.back()), report::tex_fixed(st.sw.back(), 3), report::tex_fixed(d, 3),
                           report::tex_fixed(st.var.back(), 2));
    st.panels.push_back(fmt::format("\\includegraphics{{{}}}", ctx.figure_pdf(name)));
}

// Which rings lose their points: the change of each ring's share from the finest to the
// coarsest step, and whether the two that lose most are the two farthest from the middle
// of the logo (its mean, the origin of the standardised frame).
std::string rings_sentence(Context& ctx, const nlohmann::json& first_rings, const nlohmann::json& last_rings,
                           const data::Standardiser& scale) {
    std::vector<std::pair<double, std::size_t>> loss, far;
    for (std::size_t k = 0; k < std::size_t(data::kClasses); ++k) {
        const auto& ring = data::rings()[k];
        const std::string c(ring.colour);
        loss.push_back({last_rings[c].get<double>() - first_rings[c].get<double>(), k});
        const auto centre = scale.to_standard(ring.cx, ring.cy);
        far.push_back({-std::hypot(centre[0], centre[1]), k});
    }
    std::sort(loss.begin(), loss.end());
    std::sort(far.begin(), far.end());
    auto ring_change = [&](std::size_t k, bool named = true) {
        const std::string c(data::rings()[k].colour);
        return fmt::format("{}from {} to {}", named ? c + " " : "", report::tex_percent(first_rings[c].get<double>()),
                           report::tex_percent(last_rings[c].get<double>()));
    };
    const bool outer = ctx.verdict(
        "outer_rings_lose_most",
        "the two rings that lose the largest share of samples from the finest to the coarsest step are the two "
        "whose centres are farthest from the middle",
        {{"losing", {data::rings()[loss[0].second].colour, data::rings()[loss[1].second].colour}},
         {"farthest", {data::rings()[far[0].second].colour, data::rings()[far[1].second].colour}}},
        (loss[0].second == far[0].second && loss[1].second == far[1].second) ||
            (loss[0].second == far[1].second && loss[1].second == far[0].second));
    return fmt::format(
        "The rings that lose most points are {} ({} and {}), while {} {} ({}).",
        outer ? "the two farthest from the middle" : "these two", ring_change(loss[0].second),
        ring_change(loss[1].second), data::rings()[loss.back().second].colour,
        loss.back().first >= 0 ? "gains points" : "loses fewest", ring_change(loss.back().second, false));

}

}  // namespace

void fm_q4_time_quantization(Context& ctx) {
    using report::tex_fixed;
    fm::Model& m = fm_model(ctx);
    const fm::Integration base = fm::integration(ctx.flags());
    const nn::Mat<float> z = prior_sample(ctx, 1000, "samples");
    const auto data = held_out(ctx, m.scale);
    const std::vector<double> dts = {0.002, 0.02, 0.05, 0.1, 0.2};

    // The reference: the finest of the chapter's steps, with RK4 (the flow's exact end
    // points to well below the differences measured here).
    const nn::Mat<float> ref = fm::forward_flow(m.field, z, {0.002, fm::Solver::RK4});
    const double var_ref = total_variance(ref), var_data = total_variance(data);

    Steps st;
    for (std::size_t i = 0; i < dts.size(); ++i) one_step(ctx, m, z, data, ref, dts[i], base.solver, i, st);
    const auto& band = st.band;
    const auto& drift = st.drift;
    const auto& var = st.var;
    bool monotone = true;
    for (std::size_t i = 1; i < band.size(); ++i) monotone = monotone && band[i] <= band[i - 1];
    ctx.stats["summary"] = {{"solver", fm::solver_name(base.solver)}, {"band_monotone", monotone},
                            {"reference_total_variance", var_ref}, {"data_total_variance", var_data}};
    ctx.stats["last_step"] = st.last_step;
    const auto& ls = st.last_step["dt4"];
    const bool contracts = ctx.verdict("samples_contract",
                                       "the samples' total variance at the coarsest step is below the finest step's "
                                       "by more than 0.02",
                                       {{"finest", var.front()}, {"coarsest", var.back()}},
                                       var.back() < var.front() - 0.02);
    const std::string trend = ctx.verdict(
        "band_trend",
        "the share of samples in a band at the coarsest step against the finest, and whether it falls at every step",
        {{"shares", band}}, band.back() >= band.front() ? "no loss" : monotone ? "falls at every step" : "falls");
    const double step_ratio = dts[4] / dts[1];
    const bool proportional = ctx.verdict(
        "drift_proportional", "the drift's ratio between the two steps is within 2 of the steps' ratio",
        {{"drift_ratio", drift[4] / drift[1]}, {"step_ratio", step_ratio}},
        std::fabs(drift[4] / drift[1] - step_ratio) < 2.0);
    const bool close = ctx.verdict("middle_step_close",
                                   "the share in a band at the middle step is within one percentage point of the "
                                   "finest step's",
                                   {{"middle", band[2]}, {"finest", band[0]}}, std::fabs(band[2] - band[0]) < 0.01);
    const std::string rings_txt = rings_sentence(ctx, ctx.stats["figures"]["dt0"]["share_per_ring"],
                                                 ctx.stats["figures"][fmt::format("dt{}", dts.size() - 1)]["share_per_ring"],
                                                 m.scale);

    ctx.text = ctx.section() + fmt::format(
        R"(Figure~\ref{{fig:fm-q4-time-quantization}} integrates the same 1000 prior points with five
step sizes ({solver} steps). Table~\ref{{tab:fm-q4-time-quantization}} gives, for each, the
share of points inside a ring band, the sliced 2-Wasserstein distance to 5000 held-out
points, the mean distance of each point from where a fine integration puts it
(fourth-order Runge--Kutta with $\Delta t = 0.002$), and the cloud's total variance
(the data's is {vdata}).

\begin{{table}}[htbp]
  \centering\small
  \begin{{tabular}}{{rrcccc}}
    $\Delta t$ & steps & in a band & distance to data & to the fine end point & total variance\\\hline
{rows}  \end{{tabular}}
  \caption{{Flow matching: sample quality against the integration step.}}
  \label{{tab:fm-q4-time-quantization}}
\end{{table}}

Coarser steps {trend}: the share in a band goes from {b0} at $\Delta t = 0.002$ to {b4} at
$\Delta t = 0.2$, and the points land on average {d4} standardised units from their
fine-step end points at $\Delta t = 0.2$ against {d0} at $\Delta t = 0.002$, an error that
grows {prop} with $\Delta t$ ({ratio} times from $\Delta t = 0.02$ to $0.2$). {contract}
The reason is the last step. From $y$ at time $t$, a step to $t = 1$ lands on
$y + (1-t)\,v(y, t)$, and for the field Eq.~13 defines, $v(y, t) = \mathrm{{E}}[x_1 - x_0 \mid y_t = y]$,
that is exactly $\mathrm{{E}}[x_1 \mid y_t = y]$: an average of the ring points that could
have produced $y$, which lies between them rather than on a ring. Measured at
$\Delta t = 0.2$: the last step from $t = {tl}$ moves the points by {step} on average and
lands {post} from the posterior means $\mathrm{{E}}[x_1 \mid y]$ computed from 5000 held-out
points, whose own total variance is {vpost} (the samples' is {vlast}). {close}The flow is learnt in continuous
time; its quantization is a numerical error of the sampler, not a property of the model,
and it vanishes as $\Delta t \to 0$.

)",
        fmt::arg("solver", fm::solver_name(base.solver)),
        fmt::arg("vdata", tex_fixed(var_data, 2)), fmt::arg("rows", st.rows),
        fmt::arg("trend", trend == "no loss"               ? "do not lower the share in a band"
                          : trend == "falls at every step" ? "degrade the samples step by step"
                                                           : "degrade the samples, though not strictly at every step"),
        fmt::arg("b0", report::tex_percent(band.front())), fmt::arg("b4", report::tex_percent(band.back())),
        fmt::arg("d0", tex_fixed(drift.front(), 3)), fmt::arg("d4", tex_fixed(drift.back(), 3)),
        fmt::arg("prop", proportional ? "about in proportion" : "but not in proportion"),
        fmt::arg("ratio", tex_fixed(drift[4] / drift[1], 1)),
        fmt::arg("contract",
                 contracts ? fmt::format("The main visible effect is that the samples contract toward the "
                                         "middle: the total variance falls from {} to {}. {}",
                                         tex_fixed(var.front(), 2), tex_fixed(var.back(), 2), rings_txt)
                           : fmt::format("The samples do not contract: their total variance is {} at "
                                         "$\\Delta t = {:g}$ and {} at $\\Delta t = {:g}$.",
                                         tex_fixed(var.front(), 2), dts.front(), tex_fixed(var.back(), 2),
                                         dts.back())),
        fmt::arg("tl", tex_fixed(ls["t"].get<double>(), 1)),
        fmt::arg("step", tex_fixed(ls["step_length"].get<double>(), 3)),
        fmt::arg("post", tex_fixed(ls["distance_to_posterior_mean"].get<double>(), 3)),
        fmt::arg("vpost", tex_fixed(ls["posterior_total_variance"].get<double>(), 2)),
        fmt::arg("vlast", tex_fixed(var.back(), 2)),
        fmt::arg("close", close
                              ? fmt::format("With {} steps the share in a band, {}, is within one point "
                                            "of the finest step's. ", fm::step_count(0, 1, dts[2]),
                                            report::tex_percent(band[2]))
                              : std::string())) +
        ctx.figure_float(report::panel_grid(st.panels, 3), "Flow matching: 1000 samples with five integration steps.");
}

FLOWREPORT_CHAPTER("rings", "fm-q4-time-quantization", fm_flags, fm_q4_time_quantization)

}  // namespace flow::chapters
