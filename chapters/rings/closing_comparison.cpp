// closing-comparison: the two families side by side on what the questions measured.
//
// Every number is measured again here on the same points the sections use, so that it is
// the number those sections state: the paths of fm-q3 and nf-q4 (path_prior_points), the
// round trips of fm-q5 (the same probes and step), the quality samples of fm-q1
// (quality_prior_points), the models' own training times.
#include <cmath>

#include "fm_common.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;
using report::tex_num;

std::vector<config::FlagSpec> closing_flags() {
    auto f = fm_flags();
    f.push_back(probes_flag());
    return f;
}

// One family's numbers, in the table's order.
struct Family {
    PathSummary paths;
    double round_trip = 0, seconds = 0, band = 0, distance = 0;
    std::size_t epochs = 0, evaluations = 0;
    nlohmann::json to_json() const {
        return {{"paths", paths.to_json()}, {"max_round_trip", round_trip}, {"train_seconds", seconds},
                {"epochs", epochs}, {"evaluations_per_sample", evaluations}, {"share_in_band", band},
                {"sliced_w2_to_data", distance}};
    }
};

double largest_distance(const nn::Mat<float>& a, const nn::Mat<float>& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.shape(0); ++i) d = std::max(d, std::hypot(double(a(i, 0)) - b(i, 0), double(a(i, 1)) - b(i, 1)));
    return d;
}

Family measure_nf(Context& ctx, const nf::Model& m, const std::vector<std::array<double, 2>>& probes) {
    Family f;
    f.paths = path_summary(nf_path_from(m, path_prior_points(ctx)));
    const nn::Mat<float> x = probes_in_frame(probes, m.scale);
    nn::Mat<float> z, back;
    std::vector<float> logdet;
    m.flow.inverse(x, z, logdet);
    m.flow.forward(z, back);
    f.round_trip = largest_distance(back, x);
    f.seconds = m.train_seconds;
    f.epochs = m.config.epochs;
    f.evaluations = 2 * m.flow.layers();  // a scale and a shift network per coupling
    nn::Mat<float> samples;
    m.flow.forward(quality_prior_points(ctx), samples);
    const auto q = cloud_json(samples, m.scale, quality_held_out(ctx, m.scale));
    f.band = q["share_in_band"].get<double>();
    f.distance = q["sliced_w2_to_data"].get<double>();
    return f;
}

Family measure_fm(Context& ctx, fm::Model& m, const std::vector<std::array<double, 2>>& probes,
                  const fm::Integration& how) {
    Family f;
    std::vector<nn::Mat<float>> all;
    fm::forward_flow(m.field, path_prior_points(ctx), how, nullptr,
                     [&](std::size_t, double, const nn::Mat<float>& y) { all.push_back(y); });
    f.paths = path_summary(all);
    const nn::Mat<float> x = probes_in_frame(probes, m.scale);
    f.round_trip = largest_distance(fm::forward_flow(m.field, fm::reverse_flow(m.field, x, how), how), x);
    f.seconds = m.train_seconds;
    f.epochs = m.config.epochs;
    f.evaluations = fm::step_count(0, 1, how.dt) * (how.solver == fm::Solver::Euler ? 1 : how.solver == fm::Solver::Midpoint ? 2 : 4);
    const auto q = cloud_json(fm::forward_flow(m.field, quality_prior_points(ctx), how), m.scale,
                              quality_held_out(ctx, m.scale));
    f.band = q["share_in_band"].get<double>();
    f.distance = q["sliced_w2_to_data"].get<double>();
    return f;
}

