// The data sets and methods, the summaries over fits, and each data set's window and
// colour scale (common.hpp).
#include "common.hpp"

#include <map>
#include <mutex>

#include "core/normal.hpp"
#include "density/baselines.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

const std::vector<std::string>& data_sets() {
    static const std::vector<std::string> s{"two-moons", "two-blobs", "boomerang"};
    return s;
}

std::string data_title(const std::string& set) {
    std::string t = data::unsplit_name(set);
    std::replace(t.begin(), t.end(), '-', ' ');
    return t;
}

namespace {
const std::vector<std::pair<std::string, std::string>> kMethods{
    {"planar", "planar flow"}, {"realnvp", "Real NVP"}, {"cnf", "continuous flow"}};
}  // namespace

const std::vector<std::string>& methods() {
    static const std::vector<std::string> m{kMethods[0].first, kMethods[1].first, kMethods[2].first};
    return m;
}

std::string method_title(const std::string& method) {
    for (const auto& [name, title] : kMethods)
        if (name == method) return title;
    throw std::logic_error("unknown method " + method);
}

std::string first_fit(const Context& ctx, const std::string& method, const std::string& set) {
    return ctx.manifest().fits(family(method, set)).front();
}

std::string paired_outcome(Context& ctx, const std::string& name, const std::string& a, const std::string& b,
                           const Paired& p) {
    const std::size_t n = p.diff.n;
    return ctx.verdict(name, "held-out NLL of " + a + " minus " + b + ", paired over fits (same split and seed): "
                             "one lower in every fit",
                       {{"mean", p.diff.mean}, {"sd", p.diff.sd}, {"a_lower", p.a_lower}, {"fits", n}},
                       p.a_lower == n ? a + " lower in every fit" : p.a_lower == 0 ? b + " lower in every fit"
                                                                                  : "mixed");
}

std::vector<double> held(const std::vector<Scored>& fits) {
    std::vector<double> v;
    for (const auto& s : fits) v.push_back(s.held_nll);
    return v;
}

std::vector<double> per_fit(const std::vector<Scored>& fits, const std::vector<Baselines>& b,
                            double Baselines::*what) {
    std::vector<double> v;
    for (const auto& s : fits) v.push_back(b.at(s.split - 1).*what);
    return v;
}

std::string pm(const Spread& s, int decimals) {
    return report::tex_fixed(s.mean, decimals) + " $\\pm$ " + report::tex_fixed(s.sd, decimals);
}

std::string SetView::axis_options() const {
    return fmt::format("xmin={:g}, xmax={:g}, ymin={:g}, ymax={:g}, xtick distance={}, ytick distance={}", xmin, xmax,
                       ymin, ymax, tick_distance(xmax - xmin), tick_distance(ymax - ymin));
}

namespace {

SetView compute_view(const std::string& set) {
    const data::Dataset& d = data::dataset(data::split_name(set, 1));
    const data::Standardiser frame = data::standardise(d.train_rows).scale;
    SetView v{INFINITY, -INFINITY, INFINITY, -INFINITY, 0, 0};
    for (const auto& r : d.all_rows) {
        const auto s = frame.to_standard(r[0], r[1]);
        v.xmin = std::min(v.xmin, s[0]);
        v.xmax = std::max(v.xmax, s[0]);
        v.ymin = std::min(v.ymin, s[1]);
        v.ymax = std::max(v.ymax, s[1]);
    }
    v.xmin = std::floor(v.xmin * 2 - 0.5) / 2;  // half a unit beyond the farthest point, on the half grid
    v.ymin = std::floor(v.ymin * 2 - 0.5) / 2;
    v.xmax = std::ceil(v.xmax * 2 + 0.5) / 2;
    v.ymax = std::ceil(v.ymax * 2 + 0.5) / 2;
    const auto train = data::in_frame(data::standardise(d.train_rows), frame);
    const auto val = data::in_frame(data::standardise(d.val_rows), frame);
    const auto kde = density::choose_kde(train, val);
    Mat<float> grid = Mat<float>::from_shape({100 * 100, 2});
    for (std::size_t i = 0; i < 100; ++i)
        for (std::size_t j = 0; j < 100; ++j) {
            grid(i * 100 + j, 0) = float(v.xmin + (v.xmax - v.xmin) * (double(j) + 0.5) / 100);
            grid(i * 100 + j, 1) = float(v.ymin + (v.ymax - v.ymin) * (double(i) + 0.5) / 100);
        }
    const auto lp = kde.model.log_prob(grid);
    v.top = std::ceil(*std::max_element(lp.begin(), lp.end()) + 0.5);
    v.bottom = v.top - 8.0;
    return v;
}

}  // namespace

SetView set_view(const std::string& set) {
    static std::mutex lock;
    static std::map<std::string, SetView> views;
    const std::lock_guard<std::mutex> hold(lock);
    const auto it = views.find(set);
    if (it != views.end()) return it->second;
    return views[set] = compute_view(set);
}

Mat<float> prior_draws(Context& ctx, const std::string& set, std::size_t n) {
    Rng rng = ctx.shared_rng("prior/" + set);
    return model::normal_draws(rng, n);
}

std::string row_axis(std::size_t j, const std::string& options) {
    // Every panel the same square box, so that the rows' columns line up whatever each
    // data set's window; room between them for the next panel's tick labels and name.
    const std::string at = j == 0 ? "" : fmt::format(", at={{(p{}.east)}}, anchor=west, xshift=0.9cm", j - 1);
    return fmt::format("\\begin{{axis}}[fr row panel, axis equal=false, scale only axis, width=2.05cm, height=2.05cm, "
                       "name=p{}{}, {}]\n",
                       j, at, options);
}

std::string panel_marks(const report::View& view, const std::vector<Cloud>& clouds, const std::string& png,
                        report::Files& files) {
    const double box = 2.05 * report::kPtPerCm;  // row_axis's width and height
    report::RasterLayer layer(view, box, box);
    for (const auto& c : clouds) layer.marks(*c.points, c.ink, 0.45);
    files.push_back({png, layer.png()});
    return layer.addplot(png);
}

}  // namespace flow::chapters::dt8122
