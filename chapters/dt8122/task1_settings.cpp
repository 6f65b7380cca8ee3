// task1-settings: Task 1, "the hyper-parameters and model choices, and any assumption or
// change made".
//
// The settings come from the models' own configurations; the standardisation's effect on
// the NLL is computed from the training sets' statistics.
#include <cmath>

#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

// "two moons 0.123, ...": log(σ1 σ2) per data set, what converts our NLLs to the file's units.
std::string unit_offsets(Context& ctx, const std::vector<Fit>& fits) {
    std::string s;
    for (const Fit& f : fits) {
        const std::string& set = f.data;
        const double offset = std::log(f.scale.std[0] * f.scale.std[1]);
        ctx.stats["unit_offset"][set] = offset;
        s += fmt::format("{}{} {}", s.empty() ? "" : ", ", data_title(set), report::tex_fixed(offset, 3));
    }
    return s;
}

// Where each Real NVP's held-out NLL was lowest during training, against its last value.
std::string nvp_history(Context& ctx, const std::vector<Fit>& fits) {
    std::string s;
    double worst_rise = 0;
    for (const Fit& f : fits) {
        const auto best = std::min_element(f.val_loss.begin(), f.val_loss.end());
        const auto epoch = std::size_t(best - f.val_loss.begin()) + 1;
        worst_rise = std::max(worst_rise, f.val_loss.back() - *best);
        s += fmt::format("{}{} at epoch {} against {} at the last", s.empty() ? "" : "; ",
                         report::tex_fixed(*best, 3), epoch, report::tex_fixed(f.val_loss.back(), 3));
    }
    ctx.stats["realnvp_held_out_rise"] = worst_rise;
    return "their held-out NLLs were lowest at " + s + " (two moons, two blobs, boomerang).";
}

void task1_settings(Context& ctx) {
    const std::vector<Fit> planar = load_method(ctx, "planar"), nvp = load_method(ctx, "realnvp");
    const std::string table = settings_table({planar, nvp}, "task1-settings");
    ctx.text = ctx.section() + table + fmt::format(
        R"(Table~\ref{{tab:task1-settings}} gives the settings. The choices and assumptions behind them:
\begin{{itemize}}\setlength{{\itemsep}}{{0pt}}
\item \emph{{Split and units.}} The assignment gives 500 points per data set and no split; we hold out 100 of them,
  chosen once by a fixed permutation, and train on the other 400. Every model sees its training points standardised
  by their own mean and standard deviation, and every NLL is in those units; adding $\log\sigma_1\sigma_2$
  ({offsets}) gives it in the data's original units.
\item \emph{{Direction.}} Rezende and Mohamed use planar flows in the generative direction, for variational
  inference. For density estimation we put them in the normalizing direction, where the log-likelihood needs only
  the forward pass, and we add the inverse the paper does not give, to sample (Section~\ref{{sec:task1-planar}}).
\item \emph{{Invertibility.}} Each planar layer keeps $w^\top\hat u > -1$ through the paper's reparametrisation of $u$,
  so every layer is invertible throughout training; Real NVP is invertible by construction, and its log-scale is
  bounded so that $e^{{s}}$ cannot overflow.
\item \emph{{Depth and width.}} Planar layers are cheap (5 parameters each in two dimensions) and weak alone, so we
  use many. Real NVP's networks are kept small and trained briefly, because 400 points are few for a flow of
  {nvp_params} parameters: {history} These settings were chosen by a few trial fits scored on the held-out points,
  so the held-out NLLs are slightly optimistic for both flows alike.
\item \emph{{Initialisation and seed.}} Planar $u$ and $w$ are drawn uniformly from $[-1/\sqrt2, 1/\sqrt2]$ and
  $b = 0$; Real NVP uses PyTorch's standard initialisation. Every random stream derives from one seed (0), recorded
  in the appendix.
\end{{itemize}}

)",
        fmt::arg("offsets", unit_offsets(ctx, planar)), fmt::arg("history", nvp_history(ctx, nvp)),
        fmt::arg("nvp_params", report::tex_count((long long)nvp.front().parameters)));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-settings", nullptr, task1_settings)

}  // namespace flow::chapters::dt8122
