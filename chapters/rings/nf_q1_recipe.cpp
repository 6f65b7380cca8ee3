// nf-q1-loss's comparison with the exercise's recipe, and its sentence on the training
// loss against the validation loss (nf_common.hpp).
#include "data/olympic.hpp"
#include "nf_common.hpp"
#include "report/latex.hpp"
#include "report/stats.hpp"

namespace flow::chapters {

namespace {

using report::tex_fixed;

struct NfScores {
    double nll, band, train_seconds;
};

// Held-out NLL on the test set and the share of the samples from the prior points z
// (the quality draws every section shares) inside a band.
NfScores nf_score(nf::Model& m, const xt::xtensor<float, 2>& test, const nn::Mat<float>& z) {
    nn::Mat<float> x;
    m.flow.forward(z, x);
    return {nf::evaluate(m.flow, test).total, share_on_ring(x, m.scale, -1), m.train_seconds};
}

// One row of the table: the flow's size and its scores.
std::string nf_table_row(const std::string& name, const nf::Config& c, const NfScores& s) {
    return fmt::format("    {} & {} & {} & {} & {}\\\\\n", name, c.arch.couplings, c.arch.hidden,
                       tex_fixed(s.nll, 2), report::tex_percent(s.band));
}

}  // namespace

// The exercise's recipe, trained with every other setting of ours, against our flow on
// the same test points and 10,000 samples each: why we use a larger flow, in one
// sentence and a table (labelled tab:nf-q1-loss; nf-q2-sampling refers to it).
std::string nf_recipe_comparison(Context& ctx, nf::Model& m, const xt::xtensor<float, 2>& test) {
    nf::Model& r = ctx.load_as<nf::Model>("nf-recipe");
    const bool is_recipe = r.config.to_json() == m.config.to_json();
    const nn::Mat<float> z = quality_prior_points(ctx);
    const NfScores ours = nf_score(m, test, z);
    ctx.stats["default_vs_recipe"]["this_run"] = {{"nll", ours.nll}, {"share_in_band", ours.band},
                                                  {"train_seconds", ours.train_seconds}};
    std::string rows = nf_table_row("ours", m.config, ours), sentence;
    if (is_recipe) {
        sentence = "Our flow is the exercise's recommended one (Table~\\ref{tab:nf-q1-loss}).";
    } else {
        const NfScores rec = nf_score(r, test, z);
        ctx.stats["default_vs_recipe"]["recipe"] = {{"config", r.config.to_json()}, {"nll", rec.nll},
                                                    {"share_in_band", rec.band},
                                                    {"train_seconds", rec.train_seconds}};
        const bool better = ctx.verdict("default_better_than_recipe",
                                        "this flow's test NLL is below the recipe's and its share of samples in a "
                                        "band above",
                                        {{"nll", ours.nll}, {"recipe_nll", rec.nll}, {"share", ours.band},
                                         {"recipe_share", rec.band}},
                                        ours.nll < rec.nll && ours.band > rec.band);
        rows = nf_table_row("exercise's recipe", r.config, rec) + rows;
        sentence = better ? "Trained alike (one seed each), our larger flow beats the recommended one on both "
                            "measures."
                          : "Trained alike (one seed each), our larger flow does not beat the recommended one on "
                            "both measures.";
    }
    return sentence + R"(

\begin{table}[htbp]
  \centering\small
  \begin{tabular}{lrrrr}
    flow & couplings & hidden units & test NLL (nats) & samples in a band\\
    \hline
)" + rows + R"(  \end{tabular}
  \caption{Normalizing flow: the exercise's size against ours, one training seed each;
  test NLL on )" +
           report::tex_count((long long)test.shape(0)) + R"( fresh points, share of )" +
           report::tex_count((long long)kQualitySamples) + R"( samples in a band.}
  \label{tab:nf-q1-loss}
\end{table}
)";
}

// From which epoch on the training loss stays within 0.05 nats of the validation loss.
// The training loss is a mean over the epoch's batches; the validation loss is taken on
// the epoch's last weights, which jump about while the learning rate is large.
std::string nf_train_val_sentence(Context& ctx, const std::vector<nf::EpochRecord>& h) {
    constexpr double kClose = 0.05;
    std::size_t from = h.size();  // the first epoch index after which every gap is small
    while (from > 0 && std::fabs(h[from - 1].val.total - h[from - 1].train_loss) < kClose) --from;
    double largest = 0;  // the largest gap from there on
    for (std::size_t e = from; e < h.size(); ++e)
        largest = std::max(largest, std::fabs(h[e].val.total - h[e].train_loss));
    const std::string outcome = ctx.verdict(
        "training_against_validation",
        "the first epoch from which the training loss stays within 0.05 nats of the validation loss: the "
        "first, a later one, or none",
        {{"from_epoch", from < h.size() ? double(h[from].epoch) : -1.0}, {"largest_gap_after", largest}},
        from == 0 ? "every epoch" : from < h.size() ? "from a later epoch" : "never");
    if (outcome == "never")
        return "The training loss (grey) does not settle within 0.05 nats of the validation loss.";
    if (outcome == "every epoch")
        return "At every epoch the training loss (grey) is within 0.05 nats of the validation loss: the flow "
               "does not overfit.";
    double before = 0;  // the largest gap before it
    for (std::size_t e = 0; e < from; ++e) before = std::max(before, std::fabs(h[e].val.total - h[e].train_loss));
    return fmt::format("From epoch {} on, the training loss (grey) stays within 0.05 nats of the validation loss: "
                       "no overfitting. Before it the gap reaches {} nats.",
                       h[from].epoch, report::tex_fixed(before, 2));
}

}  // namespace flow::chapters
