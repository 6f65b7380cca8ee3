#include "common.hpp"

#include <cmath>

#include "report/latex.hpp"

namespace flow::chapters::ece792 {

const std::vector<std::string>& grid_sets() {
    static const std::vector<std::string> s{"moons", "circles"};
    return s;
}
const std::vector<std::size_t>& grid_couplings() {
    static const std::vector<std::size_t> c{1, 3, 5};
    return c;
}
const std::vector<std::size_t>& grid_widths() {
    static const std::vector<std::size_t> w{512, 1024};
    return w;
}

std::string couplings_list() {
    const auto& c = grid_couplings();
    std::string s;
    for (std::size_t i = 0; i < c.size(); ++i) s += (i == 0 ? "" : i + 1 == c.size() ? " and " : ", ") + std::to_string(c[i]);
    return s;
}

std::vector<double> truth_log_p(const std::string& set, const data::Standardiser& frame, const Mat<float>& u) {
    const data::Dataset& d = data::dataset(set);
    const double log_std = std::log(frame.std[0] * frame.std[1]);
    std::vector<double> lp(u.shape(0));
    for (std::size_t i = 0; i < lp.size(); ++i) {
        const auto r = frame.to_raw(u(i, 0), u(i, 1));
        lp[i] = d.log_density(r[0], r[1]) + log_std;
    }
    return lp;
}

std::vector<double> Cell::excesses() const {
    std::vector<double> v;
    for (const auto& f : fits) v.push_back(f.excess);
    return v;
}

namespace {

SeedFit measure_fit(Context& ctx, const std::string& name, const std::string& set) {
    SeedFit f;
    f.fit = model::fit_of(name, ctx.load(name));
    f.pts = model::points_of(f.fit);
    Rng prior = ctx.shared_rng("prior/" + set);
    f.z = model::normal_draws(prior, 1000);
    f.samples = f.fit.generate(f.z);
    f.m = model::measure(f.fit, f.pts, f.samples);
    f.truth_log_p = truth_log_p(set, f.fit.scale, f.pts.held);
    for (double v : f.truth_log_p) f.truth_nll -= v / double(f.truth_log_p.size());
    f.excess = f.m.nll - f.truth_nll;
    const std::size_t per_epoch = steps_per_epoch(f.fit);
    f.steps = f.fit.val_loss.size() * per_epoch;
    f.kept_step = f.fit.kept_epoch * per_epoch;
    const double total = double(f.fit.epochs * per_epoch);
    f.stop_rate = 0.5 * (1 + std::cos(M_PI * double(f.kept_step) / total));
    return f;
}

}  // namespace

Cell load_cell(Context& ctx, const std::string& family, const std::string& set, std::size_t couplings,
               std::size_t hidden) {
    Cell c;
    c.name = family;
    c.set = set;
    c.couplings = couplings;
    c.hidden = hidden;
    std::vector<double> nlls;
    for (const auto& name : ctx.manifest().fits(family)) {
        c.fits.push_back(measure_fit(ctx, name, set));
        const SeedFit& f = c.fits.back();
        nlls.push_back(f.m.nll);
        auto j = f.m.to_json();
        j["truth_nll"] = f.truth_nll;
        j["excess"] = f.excess;
        j["steps"] = f.steps;
        j["kept_step"] = f.kept_step;
        j["stop_rate"] = f.stop_rate;
        ctx.stats["cells"][family][name] = j;
    }
    c.excess = model::spread(c.excesses());
    c.nll = model::spread(nlls);
    ctx.stats["cells"][family]["excess"] = {{"mean", c.excess.mean}, {"sd", c.excess.sd}};
    return c;
}

std::vector<Cell> grid_cells(Context& ctx) {
    std::vector<Cell> g;
    for (const auto& set : grid_sets())
        for (std::size_t h : grid_widths())
            for (std::size_t c : grid_couplings()) g.push_back(load_cell(ctx, cell_name(set, c, h), set, c, h));
    return g;
}

const Cell& cell_of(const std::vector<Cell>& g, const std::string& set, std::size_t couplings, std::size_t hidden) {
    for (const auto& c : g)
        if (c.set == set && c.couplings == couplings && c.hidden == hidden) return c;
    throw std::logic_error("no cell " + cell_name(set, couplings, hidden));
}

Compared compare_excess(const Cell& a, const Cell& b) {
    return {model::paired(a.excesses(), b.excesses()).diff, model::separation(a.excesses(), b.excesses())};
}

std::string pm(const Spread& s, int decimals) {
    return report::tex_fixed(s.mean, decimals) + " \\pm " + report::tex_fixed(s.sd, decimals);
}

std::string grid_settings(const std::vector<Cell>& g) {
    const Fit& c = g.front().fits.front().fit;
    const std::size_t per_epoch = steps_per_epoch(c);
    return fmt::format(
        "Adam on batches of {}, gradients clipped to norm {:g}, rate annealed to 0 over {} steps (cosine); a fit stops "
        "once its validation NLL has not improved for {} steps and keeps its best parameters",
        c.batch, c.config.value("clip", 0.0), report::tex_count((long long)(c.epochs * per_epoch)),
        report::tex_count((long long)(c.config.value("patience", 0) * per_epoch)));
}

}  // namespace flow::chapters::ece792
