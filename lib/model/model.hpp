#pragma once
// A trained model as a chapter sees it, whatever its kind: its configuration and
// checkpoint, what training left (the loss per epoch, the wall time), and the abilities
// every density model shares: its log-density, the map to the latent space and back, and
// the round trip between them. A kind without one of them says so when it is asked.
// What only one kind can do (a flow-matching field, a flow's layer-by-layer path) is
// reached explicitly through the kind's own model type: `as<nf::Model>()`.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/points.hpp"
#include "nn/layers.hpp"

namespace flow::model {

using nn::Mat;

// What training left, the same for every kind.
struct Record {
    std::string kind;                          // the registry's name of the kind
    nlohmann::json config;                     // everything that determines the weights
    std::filesystem::path dir;                 // the checkpoint folder
    std::string data;                          // the data set it was fitted on
    std::uint64_t seed = 0;                    // of its streams "<kind>/data", "<kind>/val", ...
    std::size_t points = 0, val_points = 0;    // training and validation points drawn
    std::size_t epochs = 0, batch = 0;         // of Adam steps
    double lr = 0;                             // Adam's, cosine-annealed to 0
    data::Standardiser scale;                  // of its training set: the map to the data's units
    double train_seconds = 0.0;
    std::size_t parameters = 0;                // trainable numbers
    std::vector<double> train_loss, val_loss;  // per epoch (per step for a kind without epochs)
    std::size_t kept_epoch = 0;                // the epoch whose parameters it has (early stopping: the best)
    std::size_t density_passes = 0;            // passes of a network or layer per point's density
    std::size_t sample_passes = 0;             // the same per sample
    std::string architecture;                  // in words, for a table: "16 planar layers"
};

template <class M>
class Holding;

class Trained {
public:
    explicit Trained(Record r) : record_(std::move(r)) {}
    virtual ~Trained() = default;
    Trained(const Trained&) = delete;
    Trained& operator=(const Trained&) = delete;

    const Record& record() const { return record_; }
    const std::string& kind() const { return record_.kind; }
    const nlohmann::json& config() const { return record_.config; }
    const data::Standardiser& scale() const { return record_.scale; }
    // What stats.json keeps of the model: configuration, checkpoint, wall time, size.
    nlohmann::json to_json() const {
        return {{"config", record_.config},
                {"checkpoint", record_.dir.filename().string()},
                {"train_seconds", record_.train_seconds},
                {"parameters", record_.parameters}};
    }

    // log p(x) of standardised points, one value a row.
    virtual std::vector<double> log_prob(const Mat<float>&) const { unable("a log-density"); }
    // f: x -> z, the map to the latent space.
    virtual Mat<float> latent(const Mat<float>&) const { unable("a map to the latent space"); }
    // g: z -> x, the model's samples of latent draws z.
    virtual Mat<float> generate(const Mat<float>&) const { unable("a generator"); }
    // The largest |g(f(x)) - x| over the rows (in the model's own precision).
    virtual double round_trip(const Mat<float>& x) const {
        const Mat<float> back = generate(latent(x));
        double r = 0;
        for (std::size_t i = 0; i < x.size(); ++i)
            r = std::max(r, std::fabs(double(back.data()[i]) - double(x.data()[i])));
        return r;
    }

    // The kind's own model, for what only that kind can do.
    template <class M>
    M& as() {
        auto* h = dynamic_cast<Holding<M>*>(this);
        if (!h)
            throw std::logic_error("the model in " + record_.dir.string() + " is of kind " + record_.kind +
                                   ", not of the type asked for");
        return h->model;
    }
    template <class M>
    const M& as() const {
        return const_cast<Trained*>(this)->as<M>();
    }

protected:
    Record record_;

private:
    [[noreturn]] void unable(const char* what) const {
        throw std::logic_error("a model of kind " + record_.kind + " has no " + what);
    }
};

// A kind's model inside the common interface.
template <class M>
class Holding : public Trained {
public:
    Holding(Record r, M m) : Trained(std::move(r)), model(std::move(m)) {}
    M model;
};

}  // namespace flow::model
