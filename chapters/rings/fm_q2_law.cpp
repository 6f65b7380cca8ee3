// fm-q2-progression's snapshots of the flow, their comparison with the law of y_t, and
// the table (fm_q2.hpp).
#include <algorithm>
#include <cmath>

#include "fm_q2.hpp"
#include "report/latex.hpp"

namespace flow::chapters::fm_q2 {

using report::tex_fixed;

std::string time_label(double t) { return fmt::format("{:g}", std::round(100 * t) / 100); }

Snapshots snapshots(fm::Model& m, const nn::Mat<float>& z, const fm::Integration& how,
                    const std::vector<double>& want) {
    const std::size_t steps = fm::step_count(0, 1, how.dt);
    Snapshots s{std::vector<nn::Mat<float>>(want.size()), std::vector<double>(want.size())};
    fm::forward_flow(m.field, z, how, nullptr, [&](std::size_t k, double t, const nn::Mat<float>& y) {
        for (std::size_t i = 0; i < want.size(); ++i)
            if (k == std::size_t(std::llround(want[i] * double(steps)))) {
                s.y[i] = y;
                s.t[i] = t;
            }
    });
    return s;
}

void compare_with_law(nlohmann::json& j, const report::CloudStats& data_cov, double t, std::size_t n, Rows& r) {
    const auto& c = j["cov"];  // the panel's covariance, as cloud_json measured it
    double pred[2][2];
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b) pred[a][b] = t * t * data_cov.cov[a][b] + (a == b ? (1 - t) * (1 - t) : 0.0);
    j["cov_law"] = {{pred[0][0], pred[0][1]}, {pred[1][0], pred[1][1]}};
    const int entries[3][2] = {{0, 0}, {1, 1}, {0, 1}};
    for (const auto& e : entries) {
        const int a = e[0], b = e[1];
        const double se = std::sqrt((pred[a][a] * pred[b][b] + pred[a][b] * pred[a][b]) / double(n));
        r.worst_z = std::max(r.worst_z, std::fabs(c[a][b].get<double>() - pred[a][b]) / se);
    }
    r.trace.push_back(c[0][0].get<double>() + c[1][1].get<double>());
}

std::string table_tex(const Rows& r, std::size_t L, bool same_start) {
    std::string head, sw_fm, sw_nf;
    for (std::size_t i = 0; i < r.t.size(); ++i) {
        head += " & " + time_label(r.t[i]);
        sw_fm += " & " + tex_fixed(r.sw_fm[i], 2);
        sw_nf += " & " + tex_fixed(r.sw_nf[i], 2);
    }
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small\setlength{{\tabcolsep}}{{3.5pt}}
  \begin{{tabular}}{{l{cols}}}
    $t${head}\\\hline
    FM{sw_fm}\\
    NF{sw_nf}\\
  \end{{tabular}}
  \caption{{Distance to held-out data (sliced 2-Wasserstein: 1-D Wasserstein distances of
  projections, averaged over directions) of flow matching (FM) at time $t$ and the normalizing
  flow (NF) after a share $t$ of its {L} layers.{start}}}
  \label{{tab:fm-q2-progression}}
\end{{table}})",
        fmt::arg("cols", std::string(r.t.size(), 'c')), fmt::arg("L", L), fmt::arg("head", head),
        fmt::arg("sw_fm", sw_fm), fmt::arg("sw_nf", sw_nf),
        fmt::arg("start", same_start ? "" : " At $t = 0$ the rows differ only because each model standardises by "
                                            "its own training sample."));
}

}  // namespace flow::chapters::fm_q2
