// p2-fits' figures: the loss curves of every model of the grid, and its forward and
// inverse transformations (p2_fits.hpp).
#include <xtensor/xview.hpp>

#include "p2_fits.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters::ece792 {

namespace {

const char* const kCouplingColour[] = {"orange!90!black", "teal", "violet"};

Mat<float> first_rows(const Mat<float>& x, std::size_t n) {
    return xt::view(x, xt::range(0, std::min(n, x.shape(0))), xt::all());
}

// The held-out NLL per epoch of the set's six models, and the truth's level.
std::string loss_axis(const std::vector<GridFit>& g, const std::string& set, bool first, std::string& dat) {
    std::vector<const GridFit*> fits;
    for (const auto& f : g)
        if (f.set == set) fits.push_back(&f);
    dat = "epoch";
    for (const auto* f : fits) dat += fmt::format(" c{}h{}", f->couplings, f->hidden);
    dat += " truth\n";
    const std::size_t epochs = fits.front()->fit.val_loss.size();
    double top = 0;
    for (std::size_t e = 0; e < epochs; ++e) {
        dat += std::to_string(e + 1);
        for (const auto* f : fits) {
            dat += fmt::format(" {:.5f}", f->fit.val_loss[e]);
            top = std::max(top, f->fit.val_loss[e]);
        }
        dat += fmt::format(" {:.5f}\n", fits.front()->truth_nll);
    }
    std::string s = fmt::format(
        "\\begin{{axis}}[fr line chart, name={0}, width=7.4cm, height=5.2cm, xlabel={{epoch}}, "
        "ylabel={{held-out NLL (nats)}}, title={{{0}}}, title style={{font=\\small}}, xmin=1, xmax={1}, "
        "ymax={2:.2f}{3}]\n",
        set, epochs, std::min(top, fits.front()->truth_nll + 1.6),
        first ? "" : ", at={(moons.east)}, anchor=west, xshift=1.2cm");
    for (const auto* f : fits) {
        const std::size_t k = std::size_t(std::find(grid_couplings().begin(), grid_couplings().end(), f->couplings) -
                                          grid_couplings().begin());
        s += fmt::format("\\addplot[{}, {}, thick] table[x=epoch, y=c{}h{}] {{{}-loss.dat}};\n", kCouplingColour[k],
                         f->hidden == grid_widths().front() ? "solid" : "densely dashed", f->couplings, f->hidden, set);
        if (first)
            s += fmt::format("\\addlegendentry{{{} coupling{}, {} units}}\n", f->couplings,
                             f->couplings == 1 ? "" : "s", f->hidden);
    }
    s += fmt::format("\\addplot[black, thin, dotted] table[x=epoch, y=truth] {{{}-loss.dat}};\n", set);
    if (first) s += "\\addlegendentry{true density}\n";
    return s + "\\end{axis}\n";
}

// One panel: a cloud (light) under another (dark).
std::string panel(const std::string& name, const std::string& at, const std::string& options,
                  const std::string& under, const std::string& under_style, const std::string& over,
                  const std::string& over_style) {
    return fmt::format("\\begin{{axis}}[fr row panel, width=4.35cm, title style={{font=\\scriptsize}}, name={}{}, {}]\n"
                       "\\addplot[{}] table {{{}}};\n\\addplot[{}] table {{{}}};\n\\end{{axis}}\n",
                       name, at, options, under_style, under, over_style, over);
}

// The columns of one set in the shared figure: rows are the forward and the inverse
// transformation at each width, columns the numbers of couplings.
void set_columns(const std::vector<GridFit>& g, const std::string& set, std::size_t si, std::string& tikz,
                 std::vector<std::pair<std::string, std::string>>& files, nlohmann::json& stats) {
    const GridFit& any = grid_fit(g, set, 1, grid_widths().front());
    const Mat<float> x = first_rows(any.pts.train, kShown), z = first_rows(any.z, kShown);
    files.push_back({set + "-x.dat", report::points_dat(x)});
    files.push_back({set + "-z.dat", report::points_dat(z)});
    std::vector<const Mat<float>*> data_clouds{&x};
    std::vector<Mat<float>> shown;
    for (const auto& f : g)
        if (f.set == set) shown.push_back(first_rows(f.samples, kShown));
    for (const auto& sh : shown) data_clouds.push_back(&sh);
    const report::Window win = report::window_for(data_clouds, 2.0, 3.5);
    const std::string data_range = win.axis_options();
    const std::string latent_range =
        fmt::format("xmin={0}, xmax={1}, ymin={0}, ymax={1}, xtick={{-2,0,2}}", -kLatentExtent, kLatentExtent);
    const std::string light_data = "fr data marks, color=blue!45", light_prior = "fr prior marks, color=red!35";
    nlohmann::json outside;
    std::size_t row = 0;
    const std::size_t C = grid_couplings().size();
    for (std::size_t h : grid_widths()) {
        for (int direction = 0; direction < 2; ++direction, ++row) {
            for (std::size_t k = 0; k < C; ++k) {
                const std::size_t col = si * C + k, c = grid_couplings()[k];
                const GridFit& f = grid_fit(g, set, c, h);
                const std::string m = grid_name(set, c, h);
                const std::string name = fmt::format("r{}c{}", row, col);
                const std::string at =
                    col > 0   ? fmt::format(", at={{(r{}c{}.east)}}, anchor=west, xshift={}cm", row, col - 1,
                                        k == 0 ? 0.8 : 0.2)
                    : row > 0 ? fmt::format(", at={{(r{}c0.south)}}, anchor=north, yshift=-0.95cm", row - 1)
                              : "";
                // Every panel reads its x coordinate; the first of a set's columns its y
                // coordinate (the set's columns share a window), and the first column names the row.
                const char* axis = direction == 0 ? "x" : "z";
                std::string options = fmt::format("xlabel={{${}_1$}}, xlabel style={{yshift=0.8ex}}, ", axis);
                options += k == 0 ? fmt::format("ylabel style={{align=center}}, ylabel={{{}${}_2$}}, ",
                                                col == 0 ? fmt::format("{}, {}\\\\ ", direction == 0 ? "$g(z)$" : "$f(X)$", h)
                                                         : std::string(),
                                                axis)
                                  : std::string("yticklabels={}, ");
                if (row == 0)  // the set's name once, over its first column
                    options += fmt::format("title={{{}{} coupling{}}}, ", k == 0 ? set + ": " : "", c, c == 1 ? "" : "s");
                if (direction == 0) {
                    files.push_back({m + "-gz.dat", report::points_dat(first_rows(f.samples, kShown))});
                    tikz += panel(name, at, options + data_range, set + "-x.dat", light_data, m + "-gz.dat",
                                  "fr prior marks, mark size=0.3pt");
                } else {
                    const Mat<float> fx = first_rows(f.fit.latent(f.pts.train), kShown);
                    files.push_back({m + "-fx.dat", report::points_dat(fx)});
                    const report::Window lw = report::window_for({&fx}, kLatentExtent, kLatentExtent);
                    outside[m]["fx"] = lw.outside[0];
                    tikz += panel(name, at, options + latent_range, set + "-z.dat", light_prior, m + "-fx.dat",
                                  "fr data marks, mark size=0.3pt");
                }
            }
        }
    }
    for (std::size_t i = 1; i < win.outside.size(); ++i) outside[fmt::format("samples_{}", i)] = win.outside[i];
    stats[set] = {{"data_extent", win.extent}, {"outside", outside}};
}

}  // namespace

void draw_fits(Context& ctx, const std::vector<GridFit>& g) {
    std::string moons_dat, circles_dat;
    std::string tikz = "\\begin{tikzpicture}\n" + loss_axis(g, "moons", true, moons_dat) +
                       loss_axis(g, "circles", false, circles_dat) + "\\end{tikzpicture}\n";
    // The legend of the first axis goes below both.
    tikz.replace(tikz.find("xmin=1,"), 7,
                 "legend columns=4, legend style={at={(0,-0.3)}, anchor=north west, font=\\scriptsize}, xmin=1,");
    ctx.figure("loss", tikz, {{"moons-loss.dat", moons_dat}, {"circles-loss.dat", circles_dat}});
    std::string t = "\\begin{tikzpicture}\n";
    std::vector<std::pair<std::string, std::string>> files;
    for (std::size_t si = 0; si < grid_sets().size(); ++si)
        set_columns(g, grid_sets()[si], si, t, files, ctx.stats["figures"]["transforms"]);
    ctx.figure("transforms", t + "\\end{tikzpicture}\n", files);
}

}  // namespace flow::chapters::ece792
