#pragma once
// What every density model is measured by, whatever its kind: the mean negative
// log-likelihood of its training and held-out points (and the standard Gaussian's on
// the same points), the mass of its density over the data's box, the distance of its
// samples to the held-out points, and the round trip g(f(x)) = x; and paired
// differences of per-point values between two models.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "data/points.hpp"
#include "model/model.hpp"

namespace flow::model {

using nn::normal_draws;

// A model as the measuring code sees it: what training left, its name in the manifest,
// and its abilities (forwarded to the model).
struct Fit : Record {
    std::string name;  // in the manifest
    const Trained* trained = nullptr;

    std::vector<double> log_prob(const Mat<float>& x) const { return trained->log_prob(x); }
    Mat<float> latent(const Mat<float>& x) const { return trained->latent(x); }
    Mat<float> generate(const Mat<float>& z) const { return trained->generate(z); }
    double round_trip(const Mat<float>& x) const { return trained->round_trip(x); }
    template <class M>
    const M& as() const {
        return trained->as<M>();
    }
};
inline Fit fit_of(const std::string& name, const Trained& m) {
    Fit f;
    static_cast<Record&>(f) = m.record();
    f.name = name;
    f.trained = &m;
    return f;
}

// A model's training set drawn again as its training drew it (the stream "<kind>/data"
// of its seed), standardised by its own statistics, which are the model's frame.
data::PointSet training_set(const Record& r);

// A model's training and held-out points in its own standardised frame, drawn again as
// its training drew them (the streams "<kind>/data" and "<kind>/val" of its seed).
struct Points {
    Mat<float> train, held;
};
Points points_of(const Fit& m);

struct Measures {
    double nll = 0, train_nll = 0;  // mean negative log-likelihood, nats (standardised frame)
    double gaussian_nll = 0;        // what N(0, I) scores on the same held-out points
    double mass = 0;                // of the density over the data's box (see kMassGrid)
    double sliced_w2 = 0;           // the samples against the held-out points
    double data_w2 = 0;             // the training points against the held-out points
    double round_trip = 0;          // largest |g(f(x)) - x| over the held-out points
    std::vector<double> held_log_p;  // log p of each held-out point, in the held-out order
    nlohmann::json to_json() const;
};
// The box the mass is measured over: the data's bounding box widened by half its size on
// every side, cut into kMassGrid x kMassGrid cells.
constexpr std::size_t kMassGrid = 120;
constexpr double kMassTolerance = 0.02;  // a density's mass must be 1 within this
// samples: the model's samples g(z) of some prior draws.
Measures measure(const Fit& m, const Points& pts, const Mat<float>& samples);

// log p over the box [xmin, xmax] x [ymin, ymax] at the centres of a G x G grid, row 0 at
// the top (as a PNG is drawn).
std::vector<double> density_image(const Fit& m, double xmin, double xmax, double ymin, double ymax, std::size_t G);

// Mean and sample standard deviation of a few fits' values.
struct Spread {
    double mean = 0, sd = 0;
    std::size_t n = 0;
};
Spread spread(const std::vector<double>& v);

// a - b paired over fits (same seed, and split if any), and in how many a is the lower.
struct Paired {
    Spread diff;
    std::size_t a_lower = 0;
};
Paired paired(const std::vector<double>& a, const std::vector<double>& b);

// Two sets of fits that share nothing but their settings' other values: whether every
// value of a is below every value of b ("a below"), every value of b below every value
// of a ("b below"), or neither ("overlap").
std::string separation(const std::vector<double>& a, const std::vector<double>& b);

// The mean of a - b over paired per-point values, and its standard error.
struct Difference {
    double mean = 0, se = 0;
    bool clear() const { return std::fabs(mean) > 2 * se; }  // more than two standard errors
};
Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace flow::model
