// fm-q4-time-quantization's steps: each step size integrated and measured (fm_q4.hpp).
#include <algorithm>
#include <cmath>

#include "fm_q4.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters::fm_q4 {

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

}  // namespace

double total_variance(const nn::Mat<float>& x) {
    const auto c = report::cloud_stats(x);
    return c.cov[0][0] + c.cov[1][1];
}

namespace {

double mean_distance(const nn::Mat<float>& a, const nn::Mat<float>& b) {
    double d = 0;
    for (std::size_t p = 0; p < a.shape(0); ++p)
        d += std::hypot(a(p, 0) - b(p, 0), a(p, 1) - b(p, 1)) / double(a.shape(0));
    return d;
}

}  // namespace

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
    const bool lose = ctx.verdict("rings_lose_points", "the ring whose share falls most does lose samples",
                                  {{"largest_loss", -loss[0].first}}, loss[0].first < 0);
    return fmt::format(
        "The rings that {} are {} ({} and {}), while {} {} ({}).", lose ? "lose most points" : "gain least",
        outer ? "the two farthest from the middle" : "these two", ring_change(loss[0].second),
        ring_change(loss[1].second), data::rings()[loss.back().second].colour,
        loss.back().first >= 0 ? "gains points" : "loses fewest", ring_change(loss.back().second, false));

}

}  // namespace flow::chapters::fm_q4
