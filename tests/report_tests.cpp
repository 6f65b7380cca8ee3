// The checks on a finished report (not part of `make test`'s CTest run):
//
//   flowreport_report_tests "[sanity]"   any configuration: finite numbers, shares in
//                                        [0, 1], right counts, every figure built
//   flowreport_report_tests "[golden]"   the default configuration: every statistic
//                                        against tests/golden/ within its tolerance
//
// The report is read from $FLOWREPORT_REPORT_ROOT (a folder holding build/chapters,
// figures and report/report.pdf), by default the source tree.
#define CATCH_CONFIG_MAIN
#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>

#include "registry.hpp"
#include "report_checks.hpp"

namespace fs = std::filesystem;
using namespace flow;

namespace {

fs::path report_root() {
    const char* r = std::getenv("FLOWREPORT_REPORT_ROOT");
    return r && *r ? fs::path(r) : fs::path(FLOWREPORT_SOURCE_DIR);
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("every chapter of the report has sane statistics and built figures", "[sanity]") {
    const fs::path root = report_root();
    INFO("report root: " << root.string());
    CHECK((fs::exists(root / "report/report.pdf") && fs::file_size(root / "report/report.pdf") > 0));
    for (const auto& c : chapters::all()) {
        for (const auto& p : test::sanity_problems(root / "build/chapters" / c.id, root / "figures"))
            FAIL_CHECK(p);
    }
}

TEST_CASE("the report's statistics match the golden statistics of the default configuration", "[golden]") {
    const fs::path root = report_root();
    const fs::path golden = fs::path(FLOWREPORT_SOURCE_DIR) / "tests/golden";
    INFO("report root: " << root.string() << "; golden statistics: " << golden.string());
    const auto rules = test::read_tolerances(read_json(golden / "tolerances.json"));
    for (const auto& c : chapters::all()) {
        const fs::path want = golden / (c.id + ".json"), have = root / "build/chapters" / c.id / "stats.json";
        if (!fs::exists(want)) {
            FAIL_CHECK(c.id << ": no golden statistics (" << want.string() << ")");
            continue;
        }
        if (!fs::exists(have)) {
            FAIL_CHECK(c.id << ": the report has no statistics (" << have.string() << ")");
            continue;
        }
        for (const auto& p : test::compare_to_golden(c.id, read_json(want), read_json(have), rules))
            FAIL_CHECK(p);
    }
}
