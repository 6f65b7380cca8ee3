#pragma once
// The make graph's data, written from the manifests (`flowreport makefile`): which
// exercises, chapters and models there are, which models each chapter reads, which model
// another is like or is fitted on, and the quick test run's flags. Makefile.report holds the rules; this
// file gives it the names, the way a workflow's targets come from one declaration.
#include <string>
#include <vector>

#include "exercise/manifest.hpp"

namespace flow::exercise {

std::string make_graph(const std::vector<Manifest>& manifests);

}  // namespace flow::exercise
