// task2-gifs: Task 2, GIFs of the transformation.
//
// "Create GIF files showing the transformation from the prior to the data over time, and
// put them in a folder of their own."
//
// One GIF per data set: the same 1000 prior draws as the figures, carried from t = 1 back
// to t = 0 by the sampling solve, over the training points in grey. The frames between
// the solver's steps are its cubic Hermite interpolant, so the last frame is exactly the
// model's samples. The PDF shows four frames of each, and the chapter measures when in
// time the points move.
#include <cmath>

#include "cnf/train.hpp"
#include "common.hpp"
#include "report/gif.hpp"
#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/raster_axes.hpp"
#include "report/raster_text.hpp"
#include "report/stats.hpp"

namespace flow::chapters::dt8122 {

namespace {

using report::tex_fixed;
using report::tex_percent;

constexpr std::size_t kMinFrames = 40;  // intervals between frames, at least
constexpr long kPixels = 320;           // the GIFs' plotting square
constexpr int kDelay = 8, kHoldFirst = 60, kHoldLast = 150;  // hundredths of a second
const std::vector<double> kStripTimes{1.0, 2.0 / 3, 1.0 / 3, 0.0};

// The GIFs' window: every point of every frame and every training point inside, the
// bounds rounded outward to half units, both axes at one scale.
report::View window(const std::vector<Mat<float>>& frames, const Mat<float>& train) {
    report::Bounds b;
    b.add(train);
    for (const auto& f : frames) b.add(f);
    const report::View v = report::enclosing_view(b, 0.5, true);
    std::size_t outside = report::count_outside(train, v);
    for (const auto& f : frames) outside += report::count_outside(f, v);
    if (outside) throw std::logic_error(fmt::format("task2-gifs: {} points fall outside the window", outside));
    return v;
}

// The GIF in window `view`: light blue training points (blue is the data in every
// figure), the moving samples in red, axes x1 and x2 with ticks, the time t above the
// plot, and a bar along the bottom that fills as t runs from 1 to 0; the first frame (the
// prior) and the last (the samples) held. Returns its bytes.
std::string animation(const std::vector<Mat<float>>& frames, const Mat<float>& train, const report::View& view) {
    const std::vector<std::uint32_t> palette{0xffffff, 0x9db4e6, 0xb01c1c, 0x303030};
    const double step = report::tick_step(view.xmax - view.xmin, 6);
    const report::Axes axes{step, step, "x1", "x2"};
    const auto m = report::axes_margins(view, axes);
    const long label = report::text_height(axes.scale), top = m.top + label + 8;
    const report::Rect plot{m.left, top, kPixels, kPixels};
    const long bar = top + kPixels + m.bottom + 2;
    std::vector<report::Canvas> canvases;
    for (std::size_t k = 0; k < frames.size(); ++k) {
        const double along = double(k) / double(frames.size() - 1);
        report::Canvas c(std::size_t(m.left + kPixels + m.right), std::size_t(bar + 10), 0);
        report::draw_points(c, plot, train, view, 1.6, 1);
        report::draw_points(c, plot, frames[k], view, 1.6, 2);
        report::draw_axes(c, plot, view, axes, 3);
        report::draw_text(c, plot.left, 6, fmt::format("t = {:.2f}", 1.0 - along), 3, axes.scale);
        c.rect(plot.left, bar, plot.left + std::lround(double(kPixels) * along), bar + 6, 3);
        canvases.push_back(std::move(c));
    }
    const auto delays = report::frame_delays(frames.size(), kDelay, kHoldFirst, kHoldLast);
    return report::gif_animation(canvases, palette, delays);
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

// The strip: kStripTimes.size() frames of one data set in a row, the time above each, in
// the GIF's window w.
void strip_figure(Context& ctx, const std::string& set, const std::vector<Mat<float>>& frames,
                  const Mat<float>& train, const report::View& w, bool top, bool bottom) {
    const std::string range =
        fmt::format("xmin={:g}, xmax={:g}, ymin={:g}, ymax={:g}, enlargelimits=false, axis on top, grid=none, xtick distance={}, ytick distance={}", w.xmin,
                    w.xmax, w.ymin, w.ymax, tick_distance(w.xmax - w.xmin), tick_distance(w.ymax - w.ymin));
    std::string tikz = "\\begin{tikzpicture}\n";
    report::Files data;
    for (std::size_t j = 0; j < kStripTimes.size(); ++j) {
        const double t = kStripTimes[j];
        const auto k = std::size_t(std::lround((1.0 - t) * double(frames.size() - 1)));

        // Each row keeps its data set's window: tick labels on every row, the y ones in the
        // first column only; the axis names on the bottom row and the first column.
        tikz += row_axis(j, fmt::format("{}{}{}{}", range, std::string(bottom ? ", xlabel={$x_1$}" : "") +
                                                               (j > 0 ? ", yticklabels={}" : ""),
                                        top ? fmt::format(", title={{$t = {}$}}", tex_fixed(t, 2)) : "",
                                        j == 0 ? ", ylabel style={align=center}, ylabel={" + data_title(set) +
                                                     "\\\\ $x_2$}"
                                               : ""));
        // The training points behind, in the GIFs' light blue; the samples over them, half
        // transparent, so that both stay visible.
        tikz += panel_marks(w, {{&train, {166, 166, 255, 1.0}}, {&frames[k], {191, 0, 0, 0.45}}},
                            fmt::format("{}-t{}.png", set, j), data) +
                "\\end{axis}\n";
    }
    tikz += "\\end{tikzpicture}\n";
    ctx.figure(set, tikz, data);
}

void task2_gifs(Context& ctx) {
    std::string body, motion, folder;
    std::size_t frames_each = 0;
    for (const auto& set : data_sets()) {
        const std::string name = first_fit(ctx, "cnf", set);
        const model::Trained& trained = ctx.load(name);
        const auto& m = trained.as<cnf::Model>();
        const std::size_t per_step = (kMinFrames + m.flow.steps - 1) / m.flow.steps;
        const auto frames = m.flow.inverse_path(prior_draws(ctx, set), per_step);
        frames_each = frames.size();
        const auto train = model::training_set(trained.record()).x;
        const report::View view = window(frames, train);  // the GIF's and its strip's
        ctx.animation(set, animation(frames, train, view));
        strip_figure(ctx, set, frames, train, view, set == data_sets().front(), set == data_sets().back());
        body += fmt::format("  \\includegraphics{{{}}}\\\\[0.5ex]\n", ctx.figure_pdf(set));
        const auto q = motion_by_quarter(frames);
        ctx.stats["gifs"][set] = {{"frames", frames.size()}, {"motion_by_quarter", q},
                                  {"last_frame", report::cloud_stats(frames.back()).to_json()}};
        const std::string path = ctx.animation_path(set);
        folder = path.substr(0, path.rfind('/'));
        motion += fmt::format("{}{} and the last quarter {} on the {}", motion.empty() ? "" : "; ", tex_percent(q[0], 0),
                              tex_percent(q[3], 0), data_title(set));
    }
    ctx.text = ctx.section() + fmt::format(
        R"(The folder \texttt{{{folder}}} holds one GIF per data set ({shown} frames of each in Figure~\ref{{fig:{id}}}): the
prior draws of Figure~\ref{{fig:task2-cnf}} carried from $t = 1$ to $t = 0$, with axes,
the time on each frame and a pause on the last.

)",
        fmt::arg("folder", folder), fmt::arg("shown", kStripTimes.size()), fmt::arg("frames", frames_each), fmt::arg("motion", motion),
        fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, "Frames of the GIFs: the continuous flow's samples (red) from $t = 1$ to "
                                       "$t = 0$ over the training points (light blue), in the GIFs' windows.");
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task2-gifs", nullptr, task2_gifs)

}  // namespace flow::chapters::dt8122
