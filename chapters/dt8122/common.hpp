#pragma once
// What the DT8122 chapters share: the three data sets, a fitted model of any of the three
// methods seen the same way (its density, its two directions, its cost), the measurements
// every fit gets (held-out NLL, the mass of its density, the distance of its samples to
// held-out data, the round trip), and the figure row of the assignment's four panels.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "exercise/chapter.hpp"
#include "model/measure.hpp"
#include "nn/layers.hpp"

namespace flow::chapters::dt8122 {

using exercise::Context;
using nn::Mat;

// The assignment's data sets, in the report's order, and the methods by the prefix of
// their models' names (planar-two-moons, realnvp-boomerang, cnf-two-blobs).
const std::vector<std::string>& data_sets();
std::string data_title(const std::string& set);  // "two moons"
const std::vector<std::string>& methods();       // planar, realnvp, cnf
std::string method_title(const std::string& method);  // "planar flow", "Real NVP", "continuous flow"
inline std::string model_name(const std::string& method, const std::string& set) { return method + "-" + set; }

// A fitted model of any method, in the standardised frame of its training set.
using model::Difference;
using model::Fit;
using model::Measures;
using model::Points;
using model::measure;
using model::paired_difference;
using model::points_of;
using model::kMassGrid;
using model::kMassTolerance;

// The fit of a model of the chapter's manifest (recorded in stats.json under
// models/<model> by the context).
Fit load_fit(Context& ctx, const std::string& model);
// The method of a fit: the prefix of its model's name ("planar" of planar-two-moons).
std::string method_of(const Fit& f);

// The assignment's figure for one fit, one row: the data X, its latent image f(X), the
// model's samples g(z), the prior draws z, and (beyond the assignment) the learned
// log-density. titles: column titles (the top row); label: the row's name at its left.
// Returns the statistics of the row (windows, points left outside them).
nlohmann::json four_panel_row(Context& ctx, const std::string& name, const Fit& f, const Points& pts,
                              const Mat<float>& z, const Mat<float>& samples, bool titles, const std::string& label);

// The j-th axis of a figure row (named p<j>, placed right of p<j-1>), in style "fr row
// panel" with further options: "\begin{axis}[...]" and a newline.
std::string row_axis(std::size_t j, const std::string& options);

// The prior draws every figure of a method uses for a data set: n points from the stream
// "prior/<set>", the same for every method, so that the g(z) panels compare.
Mat<float> prior_draws(Context& ctx, const std::string& set, std::size_t n = 1000);

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

// One method's fit to one data set, measured and drawn (a row of the method's figure).
struct Row {
    Fit fit;
    Points pts;
    Measures m;
    double latent_w2 = 0;  // sliced Wasserstein distance between f(X) and the prior draws
};

// The method's rows, one per data set in the report's order: each fit measured, its
// figure row drawn (figure "<set>"), and both recorded in stats.json under
// "fits"/<set>. Returns them with the \includegraphics lines of the figure float.
std::vector<Row> method_rows(Context& ctx, const std::string& method, std::string& body);

// The largest round trip error over the rows.
inline double largest_round_trip(const std::vector<Row>& rows) {
    double trip = 0;
    for (const auto& r : rows) trip = std::max(trip, r.m.round_trip);
    return trip;
}

// The caption of a method's figure: "<Title>, one row per data set: ..."; where: where
// f(X) lies ("in the latent space").
std::string rows_caption(const std::string& title, const std::string& where);

// "<Subject> reaches held-out NLLs of ...": the rows' measurements in two sentences.
// reference: what the same distance gives for 400 other prior draws (latent_reference).
std::string summary_sentence(Context& ctx, const std::vector<Row>& rows, const std::string& subject,
                             double reference);
double latent_reference(Context& ctx);

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

// Every method's fit to every data set, measured (no figures): the comparison chapters.
struct Scored {
    Fit fit;
    Measures m;
    double tail_nll = 0;             // mean NLL of the held-out points farthest from the data's mean (kTail)
    double sample_seconds = 0;       // wall time of drawing the 1000 samples
    std::vector<std::size_t> tail;   // the held-out points of tail_nll
};
constexpr double kTail = 0.1;
// Indexed [method][data set] in the orders of methods() and data_sets(); recorded in
// stats.json under "scores"/<method>/<set>.
std::vector<std::vector<Scored>> score_all(Context& ctx);

}  // namespace flow::chapters::dt8122

namespace flow::chapters::dt8122 {

// The settings of each method's fits (the same for every data set), one row each:
// architecture, parameters per data set, epochs, batch, learning rate. A LaTeX table
// labelled tab:<label>.
std::string settings_table(const std::vector<std::vector<Fit>>& by_method, const std::string& label);
// A method's fits, one per data set in the report's order (load_fit each).
std::vector<Fit> load_method(Context& ctx, const std::string& method);

}  // namespace flow::chapters::dt8122
