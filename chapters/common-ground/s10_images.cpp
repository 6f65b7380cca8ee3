// Slide 10: images. The flow-matching field on Fashion-MNIST's 28 x 28 images
// (imagefm/train.hpp): samples from 100 midpoint steps beside real test images; the
// test images' bits per dimension through the continuous change of variables with
// Hutchinson's divergence, beside a per-pixel Gaussian (the best per-pixel affine flow,
// in closed form) and a published Glow's about 3.1. And the seed's loss, mean(y^2) with no
// log-determinant, run on a per-pixel affine flow y = x e^a + b as the seed trains it
// (5 epochs of batches of 64, Adam at 0.001): the scale only shrinks.
#include <cmath>

#include "common.hpp"
#include "imagefm/train.hpp"
#include "model/measure.hpp"
#include "optim/adam.hpp"

namespace flow::chapters::deck::s10 {
namespace {

using imagefm::kPixels;
constexpr std::size_t kShown = 18, kScored = 500, kSteps = 100;

// rows x cols images (each row of x, in (-1, 1)) as one grey PNG with 2-pixel gaps.
std::string grid_png(const Mat<float>& x, std::size_t rows, std::size_t cols) {
    const std::size_t H = rows * 30 - 2, W = cols * 30 - 2;
    std::vector<unsigned char> px(H * W * 3, 255);
    for (std::size_t n = 0; n < rows * cols; ++n)
        for (std::size_t r = 0; r < 28; ++r)
            for (std::size_t c = 0; c < 28; ++c) {
                const double v = std::clamp((double(x(n, r * 28 + c)) + 1) / 2, 0.0, 1.0);
                const auto grey = (unsigned char)std::lround(255 * (1 - v));  // ink dark on white
                const std::size_t y = (n / cols) * 30 + r, xx = (n % cols) * 30 + c;
                for (int k = 0; k < 3; ++k) px[(y * W + xx) * 3 + k] = grey;
            }
    return report::png_encode(px, H, W, 3);
}

// Bits per dimension of the per-pixel Gaussian fitted to the training images.
double gaussian_bpd(const imagefm::Images& train, const Mat<float>& test, Rng& rng) {
    std::vector<std::size_t> order(train.pixels.shape(0));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    Mat<float> x;
    imagefm::dequantise(train, order, 0, order.size(), rng, x);
    std::vector<double> mean(kPixels, 0.0), var(kPixels, 0.0);
    const double n = double(x.shape(0));
    for (std::size_t i = 0; i < x.shape(0); ++i)
        for (std::size_t d = 0; d < kPixels; ++d) mean[d] += x(i, d) / n;
    for (std::size_t i = 0; i < x.shape(0); ++i)
        for (std::size_t d = 0; d < kPixels; ++d) var[d] += (x(i, d) - mean[d]) * (x(i, d) - mean[d]) / n;
    double bpd = 0;
    for (std::size_t i = 0; i < test.shape(0); ++i) {
        double lp = 0;
        for (std::size_t d = 0; d < kPixels; ++d)
            lp += -0.5 * (test(i, d) - mean[d]) * (test(i, d) - mean[d]) / var[d] - 0.5 * std::log(2 * M_PI * var[d]);
        bpd += imagefm::bits_per_dim(lp, kPixels) / double(test.shape(0));
    }
    return bpd;
}

// Bits per dimension of each test image under the full-covariance Gaussian of the
// training images: every principal coordinate an independent Gaussian (the model with its
// network at zero).
std::vector<double> full_gaussian_bpd(const imagefm::Model& m, const Mat<float>& test) {
    Mat<float> c;
    imagefm::encode(m, test, kPixels, c);
    std::vector<double> bpd;
    for (std::size_t i = 0; i < test.shape(0); ++i) {
        double lp = 0;
        for (std::size_t j = 0; j < kPixels; ++j)
            lp += -0.5 * double(c(i, j)) * c(i, j) / m.variance[j] - 0.5 * std::log(2 * M_PI * m.variance[j]);
        bpd.push_back(imagefm::bits_per_dim(lp, kPixels));
    }
    return bpd;
}

// The seed's training of a per-pixel affine flow on mean(y^2): its final mean scale e^a.
std::pair<double, double> seed_scale(const imagefm::Images& train, Rng& rng) {
    std::vector<double> a(kPixels), b(kPixels), ga(kPixels), gb(kPixels);
    for (auto& v : a) v = rng.uniform(-1, 1);
    for (auto& v : b) v = rng.uniform(-1, 1);
    double start = 0;
    for (double v : a) start += std::exp(v) / double(kPixels);
    optim::Adam<double> adam({{"a", a.data(), ga.data(), {kPixels}}, {"b", b.data(), gb.data(), {kPixels}}});
    std::vector<std::size_t> order(train.pixels.shape(0));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    Mat<float> x;
    const std::size_t B = 64;
    for (int epoch = 0; epoch < 5; ++epoch) {
        rng.shuffle(order);
        for (std::size_t first = 0; first + B <= order.size(); first += B) {
            imagefm::dequantise(train, order, first, B, rng, x);
            std::fill(ga.begin(), ga.end(), 0.0);
            std::fill(gb.begin(), gb.end(), 0.0);
            for (std::size_t i = 0; i < B; ++i)
                for (std::size_t d = 0; d < kPixels; ++d) {
                    const double s = std::exp(a[d]), y = x(i, d) * s + b[d], g = 2 * y / double(B * kPixels);
                    ga[d] += g * x(i, d) * s;
                    gb[d] += g;
                }
            adam.step(0.001);
        }
    }
    double mean = 0;
    for (double v : a) mean += std::exp(v) / double(kPixels);
    return {start, mean};
}

// Samples beside real test images, each a grid of 3 x 6.
void draw(Context& ctx, const Mat<float>& samples, const Mat<float>& real, double mega_network, double mega_all,
          double seconds) {
    report::Files files{{"samples.png", grid_png(samples, 3, 6)}, {"real.png", grid_png(real, 3, 6)}};
    const auto panel = [](const std::string& at, const std::string& title, const std::string& png) {
        return fmt::format("\\begin{{axis}}[{} title={{{}}}, width=5.8cm, height=2.89cm, scale only axis, hide axis, "
                           "xmin=0, xmax=1, ymin=0, ymax=1]\n\\addplot graphics[xmin=0, xmax=1, ymin=0, ymax=1] {{{}}};\n"
                           "\\end{{axis}}\n", at, title, png);
    };
    ctx.figure("images", picture(panel("", fmt::format("samples: {}M numbers ({}M network), {} s", tex_fixed(mega_all, 1),
                                                      tex_fixed(mega_network, 1), tex_fixed(seconds, 0)), "samples.png") +
                                 panel("at={(7.3cm,0)},", "real test images", "real.png")),
               files);
}

void run(Context& ctx) {
    const model::Trained& rec = ctx.load("fashion-fm");
    auto& model = ctx.load_as<imagefm::Model>("fashion-fm");
    const imagefm::Images test = imagefm::read_split(false), train = imagefm::read_split(true);
    Rng draws = ctx.rng("samples");
    const Mat<float> z = nn::normal_draws(draws, kShown, model.config.components);
    const Mat<float> samples = imagefm::sample_images(model, z, kSteps, nullptr);
    std::vector<std::size_t> order(test.pixels.shape(0));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    Rng pick = ctx.rng("test-images");
    pick.shuffle(order);
    Mat<float> real, scored;
    imagefm::dequantise(test, order, 0, kShown, pick, real);
    imagefm::dequantise(test, order, 0, kScored, pick, scored);
    Rng probes = ctx.rng("probes");
    const auto lp = imagefm::image_log_density(model, scored, kSteps / 2, probes);
    std::vector<double> bpd;
    for (double v : lp) bpd.push_back(imagefm::bits_per_dim(v, kPixels));
    const model::Spread flow = model::spread(bpd);
    const double mean = flow.mean, se = flow.sd / std::sqrt(double(kScored));
    Rng g = ctx.rng("gaussian");
    const double gauss = gaussian_bpd(train, scored, g);
    const auto full_each = full_gaussian_bpd(model, scored);
    // The flow's gain over the full Gaussian, image by image (paired: the same images).
    std::vector<double> gains;
    for (std::size_t i = 0; i < kScored; ++i) gains.push_back(full_each[i] - bpd[i]);
    const model::Spread gained = model::spread(gains);
    const double full = model::spread(full_each).mean, gain = gained.mean, gain_se = gained.sd / std::sqrt(double(kScored));
    Rng s = ctx.rng("seed-loss");
    const auto [scale0, scale] = seed_scale(train, s);
    nn::Params<float> net_params;
    model.field.net.params(net_params, "field");
    std::size_t net_size = 0;
    for (const auto& p : net_params) net_size += p.size();
    ctx.stats["bits_per_dim"] = {{"flow_matching", mean}, {"standard_error", se}, {"per_pixel_gaussian", gauss}, {"full_covariance_gaussian", full},
                                 {"gain_over_full_gaussian", gain}, {"gain_standard_error", gain_se},
                                 {"glow_reported", 3.1}, {"images", kScored}, {"steps", kSteps / 2}};
    ctx.stats["model"] = {{"parameters", rec.record().parameters}, {"train_seconds", rec.record().train_seconds},
                          {"epochs", model.config.epochs}};
    ctx.stats["seed_mean_scale"] = {{"start", scale0}, {"end", scale}};
    ctx.stats["model"]["network_parameters"] = net_size;
    const bool beats = ctx.verdict("beats-gaussian", "the field's bits/dim is below the full-covariance Gaussian's on the same "
                                   "images by more than 4 standard errors of the paired difference",
                                   {{"gain", gain}, {"se", gain_se}}, gain > 4 * gain_se);

    draw(ctx, samples, real, double(net_size) / 1e6, double(rec.record().parameters) / 1e6, rec.record().train_seconds);
    ctx.text = ctx.slide(
        fmt::format("Flow matching on {} principal coordinates: blurry, blended clothes.", model.config.components),
        "\\includegraphics{" + ctx.figure_pdf("images") + "}",
        {fmt::format("Test bits/dim {}, {} a Gaussian's {}; far from a Glow's $\\approx$3.", tex_num(mean, 3),
                     beats ? "just below" : "not below", tex_num(full, 3)),
         fmt::format("Source's \\texttt{{y,\\_=flow(batch)}} fails; mean$(y^2)$ on $xe^a+b$: $e^a$ {}$\\to${}.",
                     tex_fixed(scale0, 2), tex_fixed(scale, 2))});
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s10-images", nullptr, run)
}  // namespace flow::chapters::deck::s10
