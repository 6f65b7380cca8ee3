#pragma once
// Training the flow of triangular couplings (nf/triangular.hpp) by maximum likelihood on
// the correlated data set (data/correlated.hpp), and its checkpoints. Kind "tri".
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "data/correlated.hpp"
#include "nf/triangular.hpp"
#include "train/likelihood.hpp"

namespace flow::nf {

struct TriConfig : train::LikelihoodSettings {
    std::size_t couplings = 0, hidden = 0, depth = 0;
    bool with_a = true;   // --kept lower (A lower triangular) or identity (A = I)
    data::Correlated set;
    TriConfig() {
        val_points = 2000;
        data = "correlated";
    }

    static TriConfig from_json(const nlohmann::json& j);  // inverse of to_json()
    nlohmann::json to_json() const;
};

using TriModel = train::LikelihoodModel<TriConfig, TriangularFlow<float>>;

// The configuration that flag values (of the kind's flags) and the generator's name give.
TriConfig tri_config(const config::Values& v, const std::string& data);

TriModel train_tri(const TriConfig& cfg, bool progress = true);
TriModel obtain_tri(const TriConfig& cfg, bool force = false);
TriModel load_tri(const std::filesystem::path& dir);

// The training, validation and held-out points of a configuration (streams "tri/data",
// "tri/val" and "tri/held"; the last two of val_points each). Training looks at the
// validation points only; the held-out points are scored once, by the chapters.
enum class TriRows { Train, Validation, Held };
nn::Mat<double> tri_points(const TriConfig& cfg, TriRows rows);

}  // namespace flow::nf
