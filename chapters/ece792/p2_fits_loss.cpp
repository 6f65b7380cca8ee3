// p2-fits' loss figure: the training and validation NLL of each cell's first fit
// (p2_fits.hpp).
#include <algorithm>
#include <cmath>

#include "p2_fits.hpp"
#include "report/latex.hpp"
#include "report/raster_layer.hpp"

namespace flow::chapters::ece792 {

namespace {

// Ticks of a log axis from [lo, hi]: round values, each at least a sixth of the axis's
// height above the one below, so that their labels do not overprint.
std::string log_ticks(double lo, double hi) {
    std::string out;
    double last = 0;
    for (const double t : {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0, 50.0, 100.0}) {
        if (t < lo || t > hi || (last > 0 && std::log(t / last) < std::log(hi / lo) / 6)) continue;
        out += fmt::format("{}{:g}", out.empty() ? "" : ",", t);
        last = t;
    }
    return out;
}

// A tick spacing giving two to four ticks over [0, span].
double ticks_over(double span) {
    const double p = std::pow(10.0, std::floor(std::log10(span)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (span / (m * p) <= 4) return m * p;
    return 10 * p;
}

// One row of the loss figure: a set at one width, a panel per number of couplings, one
// vertical range for the row that holds every value of its curves (a log scale, so that
// a spike of the training loss shows whole without flattening the rest).
std::string loss_row(const std::vector<Cell>& g, const std::string& set, std::size_t h, std::size_t row, bool last,
                     double kilosteps, std::vector<std::pair<std::string, std::string>>& files, nlohmann::json& stats) {
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t c : grid_couplings()) {
        const Fit& f = cell_of(g, set, c, h).fits.front().fit;
        for (const auto* v : {&f.train_loss, &f.val_loss})
            for (double x : *v) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
    }
    stats[set + "-" + std::to_string(h)] = {{"lowest", lo}, {"highest", hi}};
    const bool log_scale = lo > 0;
    std::string tikz;
    for (std::size_t col = 0; col < grid_couplings().size(); ++col) {
        const Cell& c = cell_of(g, set, grid_couplings()[col], h);
        const Fit& f = c.fits.front().fit;
        // x: thousands of Adam steps at each epoch's end.
        const double per_epoch = double(steps_per_epoch(f)) / 1000;
        // The epochs a panel about 100 pt wide can show apart: each curve's lowest and
        // highest point per point of width (report::thin_polyline), for both curves.
        std::vector<double> steps;
        for (std::size_t e = 0; e < f.val_loss.size(); ++e) steps.push_back(double(e + 1) * per_epoch);
        std::vector<std::size_t> kept = report::thin_polyline(steps, f.train_loss, 100);
        const std::vector<std::size_t> kept_val = report::thin_polyline(steps, f.val_loss, 100);
        kept.insert(kept.end(), kept_val.begin(), kept_val.end());
        std::sort(kept.begin(), kept.end());
        kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
        std::string dat = "step train val\n";
        for (std::size_t e : kept)
            dat += fmt::format("{:.3f} {:.5f} {:.5f}\n", steps[e], f.train_loss[e], f.val_loss[e]);
        const std::string file = c.name + "-loss.dat";
        files.push_back({file, dat});
        const std::string at = col > 0   ? fmt::format(", at={{(l{}{}.east)}}, anchor=west, xshift=0.3cm", row, col - 1)
                               : row > 0 ? fmt::format(", at={{(l{}0.south)}}, anchor=north, yshift=-0.35cm", row - 1)
                                         : "";
        std::string opts = fmt::format(
            "width=5.0cm, height=3.3cm, grid=major, grid style={{black!8}}, tick label style={{font=\\scriptsize}}, "
            "label style={{font=\\scriptsize}}, xmin=0, xmax={:.3f}, xtick distance={:g}, ymin={:.3f}, ymax={:.3f}{}",
            kilosteps, ticks_over(kilosteps), log_scale ? lo / 1.03 : lo - 0.1, log_scale ? hi * 1.03 : hi + 0.1,
            log_scale ? ", ymode=log, log ticks with fixed point, ytick={" + log_ticks(lo / 1.03, hi * 1.03) + "}" : "");
        if (row == 0)
            opts += fmt::format(", title={{{} coupling{}}}, title style={{font=\\small, yshift=-0.8ex}}", c.couplings,
                                c.couplings == 1 ? "" : "s");
        opts += col == 0 ? fmt::format(", ylabel={{{}, {}}}", set, h) : ", yticklabels={}";
        opts += !last ? ", xticklabels={}" : col == 1 ? ", xlabel={Adam steps (thousands)}" : "";
        const std::size_t k = f.kept_epoch;
        tikz += fmt::format(
            "\\begin{{axis}}[name=l{}{}{}, {}]\n"
            "\\addplot[blue!70!black, thin] table[x=step, y=train] {{{}}};\n"
            "\\addplot[orange!90!black, thin] table[x=step, y=val] {{{}}};\n"
            "\\addplot[only marks, mark=*, mark size=1.4pt, black] coordinates {{({:.3f}, {:.5f})}};\n",
            row, col, at, opts, file, file, double(k) * per_epoch, f.val_loss[k - 1]);
        if (row == 0 && col == 0)
            tikz += "\\legend{training, validation, best}\n";
        tikz += "\\end{axis}\n";
    }
    return tikz;
}

}  // namespace

void draw_loss(Context& ctx, const std::vector<Cell>& g) {
    std::vector<std::pair<std::string, std::string>> loss_files;
    std::string tikz = "\\begin{tikzpicture}\n";
    const std::size_t rows = grid_sets().size() * grid_widths().size();
    // One range of steps for every panel: the longest training shown.
    double kilosteps = 0;
    for (const auto& c : g) {
        const Fit& f = c.fits.front().fit;
        kilosteps = std::max(kilosteps, double(f.val_loss.size() * steps_per_epoch(f)) / 1000);
    }
    std::size_t row = 0;
    for (const auto& set : grid_sets())
        for (std::size_t h : grid_widths()) {
            tikz += loss_row(g, set, h, row, row + 1 == rows, kilosteps, loss_files, ctx.stats["figures"]["loss"]);
            ++row;
        }
    // The legend of the first panel goes above the figure's middle.
    tikz.replace(tikz.find("name=l00"), 8,
                 "name=l00, legend columns=3, legend style={at={(1.55,1.32)}, anchor=south, font=\\scriptsize, "
                 "draw=none}");
    ctx.figure("loss", tikz + "\\end{tikzpicture}\n", loss_files);
}

}  // namespace flow::chapters::ece792
