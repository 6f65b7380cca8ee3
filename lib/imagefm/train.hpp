#pragma once
// Flow matching on images (Fashion-MNIST), in the space of the images' principal
// components. Each image is dequantised afresh every time it is drawn: x = 2 (pixel + u) /
// 256 - 1, u ~ U[0, 1) per pixel, so x is continuous in (-1, 1). Its coordinates on the
// training images' principal directions (an orthonormal basis, by decreasing variance)
// are c = V^T (x - m). A field v(c, t) on the first K of them is trained on
//     E |v(t c + (1 - t) eps, t) - (c - eps)|^2 / K,   eps ~ N(0, I);
// the other D - K coordinates are modelled as independent Gaussians with the training
// images' variances. Sampling integrates dc/dt = v from a Gaussian draw at t = 0 to 1 and
// maps back, x = m + V c.
//
// The field. v = v_G + net, where v_G is the exact field of independent Gaussian
// coordinates (coordinate d ~ N(m_d, s_d^2); here m_d = 0 and s_d^2 the d-th variance): with
// u = 1 - t,
//     v_G,d(y, t) = (m_d u + (t s_d^2 - u) y_d) / (t^2 s_d^2 + u^2),
// which is E[x - eps | y] under that Gaussian, finite at both ends. The network (an MLP of
// [y, time columns], field_inputs) learns only what the Gaussian misses.
//
// Likelihood. The field's flow is a continuous normalizing flow, so
//     log p_1(c) = log N(c_0; 0, I) - int_0^1 div v(c_t, t) dt,
// integrated from the point at t = 1 back to t = 0 by the midpoint rule. div v_G is exact;
// div net is Hutchinson's estimate eps^T J eps with one Rademacher probe per point, fixed
// along the path (one tangent pass per step instead of K). The basis is orthonormal, so
// log p(x) = log p_1(first K coordinates) + the Gaussians' log densities of the rest.
// Bits per dimension of the 8-bit image then bound the discrete likelihood (uniform
// dequantisation):
//     bpd = (D log 128 - log p(x)) / (D log 2),
// the log 128 being the pixel's width 2 / 256 in x.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "data/points.hpp"
#include "nn/layers.hpp"

namespace flow::imagefm {

using nn::Mat;

struct Config {
    std::size_t hidden = 0, depth = 0;      // the field's MLP
    std::size_t components = 0;             // K: the principal coordinates the field models
    std::size_t images = 0, val_images = 0; // training images (the first of the training split), then validation ones
    std::size_t epochs = 0, batch = 0;
    double lr = 0;
    std::uint64_t seed = 0;
    std::string data = "fashion-mnist";

