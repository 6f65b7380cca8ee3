#pragma once
// From flag values to the configurations of the model libraries: the only place where a
// model's flag names meet its fields.
#include <string>

#include "config/options.hpp"
#include "fm/train.hpp"
#include "nf/train.hpp"

namespace flow::config {

// The model kinds a manifest may declare.
bool known_kind(const std::string& kind);  // "nf", "fm", "cfm"

nf::Config nf_config(const Values& v, const std::string& data);
// kind "fm" or "cfm"; a "cfm" field has one class per class of the data set.
fm::Config fm_config(const std::string& kind, const Values& v, const std::string& data);
fm::Integration integration(const Values& v);  // --dt, --solver

}  // namespace flow::config
