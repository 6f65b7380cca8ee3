// task1-realnvp: Task 1, Real NVP.
//
// "Implement Real NVP, fit it to each data set, and show the same four panels."
//
// The library's affine couplings (the rings exercise's normalizing flow) in two
// dimensions: each coupling keeps one coordinate and scales and shifts the other, and a
// permutation between couplings alternates which one is kept. Both directions are exact.
#include "common.hpp"
#include "nf/train.hpp"
#include "report/latex.hpp"

namespace flow::chapters::dt8122 {

namespace {

void task1_realnvp(Context& ctx) {
    std::string body;
    const auto rows = method_rows(ctx, "realnvp", body);
    const double trip = largest_round_trip(rows);
    const auto& arch = rows.front().fit.as<nf::Model>().config.arch;
    ctx.text = ctx.section() + fmt::format(
        R"(A Real NVP coupling keeps one part of the point and moves the other by a scale and a shift
computed from the kept part: $z_1 = x_1$, $z_2 = (x_2 - t(x_1))\,e^{{-s(x_1)}}$ in the normalizing direction, so
that its Jacobian is triangular and its log-determinant is $-\sum s(x_1)$, whatever the networks $s$ and $t$
are. In two dimensions each part is one coordinate; a swap after every coupling alternates the mask. We use {c}
couplings, each with a scale and a shift network of {d} linear layers of {h} units, and bound the log-scale
smoothly, $s = {b}\tanh(u/{b})$ for a network output $u$, which keeps $e^{{s}}$ from overflowing early in training.
Both directions are
closed-form: $g(f(x))$ returns every held-out point to within {trip}.{sets}
Figure~\ref{{fig:{id}}} shows the four panels for each data set.

)",
        fmt::arg("c", arch.couplings), fmt::arg("d", arch.depth), fmt::arg("h", arch.hidden), fmt::arg("trip", report::tex_num(trip, 2)),
        fmt::arg("b", fmt::format("{:g}", arch.log_scale_bound)),
        fmt::arg("sets", " " + summary_sentence(ctx, rows, "Real NVP", latent_reference(ctx))),
        fmt::arg("id", ctx.chapter().id));
    ctx.text += ctx.figure_float(body, rows_caption("Real NVP", "in the latent space"));
}

}  // namespace

FLOWREPORT_CHAPTER("dt8122", "task1-realnvp", nullptr, task1_realnvp)

}  // namespace flow::chapters::dt8122
