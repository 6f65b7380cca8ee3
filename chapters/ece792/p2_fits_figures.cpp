// p2-fits' figures: the loss curves of each cell's first fit, and its forward and inverse
// transformations (p2_fits.hpp).
#include <cmath>

#include <xtensor/xview.hpp>

#include "p2_fits.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"

namespace flow::chapters::ece792 {

namespace {

Mat<float> first_rows(const Mat<float>& x, std::size_t n) {
    return xt::view(x, xt::range(0, std::min(n, x.shape(0))), xt::all());
}

// One panel: a cloud (light) under another, on a raster layer (fr row panel at 4 cm is
// a square box of 53.2 pt).
std::string panel(const std::string& name, const std::string& at, const std::string& options, const report::View& w,
                  const Mat<float>& under, report::Ink under_ink, const Mat<float>& over, report::Ink over_ink,
                  const std::string& png, report::Files& files, const std::string& extra = "") {
    report::RasterLayer layer = report::RasterLayer::equal_units(w, 53.2);
    layer.marks(under, under_ink, 0.35);
    layer.marks(over, over_ink, 0.35);
    files.push_back({png, layer.png()});
    return fmt::format("\\begin{{axis}}[fr row panel, title style={{font=\\scriptsize}}, name={}{}, {}{}]\n{}{}\\end{{axis}}\n",
                       name, at, options, layer.axis_options(), layer.addplot(png), extra);
}

const char* const kMarks = "only marks, mark=*, mark size=0.35pt, mark options={draw=none}, color=";
constexpr report::Ink kDataInk{115, 115, 255, 1.0};    // blue!55
constexpr report::Ink kImageInk{0, 102, 102, 1.0};     // teal!80!black
constexpr report::Ink kPriorInk{179, 179, 179, 1.0};   // black!30
constexpr report::Ink kSampleInk{204, 0, 0, 0.6};      // red!80!black, 60 % opaque

// One window for both sets (so that one column of tick labels serves them), holding
// every set's data and the samples shown.
report::Window shared_window(const std::vector<Cell>& g) {
    std::vector<Mat<float>> shown;
    for (const auto& c : g) {
        if (c.couplings == grid_couplings().front() && c.hidden == grid_widths().front())
            shown.push_back(first_rows(c.fits.front().pts.train, kShown));
        shown.push_back(first_rows(c.fits.front().samples, kShown));
    }
    std::vector<const Mat<float>*> clouds;
    for (const auto& sh : shown) clouds.push_back(&sh);
    return report::window_for(clouds, 2.0, 3.5);
}

// A panel's labels: x labels on the data rows and the last row, the row's name and y ticks left of the
// first set only, titles on the first row; and the figure's one legend in the first
// panel (legend: its \addlegendimage lines and \legend).
std::string panel_labels(const std::string& set, std::size_t si, std::size_t row, std::size_t k, std::size_t h,
                         int direction, std::string& legend) {
    const char* axis = direction == 0 ? "x" : "z";
    const std::size_t c = grid_couplings()[k];
    // The x axis named under every data row (x, its ticks those of x_2 beside it) and with
    // ticks under the last row (z): the latent rows above it share its ticks.
    const bool last = row + 1 == 2 * grid_widths().size();
    std::string options = last ? fmt::format("xlabel={{${}_1$}}, ", axis)
                          : direction == 0 ? fmt::format("xticklabels={{}}, xlabel={{${}_1$}}, xlabel style={{yshift=1.2ex}}, ", axis)
                                           : std::string("xticklabels={}, ");
    options += k == 0 && si == 0 ? fmt::format("ylabel style={{align=center}}, ylabel={{{}{}\\\\ ${}_2$}}, ",
                                               direction == 0 ? "$g(z)$, " : "$f(x)$, ", h, axis)
                                 : std::string("yticklabels={}, ");
    if (row == 0) options += fmt::format("title={{{}{} coupling{}}}, ", k == 0 ? set + ": " : "", c, c == 1 ? "" : "s");
    if (row == 0 && k == 0 && si == 0) {  // above the figure's middle
        options += "legend columns=4, legend style={at={(3.3,1.3)}, anchor=south, draw=none, font=\\scriptsize, "
                   "/tikz/every even column/.append style={column sep=0.35cm}}, legend image post style={mark "
                   "size=1.5pt}, ";
        for (const char* colour : {"blue!55", "red!80!black", "black!30", "teal!80!black"})
            legend += fmt::format("\\addlegendimage{{{}{}}}\n", kMarks, colour);
        legend += "\\legend{data $x$, samples $g(z)$, prior draws $z$, image $f(x)$}\n";
    }
    return options;
}

// The columns of one set: rows are the forward and the inverse transformation at each
// width, columns the numbers of couplings.
void set_columns(const std::vector<Cell>& g, const std::string& set, std::size_t si, const report::Window& win,
                 std::string& tikz, report::Files& files, nlohmann::json& stats) {
    const SeedFit& any = cell_of(g, set, grid_couplings().front(), grid_widths().front()).fits.front();
    const Mat<float> x = first_rows(any.pts.train, kShown), z = first_rows(any.z, kShown);
    const std::string ticks = win.extent > 2.5 ? "xtick={-2,0,2}, ytick={-2,0,2}, " : "xtick={-1,0,1}, ytick={-1,0,1}, ";
    const report::View latent_view{-kLatentExtent, kLatentExtent, -kLatentExtent, kLatentExtent};
    nlohmann::json outside;
    std::size_t row = 0;
    const std::size_t C = grid_couplings().size();
    for (std::size_t h : grid_widths()) {
        for (int direction = 0; direction < 2; ++direction, ++row) {
            for (std::size_t k = 0; k < C; ++k) {
                const std::size_t col = si * C + k;
                const SeedFit& f = cell_of(g, set, grid_couplings()[k], h).fits.front();
                const std::string m = cell_name(set, grid_couplings()[k], h);
                const std::string name = fmt::format("r{}c{}", row, col);
                const std::string at =
                    col > 0   ? fmt::format(", at={{(r{}c{}.east)}}, anchor=west, xshift={}cm", row, col - 1,
                                        k == 0 ? 0.35 : 0.1)
                    : row > 0 ? fmt::format(", at={{(r{}c0.south)}}, anchor=north, yshift=-{}cm", row - 1,
                                            row % 2 == 1 ? 0.6 : 0.3)  // below a row with an x label
                              : "";
                std::string legend;
                const std::string options = panel_labels(set, si, row, k, h, direction, legend);
                if (direction == 0) {
                    tikz += panel(name, at, options + ticks, win.view(), x, kDataInk, first_rows(f.samples, kShown),
                                  kSampleInk, m + "-gz.png", files, legend);
                } else {
                    const Mat<float> fx = first_rows(f.fit.latent(f.pts.train), kShown);
                    const report::Window lw = report::window_for({&fx}, kLatentExtent, kLatentExtent);
                    outside[m]["fx"] = lw.outside[0];
                    tikz += panel(name, at, options + "xtick={-3,0,3}, ytick={-3,0,3}, ", latent_view, z, kPriorInk, fx,
                                  kImageInk, m + "-fx.png", files);
                }
            }
        }
    }
    for (std::size_t i = 1; i < win.outside.size(); ++i) outside[fmt::format("samples_{}", i)] = win.outside[i];
    stats[set] = {{"data_extent", win.extent}, {"outside", outside}};
}

}  // namespace

void draw_fits(Context& ctx, const std::vector<Cell>& g) {
    draw_loss(ctx, g);
    std::string t = "\\begin{tikzpicture}\n";
    std::vector<std::pair<std::string, std::string>> files;
    const report::Window win = shared_window(g);
    for (std::size_t si = 0; si < grid_sets().size(); ++si)
        set_columns(g, grid_sets()[si], si, win, t, files, ctx.stats["figures"]["transforms"]);
    ctx.figure("transforms", t + "\\end{tikzpicture}\n", files);
}

}  // namespace flow::chapters::ece792