std::string table(const Family& nf, const Family& fm, std::size_t probes) {
    auto row = [](const std::string& name, const std::string& a, const std::string& b) {
        return "    " + name + " & " + a + " & " + b + "\\\\\n";
    };
    auto secs = [](const Family& f) { return fmt::format("{} ({} epochs)", tex_fixed(f.seconds, 0), f.epochs); };
    return "\\begin{table}[htbp]\n  \\centering\\small\n  \\begin{tabular}{lcc}\n"
           "    & normalizing flow & flow matching\\\\\\hline\n" +
           row("path length", tex_fixed(nf.paths.length, 2), tex_fixed(fm.paths.length, 2)) +
           row("length / distance between ends", tex_fixed(nf.paths.ratio, 2), tex_fixed(fm.paths.ratio, 2)) +
           row(fmt::format("round trip, largest of {} points", probes), tex_num(nf.round_trip, 2), tex_num(fm.round_trip, 2)) +
           row("training time, s", secs(nf), secs(fm)) +
           row("network evaluations per sample", std::to_string(nf.evaluations), std::to_string(fm.evaluations)) +
           row("10\\,000 samples in a band", report::tex_percent(nf.band), report::tex_percent(fm.band)) +
           "  \\end{tabular}\n  \\caption{The two families: paths as in Table~\\ref{tab:fm-q3-trajectories}, round trip as in "
           "Table~\\ref{tab:fm-q5-reverse}, samples as in Table~\\ref{tab:nf-q1-loss} and Section~\\ref{sec:fm-q1-loss}.}\n"
           "  \\label{tab:closing-comparison}\n\\end{table}\n";
}

}  // namespace

void closing_comparison(Context& ctx) {
    nf::Model& nfm = nf_model(ctx);
    fm::Model& m = fm_model(ctx);
    const fm::Integration how = fm::integration(ctx.flags());
    const auto probes = ctx.flags().points("probes");
    const Family nf = measure_nf(ctx, nfm, probes), fm = measure_fm(ctx, m, probes, how);
    ctx.stats["nf"] = nf.to_json();
    ctx.stats["fm"] = fm.to_json();
    const bool straighter = ctx.verdict("fm_paths_straighter", "flow matching's paths are shorter and their "
                                                               "length over end-to-end distance is smaller",
                                        {{"fm", fm.paths.to_json()}, {"nf", nf.paths.to_json()}},
                                        fm.paths.length < nf.paths.length && fm.paths.ratio < nf.paths.ratio);
    // The share in a band of n samples has a binomial standard error; a difference counts
    // when it exceeds four of the difference's.
    const double se = std::sqrt((fm.band * (1 - fm.band) + nf.band * (1 - nf.band)) / double(kQualitySamples));
    const bool more = ctx.verdict("fm_more_in_bands", "flow matching's share of samples in a band exceeds the flow's "
                                                      "by more than four standard errors",
                                  {{"fm", fm.band}, {"nf", nf.band}, {"se", se}}, fm.band - nf.band > 4 * se);
    const bool nf_exact = ctx.verdict("nf_inverts_better", "the flow's largest round trip is below flow matching's",
                                      {{"nf", nf.round_trip}, {"fm", fm.round_trip}}, nf.round_trip < fm.round_trip);
    const bool fm_costs = ctx.verdict("fm_more_evaluations", "flow matching needs more network evaluations per sample",
                                      {{"nf", nf.evaluations}, {"fm", fm.evaluations}}, fm.evaluations > nf.evaluations);
    ctx.text = ctx.section() + fmt::format(
        R"(Flow matching {paths} and {samples}. The normalizing flow {invert}, and {cost}
(Table~\ref{{tab:closing-comparison}}). Flow matching's regression at every $t$ pins each
intermediate distribution and lets any network be the field; the flow's couplings buy exact
inverses at the price of restricted layers.

{table})",
        fmt::arg("paths", straighter ? "moves points along shorter, less indirect paths" : "does not give more direct paths"),
        fmt::arg("samples", more ? "puts more samples in the bands, beyond sampling noise for these two trained "
                                   "models (one training seed each)"
                                 : "does not put clearly more samples in the bands"),
        fmt::arg("invert", nf_exact ? "inverts in closed form, to float rounding, where flow matching's inverse carries its steps' error"
                                    : "does not invert more exactly than flow matching"),
        fmt::arg("cost", fm_costs ? fmt::format("samples with {} network evaluations against {}", nf.evaluations,
                                                fm.evaluations)
                                  : std::string("needs no fewer network evaluations per sample")),
        fmt::arg("table", table(nf, fm, probes.size())));
}

FLOWREPORT_CHAPTER("rings", "closing-comparison", closing_flags, closing_comparison)

}  // namespace flow::chapters
