#pragma once
// Checks on a finished report's statistics (build/chapters/<id>/stats.json):
//
// - against the golden statistics of the default configuration (tests/golden/), each
//   number within the tolerance of the first rule of tests/golden/tolerances.json whose
//   pattern matches its path, every string and flag equal;
// - for sanity, on any configuration: every number finite, shares in [0, 1], counts
//   positive, covariances symmetric with non-negative variances, and every figure that a
//   chapter lists built.
//
// Each function returns one line per problem, naming the chapter, the statistic's path,
// and the expected and actual values; empty when all is well.
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flow::test {

// One rule of tolerances.json: a path pattern (ECMAScript regex, matched against the
// whole path "chapter/key/key/index..."), and either "ignore" or a tolerance: |a - e| <=
// abs + rel |e|. "why" says why the tolerance is what it is. An ignored rule marked
// "clock" covers readings of the clock (wall times), which differ between any two runs.
struct Tolerance {
    std::string match;
    std::regex pattern;  // match, compiled once
    bool ignore = false;
    bool clock = false;
    double abs = 0.0, rel = 0.0;
    std::string why;
};

std::vector<Tolerance> read_tolerances(const nlohmann::json& j);

// Every leaf of j as (path, value); arrays are entered, their indices become path parts.
std::vector<std::pair<std::string, nlohmann::json>> leaves(const nlohmann::json& j, const std::string& root);

// The golden statistics `expected` of one chapter against `actual` (both stats.json).
std::vector<std::string> compare_to_golden(const std::string& chapter, const nlohmann::json& expected,
                                           const nlohmann::json& actual, const std::vector<Tolerance>& rules);

// Two runs of one chapter by the same build at the same flags (both stats.json): every
// statistic and every key equal, bit for bit, but the clock's readings (the rules marked
// "clock"). Used to show that two runs at once in one tree leave what one run leaves.
std::vector<std::string> compare_same(const std::string& chapter, const nlohmann::json& expected,
                                      const nlohmann::json& actual, const std::vector<Tolerance>& rules);

// The sanity of one chapter's output folder (build/chapters/<exercise>/<id>);
// figures_dir holds its exercise's compiled figures.
std::vector<std::string> sanity_problems(const std::filesystem::path& chapter_dir,
                                         const std::filesystem::path& figures_dir);

}  // namespace flow::test
