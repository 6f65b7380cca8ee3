// Kind "image-fm": flow matching on Fashion-MNIST's 28 x 28 images (imagefm/train.hpp).
#include <memory>

#include <fmt/format.h>

#include "imagefm/train.hpp"
#include "model/registry.hpp"

namespace flow::imagefm {

namespace {

Config config_of(const config::Values& v, const std::string& data) {
    if (data != "fashion-mnist") throw config::UsageError("image-fm trains on fashion-mnist, not '" + data + "'");
    Config c;
    c.hidden = std::size_t(v.count("hidden"));
    c.depth = std::size_t(v.count("depth"));
    c.components = std::size_t(v.count("components"));
    if (c.components > kPixels) throw config::UsageError("image-fm: --components must be at most 784");
    c.images = std::size_t(v.count("images"));
    c.val_images = std::size_t(v.count("val-images"));
    c.epochs = std::size_t(v.count("epochs"));
    c.batch = std::size_t(v.count("batch"));
    c.lr = v.real("lr");
    c.seed = v.seed();
    if (c.depth < 2) throw config::UsageError("image-fm: --depth must be at least 2");
    if (c.batch > c.images) throw config::UsageError("image-fm: --batch must be at most --images");
    return c;
}

model::Record record_of(Model& m) {
    model::Record r;
    r.kind = "image-fm";
    r.config = m.config.to_json();
    r.dir = m.dir;
    r.data = m.config.data;
    r.seed = m.config.seed;
    r.points = m.config.images;
    r.val_points = m.config.val_images;
    r.epochs = m.config.epochs;
    r.batch = m.config.batch;
    r.lr = m.config.lr;
    r.scale = m.scale;
    r.train_seconds = m.train_seconds;
    nn::Params<float> ps;
    m.field.net.params(ps, "field");
    for (const auto& p : ps) r.parameters += p.size();
    r.parameters += 2 * m.field.dims() + m.pixel_mean.size() * (m.pixel_mean.size() + 2);  // Gaussians, basis
    r.train_loss = m.train_loss;
    r.val_loss = m.val_loss;
    r.kept_epoch = m.train_loss.size();
    r.architecture = fmt::format("Gaussian field plus an MLP {}$\\times${} (LeakyReLU) on {} principal coordinates", m.config.depth,
                                 m.config.hidden, m.config.components);
    return r;
}

model::Kind kind() {
    using config::Kind;
    model::Kind k;
    k.name = "image-fm";
    k.summary = "flow matching on Fashion-MNIST's 28 x 28 images, on their leading principal coordinates";
    k.source = model::Source::OwnData;
    k.own_data = "fashion-mnist";
    k.flags = {{"images", Kind::Count, "55000", "training images (the first of the training split)"},
               {"val-images", Kind::Count, "2000", "validation images (the next ones)"},
               {"epochs", Kind::Count, "8", "passes over the training images"},
               {"batch", Kind::Count, "128", "images per Adam step"},
               {"lr", Kind::PositiveReal, "0.001", "Adam's learning rate, cosine-annealed to 0", 1.0},
               {"depth", Kind::Count, "4", "linear layers of the field"},
               {"hidden", Kind::Count, "512", "units per hidden layer"},
               {"components", Kind::Count, "64", "principal coordinates the field models (the rest: Gaussians)"}};
    k.obtain = [](const config::Values& v, const std::string& data, bool force) {
        return obtain(config_of(v, data), force).dir;
    };
    k.load = [](const std::filesystem::path& dir) {
        return model::hold<model::Holding<Model>>(load(dir), record_of);
    };
    return k;
}

}  // namespace
}  // namespace flow::imagefm

FLOWREPORT_KIND(flow::imagefm::kind)
