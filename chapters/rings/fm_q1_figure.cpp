// fm-q1-loss's figure: every batch's loss on a logarithmic axis, with the validation
// losses (fm_q1.hpp).
#include <algorithm>
#include <cmath>

#include "fm_q1.hpp"
#include "report/latex.hpp"

namespace flow::chapters::fm_q1 {

double mean_loss(const std::vector<float>& bl, std::size_t a, std::size_t b) {
    double sum = 0;
    for (std::size_t i = a; i < b; ++i) sum += bl[i];
    return sum / double(b - a);
}

namespace {

// The batches in runs that grow geometrically (each at least a batch): per run the
// range (band, one polygon) and the mean, at the run's geometric middle. Returns the
// longest run.
std::size_t batch_runs(const std::vector<float>& bl, std::size_t runs, std::vector<std::vector<double>>& band,
                       std::vector<std::vector<double>>& mean) {
    const std::size_t nb = bl.size();
    std::size_t s = 0, longest = 1;
    std::vector<std::pair<double, double>> lower;
    for (std::size_t r = 1; s < nb; ++r) {
        const auto edge = std::size_t(std::llround(std::pow(double(nb), double(r) / double(runs))));
        const std::size_t e = std::min(nb, std::max(s + 1, edge));
        const auto [lo, hi] = std::minmax_element(bl.begin() + long(s), bl.begin() + long(e));
        const double mid = std::sqrt(double(s + 1) * double(e));  // batches numbered from 1
        band[0].push_back(mid);
        band[1].push_back(*hi);
        lower.push_back({mid, *lo});
        mean[0].push_back(mid);
        mean[1].push_back(mean_loss(bl, s, e));
        longest = std::max(longest, e - s);
        s = e;
    }
    for (auto it = lower.rbegin(); it != lower.rend(); ++it) {  // the band as one polygon
        band[0].push_back(it->first);
        band[1].push_back(it->second);
    }
    return longest;
}

}  // namespace

// The figure: the min-max band and mean per run of batches, on a log batch axis, with the
// validation losses (the mean drawn again over them). Runs grow geometrically (each one at least a batch), so that the
// first epoch's fall is as visible as the last epochs' plateau. Returns the longest run.
std::size_t loss_figure(Context& ctx, const fm::Model& m) {
    const auto& bl = m.batch_loss;
    const std::size_t nb = bl.size(), per_epoch = nb / m.history.size(), runs = 300;
    std::vector<std::vector<double>> band(2), mean(2), val(2), val_train(2);
    const std::size_t longest = batch_runs(bl, runs, band, mean);
    for (const auto& h : m.history) {
        for (auto* v : {&val, &val_train}) (*v)[0].push_back(double(h.epoch * per_epoch));
        val[1].push_back(h.val_loss);
        val_train[1].push_back(h.val_loss_train_times);
    }
    const auto [lo_all, hi_all] = std::minmax_element(bl.begin(), bl.end());
    const double ymin = std::max(0.0, *lo_all - 0.1), ymax = std::min(*hi_all + 0.1, 6.0);
    std::string epochs;  // a dashed line at the end of epochs 1, 10, 100, ... before the last
    for (std::size_t e = 1; e < m.history.size(); e *= 10)
        epochs += fmt::format("\\draw[densely dashed, black!35] (axis cs:{0},{1}) -- (axis cs:{0},{2}) "
                              "node[pos=1, anchor=south, font=\\scriptsize, black!60] {{epoch {3}}};\n",
                              e * per_epoch, ymin, ymax, e);
    const bool log_times = m.config.time_sampling == fm::TimeSampling::Log;
    const std::string tikz = fmt::format(R"(\begin{{tikzpicture}}
\begin{{axis}}[fr line chart, width=10cm, xmode=log, xlabel={{training batch}},
  ylabel={{loss (Eq.~16)}}, xmin=1, xmax={xmax}, ymin={ymin}, ymax={ymax}, clip=false,
  legend style={{at={{(1.03,1)}}, anchor=north west}}]
\addplot[fill=black!18, draw=none, area legend] table[x=t, y=loss] {{band.dat}};
\addlegendentry{{batches: range}}
\addplot[thin, black] table[x=t, y=loss] {{mean.dat}};
\addlegendentry{{batches: mean}}
\addplot[only marks, mark=square*, mark size=1.2pt, blue!70!black] table[x=t, y=loss] {{val_train.dat}};
\addlegendentry{{validation, {train_law}}}
\addplot[only marks, mark=*, mark size=1.3pt, red!75!black] table[x=t, y=loss] {{val.dat}};
\addlegendentry{{validation, $t \sim U[0, 1]$}}
\addplot[thin, black, forget plot] table[x=t, y=loss] {{mean.dat}};
{epochs}\end{{axis}}
\end{{tikzpicture}}
)",
                                         fmt::arg("per", per_epoch), fmt::arg("xmax", nb),
                                         fmt::arg("ymin", ymin), fmt::arg("ymax", ymax),
                                         fmt::arg("train_law", log_times ? "training's $t$" : "training's draws"),
                                         fmt::arg("epochs", epochs));
    ctx.figure("loss", tikz,
               {{"band.dat", report::dat_table({"t", "loss"}, band)},
                {"mean.dat", report::dat_table({"t", "loss"}, mean)},
                {"val.dat", report::dat_table({"t", "loss"}, val)},
                {"val_train.dat", report::dat_table({"t", "loss"}, val_train)}});
    ctx.stats["figures"]["loss"] = {{"batches", nb}, {"runs", band[0].size() / 2}, {"min", *lo_all}, {"max", *hi_all}};
    return longest;
}

}  // namespace flow::chapters::fm_q1
