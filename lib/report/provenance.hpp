#pragma once
// Where a run came from: library versions, flags, seeds, wall times, and the git state,
// gathered into the report's appendix.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flow::report {

// Versions of the compiler and every library linked into the driver.
nlohmann::json library_versions();

// The appendix's LaTeX from each chapter folder's provenance.json (in report order),
// the git state (`git.txt`: commit, then the number of uncommitted changes) and the
// tool chain's description (`toolchain.txt`, one tool a line).
std::string provenance_tex(const std::vector<std::filesystem::path>& chapter_dirs,
                           const std::string& git_state, const std::string& toolchain);

}  // namespace flow::report
