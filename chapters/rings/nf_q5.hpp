#pragma once
// What nf-q5-likelihood's two files share (nf_q5_likelihood.cpp, nf_q5_terms.cpp), and
// where the inverse figure's labels go.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "nf_common.hpp"

namespace flow::chapters::nf_q5 {

// An outside point can invert far into the prior's tail: huge values in powers of ten.
std::string num(double v);
// The decimals that print a latent point z so that log p_z = -|z|^2/2 - log 2 pi visibly
// follows from it (within a quarter nat).
int z_decimals(double z1, double z2);

// The inverse trajectories, coloured by flow time (x at t = 1, z at t = 0), drawn with
// every state's coordinates in the order they reach the output (the permutations only
// relabel them), in a window that also holds the bulk of the prior. A path that leaves it
// (an outside point can invert far into the prior's tail) is cut at the window's edge.
struct Inversion {
    nn::Mat<float> z;                       // the latent points in the model's own order
    nn::Mat<float> drawn;                   // the same, in the figure's order (the table's)
    std::vector<float> logdet;
    std::vector<std::size_t> cut;           // the paths that leave the window
    std::vector<std::vector<double>> norm;  // each path's distance from the origin, step by step
};

// The terms of the probes' log p, the true log-density of the data at each probe (-inf
// outside the support) and how far inside the support it lies.
struct Terms {
    std::vector<double> lp, lpz, ld, rz, lq, margin;
};

// The answer: whether every inside probe is more likely than every outside one, and how
// the inside ones compare with the true log-density (verdicts).
std::string answer_text(Context& ctx, const Terms& t, const std::vector<bool>& inside);
// Whether the inside probes keep clear of every band edge and of the box edges that cut
// the rings flat (a verdict).
std::string clear_of_edges(Context& ctx, const Terms& t, const std::vector<bool>& inside);
// Why: normalisation, where the probes land in the latent space, and how an outside
// probe that lands absurdly far gets there (verdicts).
std::string why_text(Context& ctx, const nf::Model& m, const Terms& t, const std::vector<bool>& inside,
                     const Inversion& inv);
// Which inverse paths leave the figure's window, in words (a verdict).
std::string cut_text(Context& ctx, const std::vector<std::size_t>& cut);

namespace detail {

// A label's box in axis units.
struct LabelBox {
    double x0, y0, x1, y1;
    bool holds(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
    bool meets(const LabelBox& b) const { return x0 < b.x1 && b.x0 < x1 && y0 < b.y1 && b.y0 < y1; }
};

// The paths' points, one every `step` along each segment (what a label should not cover).
inline std::vector<std::array<double, 2>> path_points(const std::vector<nn::Mat<float>>& path, double step) {
    std::vector<std::array<double, 2>> pts;
    for (std::size_t i = 0; i < path[0].shape(0); ++i)
        for (std::size_t k = 0; k + 1 < path.size(); ++k) {
            const double ax = path[k](i, 0), ay = path[k](i, 1), bx = path[k + 1](i, 0), by = path[k + 1](i, 1);
            const int steps = int(std::min(1e4, std::ceil(std::hypot(bx - ax, by - ay) / step)));
            for (int s = 0; s < steps; ++s) {
                const double a = double(s) / steps;
                pts.push_back({(1 - a) * ax + a * bx, (1 - a) * ay + a * by});
            }
        }
    return pts;
}

}  // namespace detail

// Labels "P<i>" at the probes (the paths' first states) and "$z_<i>$" at their latent
// points (the last), each on the side of its point (of eight, 3 or 5 pt away) that covers
// the least of the paths, no other marker or label and stays in the window [-window,
// window]^2, nearer its own marker than any other (axis_pt: the window's side in pt); a
// point outside the window gets none.
inline std::string path_labels(const std::vector<nn::Mat<float>>& path, double window, double axis_pt) {
    using Box = detail::LabelBox;
    const double u = 2.0 * window / axis_pt, w = 12 * u, h = 9 * u;  // pt in axis units; a label's size
    const auto lines = detail::path_points(path, u);
    const std::size_t n = path[0].shape(0);
    std::vector<std::array<double, 2>> marks;  // the open circles, then the dots
    for (const auto* st : {&path.front(), &path.back()})
        for (std::size_t j = 0; j < n; ++j) marks.push_back({(*st)(j, 0), (*st)(j, 1)});
    const auto box = [&](double x, double y, int dx, int dy, double gap) {
        const double cx = x + dx * (gap * u + w / 2), cy = y + dy * (gap * u + h / 2);
        return Box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
    };
    std::vector<Box> placed;
    // What a label at b for mark m costs: leaving the window, a farther place, covering paths.
    const auto cost = [&](const Box& b, std::size_t m, double gap) {
        double c = (b.x0 < -window || b.x1 > window || b.y0 < -window || b.y1 > window) ? 1000 : gap - 3;
        const auto grown = [&](const Box& a, double pt) {
            return Box{a.x0 - pt * u, a.y0 - pt * u, a.x1 + pt * u, a.y1 + pt * u};
        };
        for (const auto& p : lines) c += grown(b, 1.5).holds(p[0], p[1]);  // 1.5 pt: a line's width
        // Covering another marker, or nearer to it (from the label's centre) than to its own,
        // or nearly so: the label would seem to name it (less so a marker of the other kind).
        const double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
        const double own = std::hypot(marks[m][0] - cx, marks[m][1] - cy);
        for (std::size_t j = 0; j < marks.size(); ++j) {
            const double d = std::hypot(marks[j][0] - cx, marks[j][1] - cy), kind = (j < n) == (m < n) ? 1 : 0.3;
            if (j != m) c += b.holds(marks[j][0], marks[j][1]) ? 40 : kind * (d < own ? 30 : d < own + 4 * u ? 10 : 0);
        }
        for (const auto& q : placed)  // meeting a label, or so near it that the two read as a pair
            c += b.meets(grown(q, 1)) ? 1000 : b.meets(grown(q, 5)) ? 15 : 0;
        return c;
    };
    std::string out;
    for (std::size_t m = 0; m < marks.size(); ++m) {  // the probes' labels first, then the latent points'
        const auto [x, y] = marks[m];
        if (std::fabs(x) > window || std::fabs(y) > window) continue;
        double best = INFINITY, gap = 3;
        int bx = 1, by = 1;
        for (const double g : {3.0, 5.0})
            for (const auto& [dx, dy] :
                 {std::pair{1, 1}, {-1, 1}, {1, -1}, {-1, -1}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}})
                if (const double c = cost(box(x, y, dx, dy, g), m, g); c < best) best = c, bx = dx, by = dy, gap = g;
        placed.push_back(box(x, y, bx, by, gap));
        static const char* anchor[3][3] = {{"north east", "east", "south east"}, {"north", "center", "south"},
                                           {"north west", "west", "south west"}};
        // fr probe label shifts by (1pt, 1pt) itself.
        out += fmt::format("\\addplot[only marks, mark=none, point meta=explicit symbolic, nodes near coords, "
                           "nodes near coords style={{fr probe label, anchor={}, xshift={}pt, yshift={}pt}}] "
                           "table[meta=label, row sep=\\\\] {{x y label\\\\ {:.5f} {:.5f} {{{}}}\\\\}};\n",
                           anchor[bx + 1][by + 1], bx * gap - 1, by * gap - 1, x, y,
                           m < n ? fmt::format("P{}", m + 1) : fmt::format("$z_{}$", m - n + 1));
    }
    return out;
}

}  // namespace flow::chapters::nf_q5
