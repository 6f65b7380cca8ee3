#pragma once
// From flag values to the configurations of the model libraries: the only place where a
// model's flag names meet its fields.
#include <string>

#include "config/options.hpp"
#include "cnf/train.hpp"
#include "fm/new_class.hpp"
#include "fm/train.hpp"
#include "nf/train.hpp"
#include "nf/triangular_train.hpp"
#include "planar/train.hpp"

namespace flow::config {

// The model kinds a manifest may declare.
bool known_kind(const std::string& kind);  // "nf", "fm", "cfm", "planar", "cnf", "tri", "new-class"
// A kind that draws its own data (the manifest's data set names a generator of the
// kind, not a data::dataset): "tri", whose data is "correlated".
bool kind_has_own_data(const std::string& kind);
// A kind fitted on another model (its manifest entry names a base) rather than on data.
bool kind_needs_base(const std::string& kind);  // "new-class"

nf::Config nf_config(const Values& v, const std::string& data);
planar::Config planar_config(const Values& v, const std::string& data);
cnf::Config cnf_config(const Values& v, const std::string& data);
nf::TriConfig tri_config(const Values& v, const std::string& data);
// kind "fm" or "cfm"; a "cfm" field has one class per class of the data set.
fm::Config fm_config(const std::string& kind, const Values& v, const std::string& data);
// A new class fitted on the model in --base.
fm::NewClassConfig new_class_config(const Values& v);
fm::Integration integration(const Values& v);  // --dt, --solver

}  // namespace flow::config
