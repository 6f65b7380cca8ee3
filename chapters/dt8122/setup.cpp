// setup: what every later section assumes: the change of variables and the objective,
// the data's splits, the fits per method, how settings are chosen, the baselines, and why
// the implementation is C++.
#include "common.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

void setup(Context& ctx) {
    const auto& fits = ctx.manifest().fits(family(methods().front(), data_sets().front()));
    std::size_t seeds = 0, splits = 0;
    for (const auto& n : fits) {
        seeds = std::max(seeds, ctx.manifest().model(n).seed_index + 1);
        splits = std::max(splits, ctx.manifest().model(n).split);
    }
    const data::Dataset& d = data::dataset(data::split_name(data_sets().front(), 1));
    ctx.stats["rows"] = {{"train", d.train_rows.size()}, {"val", d.val_rows.size()}, {"held", d.held_rows.size()},
                         {"seeds", seeds}, {"splits", splits}};
    ctx.text = ctx.section() + fmt::format(
        R"(This report answers the ProbAI 2022 (DT8122) assignment: planar flows
\cite{{rezende2015}} and Real NVP \cite{{dinh2017}} (Task~1) and continuous flows \cite{{chen2018}} (Task~2),
fitted to two moons, two blobs and a boomerang. A flow $f$ maps $x$ to $z = f(x)$ with prior
$\mathcal N(0, I)$, so that $\log p(x) = \log\mathcal N(f(x); 0, I) + \log\lvert\det \partial f/\partial x\rvert$;
training minimises the mean negative log-likelihood (NLL) of the training points with Adam, and samples are
$g(z)$, $g = f^{{-1}}$.

Each data set's {n} points are split {splits} times at random into {tr} training, {va} validation and {he}
held-out points, and each method is fitted with {seeds} seeds per split: {fits} fits per method and data set.
Points are standardised by the training points' statistics; NLLs are in nats. Validation points choose the
stopping epoch and the learning rate; held-out points are used only to score. Table~\ref{{tab:results}} adds
the standard Gaussian, a Gaussian mixture and a kernel density estimate as references. The code is C++, not Python or
Julia: every gradient is a hand-written backward pass, checked against finite differences.

)",
        fmt::arg("n", d.all_rows.size()), fmt::arg("splits", splits), fmt::arg("tr", d.train_rows.size()),
        fmt::arg("va", d.val_rows.size()), fmt::arg("he", d.held_rows.size()), fmt::arg("seeds", seeds),
        fmt::arg("fits", fits.size()));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "setup", nullptr, setup)

}  // namespace flow::chapters::dt8122
