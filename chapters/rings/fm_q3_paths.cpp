// fm-q3-trajectories' measures of paths: turning and radius (fm_q3.hpp).
#include <algorithm>
#include <cmath>

#include "fm_q3.hpp"

namespace flow::chapters::fm_q3 {

// The change of direction (radians, in [0, pi]) between consecutive segments of every
// path, or NaN where a segment has no length. turn[k][i] is the turn at state k + 1.
std::vector<std::vector<double>> turns(const std::vector<nn::Mat<float>>& s) {
    const std::size_t n = s.front().shape(0);
    std::vector<std::vector<double>> out(s.size() > 2 ? s.size() - 2 : 0, std::vector<double>(n, NAN));
    for (std::size_t i = 0; i < n; ++i) {
        double prev = NAN;
        for (std::size_t k = 1; k < s.size(); ++k) {
            const double dx = s[k](i, 0) - s[k - 1](i, 0), dy = s[k](i, 1) - s[k - 1](i, 1);
            if (std::hypot(dx, dy) < 1e-12) continue;
            const double a = std::atan2(dy, dx);
            if (!std::isnan(prev) && k >= 2) out[k - 2][i] = std::fabs(std::remainder(a - prev, 2 * M_PI));
            prev = a;
        }
    }
    return out;
}



Turning turning(const std::vector<std::vector<double>>& turn) {
    const std::size_t n = turn.empty() ? 0 : turn.front().size();
    Turning r;
    for (std::size_t i = 0; i < n; ++i) {
        double total = 0, largest = 0;
        for (const auto& k : turn)
            if (!std::isnan(k[i])) {
                total += k[i];
                largest = std::max(largest, k[i]);
            }
        r.mean_total += total / double(n);
        r.mean_largest += largest / double(n);
    }
    return r;
}


Radius radius(const std::vector<nn::Mat<float>>& all) {
    auto rms = [](const nn::Mat<float>& y) {
        const std::size_t n = y.shape(0);
        double s2 = 0;
        for (std::size_t i = 0; i < n; ++i) s2 += (double(y(i, 0)) * y(i, 0) + double(y(i, 1)) * y(i, 1)) / double(n);
        return std::sqrt(s2);
    };
    Radius r{rms(all.front()), rms(all.back()), std::vector<double>(all.size()), 0};
    for (std::size_t k = 0; k < all.size(); ++k) {
        r.ratio[k] = rms(all[k]) / r.r0;
        if (r.ratio[k] < r.ratio[r.k_min]) r.k_min = k;
    }
    return r;
}

// Turning per tenth of the time: the share of all turning in each, and the pair of
// neighbouring tenths that holds the most (its first tenth).
std::pair<std::vector<double>, std::size_t> turning_by_tenth(const std::vector<std::vector<double>>& fm_turns,
                                                             const std::vector<double>& all_t) {
    std::vector<double> window(10, 0.0);
    double total_turn = 0;
    for (std::size_t k = 0; k < fm_turns.size(); ++k)
        for (double a : fm_turns[k])
            if (!std::isnan(a)) {
                const auto w = std::min<std::size_t>(9, std::size_t(all_t[k + 1] * 10.0));
                window[w] += a;
                total_turn += a;
            }
    for (double& w : window) w /= total_turn;
    std::size_t peak = 0;
    for (std::size_t w = 1; w + 1 < 10; ++w)
        if (window[w] + window[w + 1] > window[peak] + window[peak + 1]) peak = w;
    return {window, peak};
}

// What the text concludes about the paths' shape, as verdicts.
std::tuple<bool, bool, bool> shape_verdicts(Context& ctx, const Paths& p, const Radius& rad) {
    const auto& ratio = rad.ratio;
    const std::size_t k_min = rad.k_min;
    const auto& all = p.all;
    const auto& fm_r = p.fm_r;
    const double fm_len = fm_r.mean_length, nf_len = p.nf_r.mean_length;
    const bool inward = ctx.verdict("points_move_inward",
                                    "the cloud's spread falls below 0.9 of the prior's at a state strictly between "
                                    "the start and the end",
                                    {{"smallest_ratio", ratio[k_min]}, {"at_state", k_min}, {"states", all.size()}},
                                    ratio[k_min] < 0.9 && k_min > 0 && k_min + 1 < all.size());
    // A large ratio from short paths whose ends nearly meet, not from long detours.
    const bool short_paths = ctx.verdict(
        "fm_ratio_from_short_paths",
        "flow matching's mean end-to-end distance is below 0.5 and its mean path below half the flow's",
        {{"fm_straight", report::mean(fm_r.straight)}, {"fm_length", fm_len}, {"nf_length", nf_len}},
        report::mean(fm_r.straight) < 0.5 && fm_len < 0.5 * nf_len);
    const bool dips = ctx.verdict("radius_dips",
                                  "the cloud's rms radius falls below 0.98 of its start and ends more than 0.02 above "
                                  "its smallest",
                                  {{"smallest", ratio[k_min]}, {"end", ratio.back()}},
                                  ratio[k_min] < 0.98 && ratio.back() > ratio[k_min] + 0.02);
    return {inward, short_paths, dips};
}

}  // namespace flow::chapters::fm_q3
