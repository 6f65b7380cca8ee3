// Table 1 (every method and baseline on every data set) and the gap measurement the
// comparison chapters share (common.hpp).
#include "common.hpp"
#include "density/baselines.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;

struct Entry {
    std::string model;
    Spread nll;
    double original = 0;  // the mean in the original units
};

std::vector<Entry> baseline_entries(const std::vector<Baselines>& b) {
    std::vector<double> g, m, k, go, mo, ko;
    std::size_t kmin = 99, kmax = 0;
    for (const auto& x : b) {
        g.push_back(x.gauss), m.push_back(x.mixture), k.push_back(x.kde);
        go.push_back(x.gauss + x.offset), mo.push_back(x.mixture + x.offset), ko.push_back(x.kde + x.offset);
        kmin = std::min(kmin, x.components), kmax = std::max(kmax, x.components);
    }
    const std::string comps = kmin == kmax ? fmt::format("{}", kmin) : fmt::format("{}--{}", kmin, kmax);
    return {{"standard Gaussian", spread(g), spread(go).mean},
            {fmt::format("Gaussian mixture ({} comp.)", comps), spread(m), spread(mo).mean},
            {"kernel density", spread(k), spread(ko).mean}};
}

Entry flow_entry(const std::string& method, const std::vector<Scored>& fits) {
    std::vector<double> h, raw;
    for (const auto& s : fits) h.push_back(s.held_nll), raw.push_back(s.held_nll + s.offset);
    return {method_title(method), spread(h), spread(raw).mean};
}

// One data set's rows, the lowest mean (as printed) in bold.
std::string rows_of(const std::vector<Entry>& entries) {
    double best = INFINITY;
    for (const auto& e : entries) best = std::min(best, e.nll.mean);
    std::string rows;
    for (const auto& e : entries) {
        const bool b = tex_fixed(e.nll.mean, 2) == tex_fixed(best, 2);  // ties as printed are all bold
        rows += fmt::format("& {} & {}{}{} & {} \\\\\n", e.model, b ? "\\textbf{" : "", pm(e.nll), b ? "}" : "",
                            tex_fixed(e.original, 2));
    }
    return rows;
}

}  // namespace

std::string results_table(const std::vector<std::vector<std::vector<Scored>>>& all,
                          const std::vector<std::vector<Baselines>>& base, std::size_t fits) {
    std::string rows;
    for (std::size_t d = 0; d < data_sets().size(); ++d) {
        rows += fmt::format("\\multicolumn{{4}}{{l}}{{\\emph{{{}}}}} \\\\\n", data_title(data_sets()[d]));
        auto entries = baseline_entries(base[d]);
        for (std::size_t k = 0; k < methods().size(); ++k) entries.push_back(flow_entry(methods()[k], all[k][d]));
        rows += rows_of(entries);
        if (d + 1 < data_sets().size()) rows += "\\addlinespace\n";
    }
    return fmt::format(
        R"(\begin{{table}}[htbp]
  \centering\small\setlength{{\tabcolsep}}{{5pt}}
  \begin{{tabular}}{{llrr}}
    \toprule
    & & \multicolumn{{2}}{{c}}{{held-out NLL (nats)}} \\
    \cmidrule(lr){{3-4}}
    & model & standardised & original units \\
    \midrule
{}    \bottomrule
  \end{{tabular}}
  \caption{{Held-out NLL, mean $\pm$ standard deviation over {} fits per flow and the splits per baseline
  (original units: plus $\log \sigma_1\sigma_2$ of the split's scales, mean only; lowest standardised mean in bold). Mixture components and kernel bandwidth are chosen on validation
  points.}}
  \label{{tab:results}}
\end{{table}}
)",
        rows, fits);
}

double Gap::share(const Mat<float>& x) const {
    const double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    std::size_t in = 0;
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const double t = ((double(x(i, 0)) - a[0]) * dx + (double(x(i, 1)) - a[1]) * dy) / len2;
        in += t > 1.0 / 3 && t < 2.0 / 3;
    }
    return double(in) / double(x.shape(0));
}

Gap blob_gap(Context& ctx) {
    const data::Dataset& d = data::dataset(data::split_name("two-blobs", 1));
    const data::PointSet train = data::standardise(d.train_rows);
    Rng rng = ctx.rng("gap/mixture");
    const auto mix = density::fit_mixture(train.x, 2, rng);
    Gap g;
    g.a = mix.components[0].mean;
    g.b = mix.components[1].mean;
    g.data_share = g.share(data::in_frame(data::standardise(d.all_rows), train.scale));
    ctx.stats["blob_gap"]["data"] = g.data_share;
    return g;
}

}  // namespace flow::chapters::dt8122
