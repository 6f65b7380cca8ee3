// The report checks themselves: the golden comparison fails where it should (beyond a
// tolerance, a missing or new statistic, a changed string) and passes within its
// tolerances; the sanity check finds non-finite numbers, impossible shares, a missing
// figure and a cloud whose count does not match its points.
#include <fstream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "report_checks.hpp"

using namespace flow;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool any_mentions(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "") {
    for (const auto& l : lines)
        if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
    return false;
}

const std::vector<test::Tolerance> kRules = test::read_tolerances(json::parse(R"({"rules": [
    {"match": ".*/train_seconds", "ignore": true, "why": "wall time"},
    {"match": ".*/share_in_band", "abs": 0.02, "why": "seed spread"},
    {"match": ".*/nll", "rel": 0.01, "why": "seed spread"},
    {"match": ".*/count", "abs": 0, "why": "set by the configuration"}
]})"));

}  // namespace

TEST_CASE("golden comparison passes within tolerance and names what is beyond it", "[report][fast]") {
    const json golden = json::parse(R"({"figures": {"s": {"count": 1000, "share_in_band": 0.90}},
                                        "test": {"nll": 1.76}, "model": {"train_seconds": 60, "init": "default"}})");
    json same = golden;
    same["figures"]["s"]["share_in_band"] = 0.915;  // within 0.02
    same["test"]["nll"] = 1.775;                    // within 1 % of 1.76
    same["model"]["train_seconds"] = 75;            // ignored
    CHECK(test::compare_to_golden("c", golden, same, kRules).empty());

    json off = same;
    off["figures"]["s"]["share_in_band"] = 0.85;
    off["test"]["nll"] = 1.80;
    off["figures"]["s"]["count"] = 999;
    off["model"]["init"] = "identity";
    const auto p = test::compare_to_golden("c", golden, off, kRules);
    REQUIRE(p.size() == 4);
    CHECK(any_mentions(p, "c/figures/s/share_in_band: expected 0.9, got 0.85"));
    CHECK(any_mentions(p, "c/test/nll: expected 1.76, got 1.8"));
    CHECK(any_mentions(p, "c/figures/s/count: expected 1000, got 999"));
    CHECK(any_mentions(p, "c/model/init: expected \"default\", got \"identity\""));

    json missing = same;
    missing["figures"]["s"].erase("count");
    missing["figures"]["s"]["sliced_w2"] = 0.1;
    const auto q = test::compare_to_golden("c", golden, missing, kRules);
    CHECK(any_mentions(q, "c/figures/s/count", "missing"));
    CHECK(any_mentions(q, "c/figures/s/sliced_w2", "new statistic"));

    json nan = same;
    nan["test"]["nll"] = std::nan("");
    CHECK(any_mentions(test::compare_to_golden("c", golden, nan, kRules), "c/test/nll"));

    // A number no rule covers cannot pass silently.
    json g2 = golden, a2 = same;
    g2["other"] = 1.0;
    a2["other"] = 1.0;
    CHECK(any_mentions(test::compare_to_golden("c", g2, a2, kRules), "c/other", "no tolerance rule"));
    CHECK_THROWS(test::read_tolerances(json::parse(R"({"rules": [{"match": "x", "abs": 1, "why": ""}]})")));
}

TEST_CASE("sanity check finds bad numbers and missing figures", "[report][fast]") {
    const fs::path root = fs::temp_directory_path() / ("flowreport-sanity-" + std::to_string(::getpid()));
    fs::remove_all(root);
    const fs::path dir = root / "build/chapters/ex/x-q1", figs = root / "figures/ex";
    fs::create_directories(dir);
    fs::create_directories(figs);
    auto write = [](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
    write(dir / "chapter.tex", "text");
    write(dir / "provenance.json", "{}");
    write(dir / "figures.mk", "FIGURES_ex/x-q1 := a b\nFIGURE_DATA_ex/x-q1/a := a.dat\nFIGURE_DATA_ex/x-q1/b :=\n");
    write(dir / "a.tex", "tikz");
    write(dir / "a.dat", "x y\n0 0\n1 1\n2 2\n");
    write(dir / "b.tex", "tikz");
    write(figs / "x-q1-a.pdf", "%PDF");
    write(dir / "stats.json", R"({"figures": {"a": {"count": 3, "mean": [1, 1], "cov": [[1, 0], [0, 1]],
                                                  "share_in_band": 0.5}}})");
    const auto ok = test::sanity_problems(dir, figs);
    REQUIRE(ok.size() == 1);
    CHECK(any_mentions(ok, "figure b was not built"));

    write(figs / "x-q1-b.pdf", "%PDF");
    CHECK(test::sanity_problems(dir, figs).empty());

    write(dir / "stats.json", R"({"figures": {"a": {"count": 4, "mean": [1, 1], "cov": [[1, 0.5], [0, -1]],
                                                  "share_in_band": 1.5, "nll": null}}})");
    const auto bad = test::sanity_problems(dir, figs);
    CHECK(any_mentions(bad, "draws 3 points, its statistics count 4"));
    CHECK(any_mentions(bad, "share_in_band", "outside [0, 1]"));
    CHECK(any_mentions(bad, "cov", "not symmetric"));
    CHECK(any_mentions(bad, "x-q1/figures/a/nll", "not a finite number"));

    // A chapter of text and tables lists no figure; one whose text includes a figure
    // that was not built, or that lists an animation that is not a GIF beside the PDF, fails.
    write(dir / "stats.json", "{}");
    write(dir / "figures.mk", "FIGURES_ex/x-q1 :=\nANIMATIONS_ex/x-q1 := move\n");
    write(dir / "chapter.tex", "\\includegraphics{figures/ex/x-q1-c.pdf}");
    const auto anim = test::sanity_problems(dir, figs);
    CHECK(any_mentions(anim, "includes figure c, which was not built"));
    CHECK(any_mentions(anim, "animation move is not a GIF"));
    fs::create_directories(root / "report/ex-gifs");
    write(root / "report/ex-gifs/x-q1-move.gif", "GIF89a....");
    write(dir / "chapter.tex", "a table and text");
    CHECK(test::sanity_problems(dir, figs).empty());
    fs::remove_all(root);
}
