// fm-q2-progression's snapshots of the flow and their comparison with the law of y_t
// (fm_q2.hpp).
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



// Law of y_t = t x1 + (1 - t) x0 with x1 ~ data, x0 ~ N(0, I) independent:
// Cov(y_t) = t^2 Cov(x1) + (1 - t)^2 I. Its standard error for n points is about
// sqrt((S_aa S_bb + S_ab^2) / n) per entry (Gaussian fourth moments). Records the law in
// j (a panel's cloud_json) and its comparison in rows.
void compare_with_law(nlohmann::json& j, const report::CloudStats& data_cov, double t, std::size_t n, Rows& r) {
    const auto& c = j["cov"];  // the panel's covariance, as cloud_json measured it
    double pred[2][2];
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b) pred[a][b] = t * t * data_cov.cov[a][b] + (a == b ? (1 - t) * (1 - t) : 0.0);
    j["cov_law"] = {{pred[0][0], pred[0][1]}, {pred[1][0], pred[1][1]}};
    const int entries[3][2] = {{0, 0}, {1, 1}, {0, 1}};
    for (int e = 0; e < 3; ++e) {
        const int a = entries[e][0], b = entries[e][1];
        const double se = std::sqrt((pred[a][a] * pred[b][b] + pred[a][b] * pred[a][b]) / double(n));
        const double dev = c[a][b].get<double>() - pred[a][b];
        r.worst_z = std::max(r.worst_z, std::fabs(dev) / se);
        if (std::fabs(dev) > r.worst_dev) {
            r.worst_dev = std::fabs(dev);
            r.worst_t = t;
        }
        r.cov[e] += " & " + tex_fixed(c[a][b].get<double>(), 2);
        r.law[e] += " & " + tex_fixed(pred[a][b], 2);
    }
    r.trace.push_back(c[0][0].get<double>() + c[1][1].get<double>());
}

std::string table_tex(const Rows& r, std::size_t P, std::size_t L) {
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small\setlength{{\tabcolsep}}{{3.5pt}}
  \begin{{tabular}}{{l{cols}}}
    $t$ (NF: share of layers){head}\\\hline
    FM: $\mathrm{{Var}}\,y_1$, measured{cov0}\\
    \quad the law{law0}\\
    FM: $\mathrm{{Var}}\,y_2$, measured{cov1}\\
    \quad the law{law1}\\
    FM: $\mathrm{{Cov}}(y_1, y_2)$, measured{cov2}\\
    \quad the law{law2}\\
    FM: distance to data{row_fm}\\
    NF: distance to data{row_nf}\\
    FM: in a band{row_fm_band}\\
    NF: in a band{row_nf_band}\\
  \end{{tabular}}
  \caption{{Flow matching (FM) at time $t$ against the law of $t x_1 + (1-t) x_0$, and both
  models' distance to the data (sliced 2-Wasserstein to 5000 held-out points) with the
  normalizing flow (NF) after the same fraction of its {L} layers, from the same prior points.}}
  \label{{tab:fm-q2-progression}}
\end{{table}})",
        fmt::arg("cols", std::string(P, 'c')), fmt::arg("head", r.head),
        fmt::arg("cov0", r.cov[0]), fmt::arg("cov1", r.cov[1]), fmt::arg("cov2", r.cov[2]),
        fmt::arg("law0", r.law[0]), fmt::arg("law1", r.law[1]), fmt::arg("law2", r.law[2]),
        fmt::arg("L", L), fmt::arg("row_fm", r.fm), fmt::arg("row_nf", r.nf),
        fmt::arg("row_fm_band", r.fm_band), fmt::arg("row_nf_band", r.nf_band));
}

Clauses clauses(Context& ctx, const Rows& r, const std::vector<double>& at_t, std::size_t dip) {
    const auto& tr = r.trace;
    const std::size_t P = tr.size();
    Clauses cl;
    const bool contracts = ctx.verdict(
        "cloud_contracts_first",
        "the total variance's smallest value, at a panel strictly between the first and the last, is below both "
        "ends' by more than 0.02",
        {{"first", tr.front()}, {"smallest", tr[dip]}, {"last", tr.back()}},
        dip > 0 && dip + 1 < P && tr[dip] < tr.front() - 0.02 && tr[dip] < tr.back() - 0.02);
    cl.contraction =
        contracts ? fmt::format("The total variance falls from {} to {} at $t = {}$ and returns to {}, as the "
                                "law's $t^2 + (1-t)^2$ per coordinate dips to $1/2$ at $t = 1/2$: the cloud first "
                                "contracts.",
                                tex_fixed(tr.front(), 2), tex_fixed(tr[dip], 2), time_label(at_t[dip]),
                                tex_fixed(tr.back(), 2))
                  : fmt::format("The total variance goes from {} to {} (smallest {} at $t = {}$), where the law's "
                                "$t^2 + (1-t)^2$ per coordinate dips to $1/2$ at $t = 1/2$: the cloud does not "
                                "clearly contract first.",
                                tex_fixed(tr.front(), 2), tex_fixed(tr.back(), 2), tex_fixed(tr[dip], 2),
                                time_label(at_t[dip]));
    cl.blend = ctx.verdict("fm_follows_law",
                           "every panel's covariance is within 4 standard errors of the law's",
                           {{"max_standard_errors", r.worst_z}}, r.worst_z < 4)
                   ? "are this known blend"
                   : "follow this known blend only roughly";
    double inner = 0;
    for (std::size_t i = 1; i + 1 < P; ++i) inner = std::max(inner, r.sw_nf[i]);
    cl.nf_way = ctx.verdict("nf_layers_leave_path",
                            "some intermediate layer's distance to the data is above both the prior's and the output's",
                            {{"largest_inner", inner}, {"prior", r.sw_nf.front()}, {"output", r.sw_nf.back()}},
                            inner > std::max(r.sw_nf.front(), r.sw_nf.back()))
                    ? "that look like neither the prior nor the data"
                    : "between the prior and the data";
    return cl;
}

}  // namespace flow::chapters::fm_q2