    static Config from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;
};

struct Field {
    nn::MLP<float> net;
    std::vector<float> mean, var;  // the per-pixel Gaussian (D each)
    std::size_t dims() const { return mean.size(); }
};

struct Model {
    Config config;
    Field field;                   // on the first K principal coordinates
    std::vector<float> pixel_mean;  // m (D)
    Mat<float> basis;              // V (D, D): column j is the j-th principal direction
    std::vector<float> variance;   // of each principal coordinate (D), decreasing
    std::vector<double> train_loss, val_loss;  // per epoch
    data::Standardiser scale;                  // unused (identity): images are not standardised
    double train_seconds = 0;
    std::filesystem::path dir;
    std::vector<float> scratch;  // the checkpoint's gradient slots of the Gaussian's arrays
};

constexpr std::size_t kPixels = 784;
// The field reads the time as t and sin, cos of 2 pi k t for k = 1..kTimeFrequencies, so
// that its first layer can tell nearby times apart: [x, t, sin 2 pi t, cos 2 pi t, ...].
constexpr std::size_t kTimeFrequencies = 8;
constexpr std::size_t field_inputs(std::size_t dims) { return dims + 1 + 2 * kTimeFrequencies; }
// Training's time of a point: uniform on [0, 1] half the time, else 1 - t log-uniform on
// [kTimeFloor, 1], which spends half the batches near the data (t near 1), where the
// images' fine detail is decided. The loss's minimiser is unchanged.
constexpr double kTimeFloor = 1e-4;
// Sampling and the likelihood integrate on a grid whose steps shrink toward the data:
// t_k = 1 - kGridFloor^(k / (steps - 1)), then 1. Near t = 1 the field of a pixel that
// hardly varies (the images' background, dequantised to a width of 1/128) changes at a
// rate of about 1 / (1 - t); steps of a fixed share of 1 - t keep the midpoint rule
// stable there, where equal steps of 1/100 oscillate and leave the background noisy.
constexpr double kGridFloor = 1e-4;
std::vector<double> time_grid(std::size_t steps);
float draw_time(Rng& rng);
// Writes the time's 1 + 2 kTimeFrequencies columns of an input row at row.
void time_columns(float t, float* row);

// Pixel values 0-255 of a split's images (N, 784), and their labels.
struct Images {
    xt::xtensor<std::uint8_t, 2> pixels;
    std::vector<int> labels;
};
Images read_split(bool train);

// x = 2 (pixel + u) / 256 - 1 of rows [first, first + n) of pixels in `order`, u drawn from rng.
void dequantise(const Images& set, const std::vector<std::size_t>& order, std::size_t first, std::size_t n,
                Rng& rng, Mat<float>& x);

Model train(const Config& cfg, bool progress = true);
Model obtain(const Config& cfg, bool force = false);
Model load(const std::filesystem::path& dir);

// The principal components of the rows of x (n, D): their mean, the directions by
// decreasing variance (columns of basis) and the variances (from a covariance accumulated
// in double and LAPACK's symmetric eigensolver), each at least kVarianceFloor: the
// variance of the dequantisation noise alone, (2/256)^2 / 12, which every direction of
// dequantised images has (fewer images than pixels leave some directions with less).
constexpr double kVarianceFloor = (2.0 / 256) * (2.0 / 256) / 12;
struct Pca {
    std::vector<float> mean, variance;
    Mat<float> basis;
};
Pca principal_components(const Mat<float>& x);

// The first k principal coordinates c (n, k) of images x (n, D).
void encode(const Model& m, const Mat<float>& x, std::size_t k, Mat<float>& c);
// Images m + V c from the first k coordinates c (n, k) (the others at 0, their mean).
Mat<float> decode(const Model& m, const Mat<float>& c);
// Images from latent draws z (n, K): the field's samples of the first K coordinates, and
// the others drawn from their Gaussians by `minor` (or left at their mean when null).
Mat<float> sample_images(const Model& m, const Mat<float>& z, std::size_t steps, Rng* minor);
// log p(x) of images x (n, D): the field's density of the first K coordinates (Hutchinson,
// `steps` midpoint steps) and the Gaussians' of the rest.
std::vector<double> image_log_density(const Model& m, const Mat<float>& x, std::size_t steps, Rng& rng);

// A field of D coordinates whose Gaussian part has the given means and variances and whose
// network has `hidden` units in `depth` layers, initialised from rng.
Field make_field(std::vector<float> mean, std::vector<float> var, std::size_t hidden, std::size_t depth, Rng& rng);

// Adds v_G(y_i, t_i) to each row i of v (the network's output); row i of y starts at
// y + i * stride.
void add_gaussian(const Field& f, const float* y, std::size_t stride, const std::vector<float>& t, Mat<float>& v);

// v(y, t) for every row of y at time t, into v (the network's tape kept for tangents).
void velocity(const Field& f, const Mat<float>& y, float t, Mat<float>& in, nn::MLP<float>::Tape& tape, Mat<float>& v);

// The flow-matching loss of the field on x with given noise and times.
double loss(const Field& f, const Mat<float>& x, const Mat<float>& eps, const std::vector<float>& t);

// n samples (n, D) in (-1, 1) units: `steps` midpoint steps on time_grid from Gaussian draws z.
Mat<float> sample(const Field& f, const Mat<float>& z, std::size_t steps);

// log p_1(x) per row of x (in (-1, 1) units) by the continuous change of variables, with
// Hutchinson's divergence (one Rademacher probe per row from rng) and `steps` midpoint
// steps on time_grid; `exact` replaces the probe by the D-pass exact trace (for tests, at small D).
std::vector<double> log_density(const Field& f, const Mat<float>& x, std::size_t steps, Rng& rng,
                                bool exact = false);
// Bits per dimension of 8-bit images from log p_1 of their dequantised points.
double bits_per_dim(double log_density, std::size_t dims);

}  // namespace flow::imagefm
