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
    st.titles.push_back(fmt::format("$\\Delta t = {:g}$", dt));
    st.names.push_back(name);
    st.clouds.push_back(x);
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
    st.rows += fmt::format("    {:g} & {} & {} & {}\\\\\n", dt, report::tex_percent(st.band.back()),
                           report::tex_fixed(d, 3),
                           report::tex_fixed(st.var.back(), 2));
}

}  // namespace flow::chapters::fm_q4
