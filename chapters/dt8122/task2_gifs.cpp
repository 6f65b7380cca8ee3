// task2-gifs: Task 2, GIFs of the transformation.
//
// "Create GIF files showing the transformation from the prior to the data over time, and
// put them in a folder of their own."
//
// One GIF per data set: the same 1000 prior draws as the figures, carried from t = 1 back
// to t = 0 by the sampling solve, over the training points in grey. The frames between
// the solver's steps are its cubic Hermite interpolant, so the last frame is exactly the
// model's samples. The PDF shows five frames of each, and the chapter measures when in
// time the points move.
#include <cmath>

#include "cnf/train.hpp"
#include "common.hpp"
#include "report/gif.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/stats.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;
using report::tex_percent;

constexpr std::size_t kMinFrames = 40;  // intervals between frames, at least
constexpr std::size_t kPixels = 320;
constexpr double kExtent = 3.5;         // the frames show [-3.5, 3.5]^2
constexpr int kDelay = 8;               // hundredths of a second per frame
const std::vector<double> kStripTimes{1.0, 0.75, 0.5, 0.25, 0.0};

// The GIF: grey training points, the moving samples in red, and a bar along the bottom
// that fills as t runs from 1 to 0. Returns its bytes.
std::string animation(const std::vector<Mat<float>>& frames, const Mat<float>& train) {
    const std::vector<std::uint32_t> palette{0xffffff, 0xc8c8c8, 0xb01c1c, 0x303030};
    const report::View view{-kExtent, kExtent, -kExtent, kExtent};
    std::vector<report::Canvas> canvases;
    for (std::size_t k = 0; k < frames.size(); ++k) {
        report::Canvas c(kPixels, kPixels + 12, 0);
        report::Canvas plane(kPixels, kPixels, 0);
        report::draw_points(plane, train, view, 1.6, 1);
        report::draw_points(plane, frames[k], view, 1.6, 2);
        std::copy(plane.pixels.begin(), plane.pixels.end(), c.pixels.begin());
        const long filled = long(std::lround(double(kPixels) * double(k) / double(frames.size() - 1)));
        c.rect(0, long(kPixels) + 4, filled, long(kPixels) + 10, 3);
        canvases.push_back(std::move(c));
    }
    return report::gif_animation(canvases, palette, kDelay);
}

// Share of each point's path length (summed over the points) travelled in each quarter
// of the time, t = 1 to 0.75 first.
std::vector<double> motion_by_quarter(const std::vector<Mat<float>>& frames) {
    std::vector<double> q(4, 0.0);
    const std::size_t n = frames.size() - 1;
    for (std::size_t k = 0; k < n; ++k) {
        double step = 0;
        for (std::size_t i = 0; i < frames[k].shape(0); ++i)
            step += std::hypot(double(frames[k + 1](i, 0) - frames[k](i, 0)),
                               double(frames[k + 1](i, 1) - frames[k](i, 1)));
        q[std::min<std::size_t>(3, 4 * k / n)] += step;
    }
    const double total = q[0] + q[1] + q[2] + q[3];
    for (double& v : q) v /= total;
    return q;
}

// The strip: five frames of one data set in a row, the time above each.
void strip_figure(Context& ctx, const std::string& set, const std::vector<Mat<float>>& frames,
                  const Mat<float>& train) {
    const std::string range = fmt::format("xmin={0}, xmax={1}, ymin={0}, ymax={1}", -kExtent, kExtent);
    std::string tikz = "\\begin{tikzpicture}\n";
    std::vector<std::pair<std::string, std::string>> data{{set + "-train.dat", report::points_dat(train)}};
    for (std::size_t j = 0; j < kStripTimes.size(); ++j) {
        const double t = kStripTimes[j];
        const auto k = std::size_t(std::lround((1.0 - t) * double(frames.size() - 1)));
        const std::string dat = fmt::format("{}-t{}.dat", set, j);
        data.emplace_back(dat, report::points_dat(frames[k]));
        tikz += row_axis(j, fmt::format("{}, xlabel={{$x_1$}}, title={{$t = {}$}}{}", range, tex_fixed(t, 2),
                                        j == 0 ? ", ylabel style={align=center}, ylabel={" + data_title(set) +
                                                     "\\\\ $x_2$}"
                                               : ""));
        tikz += fmt::format("\\addplot[only marks, mark=*, mark size=0.35pt, black!22] table {{{}-train.dat}};\n", set);
        tikz += fmt::format("\\addplot[fr prior marks] table {{{}}};\n\\end{{axis}}\n", dat);
    }
    tikz += "\\end{tikzpicture}\n";
    ctx.figure(set, tikz, data);
}

void task2_gifs(Context& ctx) {
    std::string body, files, motion, folder;
    std::size_t frames_each = 0;
    for (const auto& set : data_sets()) {
        const std::string name = model_name("cnf", set);
        const model::Trained& trained = ctx.load(name);
        const auto& m = trained.as<cnf::Model>();
        const std::size_t per_step = (kMinFrames + m.flow.steps - 1) / m.flow.steps;
        const auto frames = m.flow.inverse_path(prior_draws(ctx, set), per_step);
        frames_each = frames.size();
        const auto train = model::training_set(trained.record()).x;
        ctx.animation(set, animation(frames, train));
        strip_figure(ctx, set, frames, train);
        body += fmt::format("  \\includegraphics{{{}}}\\\\[0.5ex]\n", ctx.figure_pdf(set));
        const auto q = motion_by_quarter(frames);
        ctx.stats["gifs"][set] = {{"frames", frames.size()}, {"motion_by_quarter", q},
                                  {"last_frame", report::cloud_stats(frames.back()).to_json()}};
        const std::string path = ctx.animation_path(set);
        folder = path.substr(0, path.rfind('/') + 1);
        files += fmt::format("{}\\texttt{{{}}}", files.empty() ? "" : ", ", path.substr(folder.size()));
        motion += fmt::format("{}{} in the first and {} in the last for the {}", motion.empty() ? "" : "; ",
                              tex_percent(q[0], 0), tex_percent(q[3], 0), data_title(set));
    }
    ctx.text = ctx.section() + fmt::format(
        R"(The GIFs in the folder \texttt{{{folder}}} ({files}) show the 1000 prior draws of
Figure~\ref{{fig:task2-cnf}} carried from $t = 1$ back to
$t = 0$ by the sampling solve, in {frames} frames over the training points (grey); a bar along the bottom fills as
time runs. The frames at the ends of the solver's steps are its own states and those between are the cubic
Hermite interpolant of each step's two ends and the field there, so the last frame is exactly the model's
sample. Figure~\ref{{fig:{id}}} shows five of the frames. Of the distance the points travel, a share falls in each
quarter of the time (the first is $t$ from 1 to 0.75): {motion}.

)",
        fmt::arg("files", files), fmt::arg("folder", folder), fmt::arg("frames", frames_each),
        fmt::arg("motion", motion),
        fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, "Frames of the GIFs: the continuous flow's samples (red) at five times of the "
                                       "sampling solve, from the prior at $t = 1$ to the samples at $t = 0$, over the "
                                       "training points (grey). Standardised coordinates.");
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-gifs", nullptr, task2_gifs)

}  // namespace flow::chapters::dt8122
