// The checks on finished reports (not part of `make test`'s CTest run), for every
// exercise in the manifests:
//
//   flowreport_report_tests "[sanity]"   any configuration: finite numbers, shares in
//                                        [0, 1], right counts, every figure built
//   flowreport_report_tests "[golden]"   the default configuration: every statistic
//                                        against tests/golden/<exercise>/ within its
//                                        tolerance (tests/golden/<exercise>/tolerances.json)
//   flowreport_report_tests "[same]"     two reports by this build at the same flags:
//                                        every statistic equal to the report in
//                                        $FLOWREPORT_SAME_AS, bit for bit, but wall times
//
// The reports are read from $FLOWREPORT_REPORT_ROOT (a folder holding build/chapters,
// figures and report/<exercise>.pdf), by default the source tree; $FLOWREPORT_EXERCISES
// (names separated by spaces) limits the exercises checked.
#define CATCH_CONFIG_MAIN
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "exercise/manifest.hpp"
#include "report_checks.hpp"

namespace fs = std::filesystem;
using namespace flow;

namespace {

fs::path report_root() {
    const char* r = std::getenv("FLOWREPORT_REPORT_ROOT");
    return r && *r ? fs::path(r) : fs::path(FLOWREPORT_SOURCE_DIR);
}

std::vector<const exercise::Manifest*> checked() {
    const char* only = std::getenv("FLOWREPORT_EXERCISES");
    std::vector<const exercise::Manifest*> out;
    if (!only || !*only) {
        for (const auto& m : exercise::manifests()) out.push_back(&m);
        return out;
    }
    for (const auto& name : exercise::words(only)) out.push_back(&exercise::manifest(name));
    return out;
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("every chapter of every report has sane statistics and built figures", "[sanity]") {
    const fs::path root = report_root();
    INFO("report root: " << root.string());
    for (const auto* m : checked()) {
        const fs::path pdf = root / "report" / (m->exercise + ".pdf");
        CHECK((fs::exists(pdf) && fs::file_size(pdf) > 0));
        for (const auto& c : m->chapters)
            for (const auto& p : test::sanity_problems(root / "build/chapters" / m->exercise / c.id,
                                                       root / "figures" / m->exercise))
                FAIL_CHECK(m->exercise << "/" << p);
    }
}

TEST_CASE("the reports' statistics match the golden statistics of the default configuration", "[golden]") {
    const fs::path root = report_root();
    for (const auto* m : checked()) {
        const fs::path golden = fs::path(FLOWREPORT_SOURCE_DIR) / "tests/golden" / m->exercise;
        INFO("report root: " << root.string() << "; golden statistics: " << golden.string());
        const auto rules = test::read_tolerances(read_json(golden / "tolerances.json"));
        for (const auto& c : m->chapters) {
            const fs::path want = golden / (c.id + ".json"),
                           have = root / "build/chapters" / m->exercise / c.id / "stats.json";
            if (!fs::exists(want)) {
                FAIL_CHECK(c.id << ": no golden statistics (" << want.string() << ")");
                continue;
            }
            if (!fs::exists(have)) {
                FAIL_CHECK(c.id << ": the report has no statistics (" << have.string() << ")");
                continue;
            }
            const auto problems = test::compare_to_golden(c.id, read_json(want), read_json(have), rules);
            for (const auto& p : problems) FAIL_CHECK(m->exercise << "/" << p);
            CHECK(problems.empty());  // one assertion per chapter compared, so a pass counts them
        }
    }
}

TEST_CASE("the reports' statistics equal another report's by the same build and flags", "[same]") {
    const fs::path root = report_root();
    const char* other = std::getenv("FLOWREPORT_SAME_AS");
    REQUIRE((other && *other));
    const fs::path reference(other);
    for (const auto* m : checked()) {
        INFO("report root: " << root.string() << "; compared with: " << reference.string());
        const auto rules = test::read_tolerances(
            read_json(fs::path(FLOWREPORT_SOURCE_DIR) / "tests/golden" / m->exercise / "tolerances.json"));
        for (const auto& c : m->chapters) {
            const fs::path want = reference / "build/chapters" / m->exercise / c.id / "stats.json",
                           have = root / "build/chapters" / m->exercise / c.id / "stats.json";
            REQUIRE(fs::exists(want));
            if (!fs::exists(have)) {
                FAIL_CHECK(m->exercise << "/" << c.id << ": no statistics (" << have.string() << ")");
                continue;
            }
            const auto problems = test::compare_same(c.id, read_json(want), read_json(have), rules);
            for (const auto& p : problems) FAIL_CHECK(m->exercise << "/" << p);
            CHECK(problems.empty());
        }
    }
}
