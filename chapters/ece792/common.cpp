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

Difference nll_difference(const std::vector<double>& log_p_a, const std::vector<double>& log_p_b) {
    // NLL_a - NLL_b = mean(log p_b - log p_a).
    return model::paired_difference(log_p_b, log_p_a);
}

std::string pm(const Difference& d, int decimals) {
    return report::tex_fixed(d.mean, decimals) + " \\pm " + report::tex_fixed(d.se, decimals);
}

std::vector<GridFit> grid_fits(Context& ctx) {
    std::vector<GridFit> g;
    for (const auto& set : grid_sets())
        for (std::size_t h : grid_widths())
            for (std::size_t c : grid_couplings()) {
                GridFit f;
                f.set = set;
                f.couplings = c;
                f.hidden = h;
                const std::string name = grid_name(set, c, h);
                f.fit = model::fit_of(name, ctx.load(name));
                f.pts = model::points_of(f.fit);
                Rng prior = ctx.rng("prior/" + set);
                f.z = model::normal_draws(prior, 1000);
                f.samples = f.fit.generate(f.z);
                f.m = model::measure(f.fit, f.pts, f.samples);
                f.truth_log_p = truth_log_p(set, f.fit.scale, f.pts.held);
                for (double v : f.truth_log_p) f.truth_nll -= v / double(f.truth_log_p.size());
                f.excess = nll_difference(f.m.held_log_p, f.truth_log_p);
                auto j = f.m.to_json();
                j["truth_nll"] = f.truth_nll;
                j["excess"] = f.excess.mean;
                j["excess_se"] = f.excess.se;
                j["parameters"] = f.fit.parameters;
                j["train_seconds"] = f.fit.train_seconds;
                ctx.stats["grid"][grid_name(set, c, h)] = j;
                g.push_back(std::move(f));
            }
    return g;
}

const GridFit& grid_fit(const std::vector<GridFit>& g, const std::string& set, std::size_t couplings,
                        std::size_t hidden) {
    for (const auto& f : g)
        if (f.set == set && f.couplings == couplings && f.hidden == hidden) return f;
    throw std::logic_error("no grid fit " + grid_name(set, couplings, hidden));
}

std::string grid_settings(const std::vector<GridFit>& g) {
    const Fit& c = g.front().fit;
    return fmt::format(
        "Every model of the grid trains on the same {} training points for {} epochs of batches of {}, with Adam at a "
        "learning rate of {:g} annealed to 0 (cosine); each coupling network has one hidden layer (LeakyReLU), and "
        "the last layer of each starts at zero, so that every flow starts as the identity",
        c.points, c.epochs, c.batch, c.lr);
}

}  // namespace flow::chapters::ece792
