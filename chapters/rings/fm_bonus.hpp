#pragma once
// What the bonus chapter's files share (fm_bonus_target.cpp, fm_bonus_methods.cpp,
// fm_bonus_text.cpp): the target, the attempts' results, and the functions that make
// and describe them.
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fm/new_class.hpp"
#include "fm/steer.hpp"
#include "fm_common.hpp"

namespace flow::chapters::bonus {

// The target, in each model's own standardised coordinates: where the exercise's data
// code puts it.
constexpr std::array<double, 2> kTarget = {4.0, 5.0};
// The target as the text writes it, "(4, 5)".
const std::string kTargetText = fmt::format("({:g}, {:g})", kTarget[0], kTarget[1]);
// A sample "lands on" the target within this distance.
constexpr double kClose = 0.01;
// The target's mark, drawn after the paths' end dots so that none covers it.
const std::string kCross = fmt::format(
    "\\addplot[only marks, mark=x, mark size=5pt, red!70!black, very thick] coordinates {{({:g},{:g})}};\n",
    kTarget[0], kTarget[1]);

// Distances of each row of x from the target: their mean and largest.
struct Miss {
    double mean = 0, max = 0;
};

// What the chapter measures every method on: one ordinary prior draw y0 (whose path the
// figures draw) and 200 more, and the integration the flags ask for.
struct Setup {
    fm::Integration euler;
    std::size_t steps;
    nn::Mat<float> y0, starts;
    Recorder recorder() const { return Recorder(steps, 200); }
};

// --- attempt 1: invert the flow from (4, 5) ------------------------------------------------
struct InvertedTarget {
    nn::Mat<float> samples;  // ordinary samples, for the closest one and the background
    double closest = 1e300, miss_euler = 0, miss_rk4 = 0, seconds = 0, norm = 0, log10_tail = 0;
    nn::Mat<float> y0;       // the inverted prior point
    Recorder path;
};

// --- steering: switch to Eq. 15's field at tau, or pull with weight t^k ----------------------
struct Steered {
    std::string method;  // "switch" or "pull"
    double param;        // tau or k
    Miss miss;
    double energy, speed, seconds;
    // When the method hands the path over: tau, or the t at which w = t^k reaches 1/2.
    double handover() const { return method == "switch" ? param : std::pow(0.5, 1.0 / param); }
};

struct Steering {
    std::vector<Steered> rows;
    std::vector<Recorder> paths;  // from y0: the field alone, tau = 0, tau = 0.9, t^4, t^64
    double own_speed = 0;         // the field alone's mean peak speed
    nn::Mat<float> own_end;       // where the field alone takes y0
};

// --- a sixth class of the conditional model (fitted by make: two models) -------------------
struct SixthClass {
    std::string method;
    fm::NewClassModel model;
    Miss miss;
    double final_loss, own_ring;
    Recorder path;
};

// Attempt 1: the flow inverted from the target (with RK4 and with Euler steps).
InvertedTarget invert(Context& ctx, fm::Model& m, const Setup& s);
// Steering an ordinary draw: switched at tau, or pulled with weight t^k.
Steering steer(fm::Model& m, const Setup& s);
// The old classes' share of samples in their own ring, on cfm-q3's samples (class_prior_points).
double own_ring_share(Context& ctx, fm::VectorField<float>& f, const data::Standardiser& scale, const Setup& s);
// A sixth class of the conditional model, fitted by make (the manifest's model).
SixthClass sixth_class(Context& ctx, const std::string& model, const std::string& method, const Setup& s);
// The table of the attempts.
std::string methods_table(const InvertedTarget& inv, const Steering& st, const SixthClass& emb, const SixthClass& ft,
                          std::size_t n);
// The text: the attempts, the steering, the sixth class and the table; scale: the frame of
// the target (the unconditional model's).
std::string answer(Context& ctx, const Setup& s, const InvertedTarget& inv, const Steering& st,
                   const SixthClass& emb, const SixthClass& ft, double own_before, const data::Standardiser& scale);

}  // namespace flow::chapters::bonus
