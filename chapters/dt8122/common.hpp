#pragma once
// What the DT8122 chapters share. Each method (planar flow, Real NVP, continuous flow) is
// fitted to each data set nine times: three seeds on each of three splits of the 500
// points into 300 training, 100 validation and 100 held-out rows (the manifest's
// families "<method>-<set>"). Settings are chosen on the validation rows (early stopping,
// and a learning-rate sweep on the first fit); the held-out rows only score. Beside the
// flows stand three baselines fitted on the same splits: the standard Gaussian, a
// Gaussian mixture (components chosen on validation) and a kernel density estimate
// (bandwidth chosen on validation). Figures show each family's first fit (seed 1,
// split 1) in one window and one colour scale per data set.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "exercise/chapter.hpp"
#include "model/measure.hpp"
#include "report/plots.hpp"
#include "report/raster_layer.hpp"
#include "nn/layers.hpp"

namespace flow::chapters::dt8122 {

using exercise::Context;
using model::Fit;
using model::Points;
using nn::Mat;

// The assignment's data sets and the methods, in the report's order, with their titles.
const std::vector<std::string>& data_sets();
std::string data_title(const std::string& set);        // "two moons"
const std::vector<std::string>& methods();             // planar, realnvp, cnf
std::string method_title(const std::string& method);   // "planar flow", "Real NVP", "continuous flow"
inline std::string family(const std::string& method, const std::string& set) { return method + "-" + set; }
// The first fit of a family (seed 1, split 1): the one the figures draw.
std::string first_fit(const Context& ctx, const std::string& method, const std::string& set);

// One fit, scored on its split's rows, in the standardised frame of its training rows.
struct Scored {
    Fit fit;
    std::size_t split = 0, seed = 0;          // 1-based, as in the fit's name
    double held_nll = 0, train_nll = 0, val_nll = 0;
    double offset = 0;                        // log(σ1 σ2) of the frame: NLL in the file's units = NLL + offset
    double worst = 0;                         // the largest NLL of one held-out point
    std::vector<double> held_log_p;
};
// Every fit of the family, in the manifest's order; each recorded in stats.json under
// "fits"/<family>/<i>.
std::vector<Scored> score_family(Context& ctx, const std::string& method, const std::string& set);

// The baselines of one split, fitted on its training rows and chosen on its validation
// rows; recorded under "baselines"/<set>/<split>.
struct Baselines {
    double gauss = 0, mixture = 0, kde = 0;   // held-out NLL, standardised frame
    std::size_t components = 0;               // of the mixture
    double kde_scott = 0;                     // the KDE's bandwidth / Scott's
    double offset = 0;
    double kde_worst = 0;                     // the KDE's largest NLL of one held-out point
};
std::vector<Baselines> baselines(Context& ctx, const std::string& set);  // one per split, in order

// Mean and spread of fits, and differences paired over fits (model/measure.hpp).
using model::Paired;
using model::paired;
using model::Spread;
using model::spread;
// Records verdict <name>: "<a> lower in every fit", "<b> lower in every fit" or "mixed".
std::string paired_outcome(Context& ctx, const std::string& name, const std::string& a, const std::string& b,
                           const Paired& p);

// Held-out NLLs of a family's fits, and the baselines' per fit (each fit's split).
std::vector<double> held(const std::vector<Scored>& fits);
std::vector<double> per_fit(const std::vector<Scored>& fits, const std::vector<Baselines>& b,
                            double Baselines::*what);

// The window and colour scale every figure uses for a data set: a box holding all 500
// rows in the first split's frame, rounded out to half units, and the log-density range
// of the colours (the KDE's highest value on the box, rounded up, and 8 nats below).
// Tick spacing for a window side of this length: 2, or 4 beyond 10 units (three to five
// labels a side).
inline int tick_distance(double span) { return span > 10 ? 4 : 2; }

struct SetView {
    double xmin, xmax, ymin, ymax, top, bottom;
    std::string axis_options() const;
};
SetView set_view(const std::string& set);

// The assignment's figure row for one fit: data X, its image f(X), the samples g(z), the
// prior draws z, and the learned log-density. titles: the column titles (top row);
// bottom: the x tick labels and names (bottom row); label: the row's name at its left.
// Returns the row's statistics.
nlohmann::json four_panel_row(Context& ctx, const std::string& name, const Fit& f, const Points& pts,
                              const Mat<float>& z, const Mat<float>& samples, bool titles, bool bottom,
                              const std::string& label);
// The j-th axis of a figure row (named p<j>, placed right of p<j-1>).
std::string row_axis(std::size_t j, const std::string& options);
// The marks of a row's panel (row_axis's box, `view` filling it) drawn on a raster layer
// saved as png (added to files): clouds in order, each with its colour and opacity
// (fr data marks and fr prior marks: kDataInk, kPriorInk), discs of 0.45 pt. Returns the
// plot line; the axis needs enlargelimits=false, axis on top and grid=none (the layer is opaque).
struct Cloud {
    const Mat<float>* points;
    report::Ink ink;
};
constexpr report::Ink kDataInk{0, 0, 179, 1.0};   // blue!70!black
constexpr report::Ink kPriorInk{191, 0, 0, 1.0};  // red!75!black
std::string panel_marks(const report::View& view, const std::vector<Cloud>& clouds, const std::string& png,
                        report::Files& files);

// The prior draws every figure uses for a data set: the same for every method.
Mat<float> prior_draws(Context& ctx, const std::string& set, std::size_t n = 1000);

// A method's figure: one row per data set (its first fit), drawn and measured (mass,
// round trip, sliced W2 of f(X) to the prior against that of other prior draws), recorded
// under "figure"/<set>. Returns the figure float's body.
struct Drawn {
    Fit fit;
    model::Measures m;
    double latent_w2 = 0;
};
std::vector<Drawn> method_rows(Context& ctx, const std::string& method, std::string& body);
// The sliced W2 distance between 1000 prior draws and each of 20 other sets of as many
// points as a training set: its largest, the yardstick for f(X) against the prior.
double latent_yardstick(Context& ctx, std::size_t n);
std::string rows_caption(const std::string& title, const std::string& what_fx, std::size_t points);
// The drawn fits' checks in two sentences: mass, and f(X) against the yardstick (verdicts
// latent_beyond_prior/<set>).
std::string drawn_sentence(Context& ctx, const std::vector<Drawn>& rows);

// Table 1: every method (all[method][set], the fits of score_family) and the baselines
// (base[set]) on every data set.
std::string results_table(const std::vector<std::vector<std::vector<Scored>>>& all,
                          const std::vector<std::vector<Baselines>>& base, std::size_t fits);

// The gap between the two blobs: their centres (a two-component mixture fitted to the
// first split's training points), in that split's frame. share(x) is the fraction of
// the points x whose projection on the segment between the centres falls in its middle
// third; data_share that of the data set's rows. A flow's samples must cross the gap (a
// continuous bijection cannot tear the Gaussian in two), a mixture's need not.
struct Gap {
    std::array<double, 2> a{}, b{};  // the centres
    double data_share = 0;
    double share(const Mat<float>& x) const;
};
Gap blob_gap(Context& ctx);  // recorded under "blob_gap"

// The learning rate of a method, chosen on validation: its fits' rate and its sweep's
// (manifest "sweep"), each scored by the lowest validation NLL of the first fit, averaged
// over the data sets (verdict lr_chosen/<method>). rates: "0.001 (1.234), ..." by rate.
struct Sweep {
    double used = 0, best = 0;
    double used_score = 0, best_score = 0;  // their mean lowest validation NLL
    bool chosen_is_best = false;
    std::string rates;    // "0.01, \textbf{0.03}, 0.1": the rates tried, the one used in bold
    double margin = 0;    // the runner-up's score minus the best's
    double spread = 0;    // the standard deviation of the best validation NLL over a data set's fits, averaged
};
Sweep lr_sweep(Context& ctx, const std::string& method);
// What a method's fits share and how their training ended (recorded under
// "settings"/<method>): architecture, size, limits, the range of kept epochs, how many
// reached the epoch limit, and the lowest share of its starting rate a fit stopped at.
struct FitsSummary {
    std::string method, architecture;
    std::size_t fits = 0, capped = 0, max_epochs = 0, patience = 0, batch = 0, parameters = 0;
    double kept_first = 0, kept_last = 0, lowest_rate_share = 1;
};
FitsSummary summarise_fits(Context& ctx, const std::string& method);
// The settings of the methods' fits, one row each, with their sweeps (label: tab:<label>).
std::string settings_table(const std::vector<std::string>& which, const std::vector<FitsSummary>& fits,
                           const std::vector<Sweep>& sweeps, const std::string& label);
// The sentences the two settings chapters share, each chosen by a verdict named after the
// first method: whether any fit reached its epoch limit; whether the runner-up rate lies
// within the fits' spread; and the lowest rate share at which a fit stopped (recorded).
std::string limit_clause(Context& ctx, const std::vector<std::string>& which, const std::vector<FitsSummary>& fits);
std::string margin_clause(Context& ctx, const std::vector<std::string>& which, const std::vector<Sweep>& sweeps);
// Where a method's rate is not the best of its sweep: "Real NVP's 0.02 scores 0.017 nats
// below the 0.008 used" (empty where every method's rate is the best).
std::string not_best_clause(const std::vector<std::string>& which, const std::vector<Sweep>& sweeps);
double rate_at_stop(Context& ctx, const std::vector<FitsSummary>& fits);

// "0.123 ± 0.045" (mean ± sd) in LaTeX.
std::string pm(const Spread& s, int decimals = 2);

}  // namespace flow::chapters::dt8122
