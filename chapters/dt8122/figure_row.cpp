// The assignment's figure row for one fit (common.hpp): four scatter panels and the
// learned log-density, in the data set's one window and colour scale.
#include "common.hpp"
#include "report/plots.hpp"
#include "report/raster_axes.hpp"
#include "report/stats.hpp"

namespace flow::chapters::dt8122 {

namespace {

constexpr double kLatent = 4.0;     // the latent panels show [-4, 4]^2
constexpr std::size_t kImage = 100;  // pixels of the log-density image, per side

}  // namespace

nlohmann::json four_panel_row(Context& ctx, const std::string& name, const Fit& f, const Points& pts,
                              const Mat<float>& z, const Mat<float>& samples, bool titles, bool bottom,
                              const std::string& label) {
    const SetView v = set_view(data::unsplit_name(f.data));
    const Mat<float> fx = f.latent(pts.train);
    const auto image = model::density_image(f, v.xmin, v.xmax, v.ymin, v.ymax, kImage);
    const std::string data_box = v.axis_options() + ", enlargelimits=false, axis on top, grid=none";
    const std::string latent_box = fmt::format(
        "xmin={0:g}, xmax={1:g}, ymin={0:g}, ymax={1:g}, enlargelimits=false, axis on top, grid=none, xtick={{-3,3}}, ytick={{-3,3}}", -kLatent,
        kLatent);
    const auto title = [&](const char* t) { return titles ? fmt::format(", title={{{}}}", t) : std::string(); };
    // Each data set has its own window, so the data panels have tick labels on every row;
    // the latent panels share one and have them on the bottom row only; the columns line
    // up, so the horizontal axes are named on the bottom row, the vertical ones on every
    // panel.
    const auto x_name = [&](const char* n) {
        const bool latent = n[0] == 'z';
        return bottom ? fmt::format(", xlabel={{${}$}}", n) : latent ? std::string(", xticklabels={}") : "";
    };
    const report::View data_view{v.xmin, v.xmax, v.ymin, v.ymax}, latent_view{-kLatent, kLatent, -kLatent, kLatent};
    report::Files files;
    const auto marks = [&](const report::View& w, const Mat<float>& p, report::Ink ink, const char* part) {
        return panel_marks(w, {{&p, ink}}, name + "-" + part + ".png", files) + "\\end{axis}\n";
    };
    std::string tikz = "\\begin{tikzpicture}\n";
    tikz += row_axis(0, fmt::format("{}{}, ylabel style={{align=center}}, ylabel={{{}\\\\ $x_2$}}{}", data_box,
                                    x_name("x_1"), label, title("data $X$")));
    tikz += marks(data_view, pts.train, kDataInk, "x");
    tikz += row_axis(1, latent_box + x_name("z_1") + ", ylabel={$z_2$}" + title("$f(X)$"));
    tikz += marks(latent_view, fx, kDataInk, "fx");
    // The later panels share the scale of the row's first panel of their space: their
    // vertical axes are named, their tick labels left to that panel.
    const std::string shared = ", yticklabels={}";
    tikz += row_axis(2, data_box + x_name("x_1") + shared + ", ylabel={$x_2$}" + title("samples $g(z)$"));
    tikz += marks(data_view, samples, kPriorInk, "gz");
    tikz += row_axis(3, latent_box + x_name("z_1") + shared + ", ylabel={$z_2$}" + title("prior $z$"));
    tikz += marks(latent_view, z, kPriorInk, "z");
    tikz += row_axis(4, fmt::format("{}{}{}, ylabel={{$x_2$}}, enlargelimits=false, axis on top, grid=none, colormap name=fr viridis, "
                                    "colorbar, point meta min={:g}, point meta max={:g}, "
                                    "colorbar style={{width=0.15cm, ytick={{{:g},{:g}}}, "
                                    "yticklabel style={{font=\\scriptsize}}}}{}",
                                    data_box, x_name("x_1"), shared, v.bottom, v.top, v.bottom, v.top, title("$\\log p(x)$")));
    tikz += fmt::format("\\addplot graphics[xmin={:g}, xmax={:g}, ymin={:g}, ymax={:g}] {{{}-density.png}};\n"
                        "\\end{{axis}}\n",
                        v.xmin, v.xmax, v.ymin, v.ymax, name);
    tikz += "\\end{tikzpicture}\n";
    files.push_back({name + "-density.png", report::png_viridis(image, kImage, kImage, v.bottom, v.top)});
    ctx.figure(name, tikz, files);
    return {{"window", {v.xmin, v.xmax, v.ymin, v.ymax}},
            {"log_p_range", {v.bottom, v.top}},
            {"max_log_p", *std::max_element(image.begin(), image.end())},
            {"outside", {{"x", report::count_outside(pts.train, data_view)},
                         {"gz", report::count_outside(samples, data_view)},
                         {"fx", report::count_outside(fx, latent_view)},
                         {"z", report::count_outside(z, latent_view)}}},
            {"latent_sliced_w2", report::sliced_wasserstein(fx, z)},
            {"fx", report::cloud_stats(fx).to_json()},
            {"gz", report::cloud_stats(samples).to_json()}};
}

}  // namespace flow::chapters::dt8122
