// The model kinds' registry, and the verdicts a chapter's text states.
#include <cmath>
#include <memory>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "driver.hpp"
#include "exercise/chapter.hpp"
#include "model/measure.hpp"
#include "model/registry.hpp"
#include "nf/train.hpp"
#include "report_checks.hpp"

using namespace flow;
namespace fs = std::filesystem;

TEST_CASE("every kind a manifest names is registered, and its flags' defaults parse", "[model][fast]") {
    for (const auto& m : exercise::manifests())
        for (const auto& d : m.models) {
            INFO(m.exercise << " " << d.name << " of kind " << d.kind);
            REQUIRE(model::find_kind(d.kind) != nullptr);
            // The defaults alone are valid values (flags without a default are the base's).
            const auto& k = model::kind(d.kind);
            if (k.source != model::Source::Base) CHECK_NOTHROW(model::values(d.kind));
        }
    CHECK(model::find_kind("no-such-kind") == nullptr);
    CHECK_THROWS_WITH(model::kind("no-such-kind"), Catch::Contains("unknown model kind") && Catch::Contains("nf"));
    // A kind registered twice is refused.
    CHECK_THROWS_WITH(model::register_kind(model::kind("nf")), Catch::Contains("registered twice"));
}

TEST_CASE("a kind's configuration takes its values from its flags, and only there", "[model][fast]") {
    // Every field a flag sets: a flag's value given reaches the configuration, and without
    // it the kind's default does (an unset field would be 0).
    const nf::Config d = nf::config(model::values("nf"), "rings");
    CHECK(d.arch.couplings > 0);
    CHECK(d.arch.depth > 0);
    CHECK(d.arch.hidden > 0);
    CHECK(d.points > 0);
    CHECK(d.epochs > 0);
    CHECK(d.batch > 0);
    CHECK(d.lr > 0);
    const nf::Config c = nf::config(model::values("nf", {"--couplings", "7", "--lr", "0.25", "--seed", "3"}), "rings");
    CHECK(c.arch.couplings == 7);
    CHECK(c.lr == 0.25);
    CHECK(c.seed == 3);
    CHECK(c.arch.hidden == d.arch.hidden);
}

TEST_CASE("a verdict is recorded with its test and numbers, once, and the golden rules see a flip",
          "[model][report][fast]") {
    const auto& m = exercise::manifest("rings");
    const auto& c = m.chapters.front();
    const fs::path out = test::scratch("verdict");
    auto specs = exercise::chapter_flags(m, c);
    const auto flags = config::parse("t", specs, {"--out", out.string()}).values;
    exercise::Context ctx(m, c, flags);
    CHECK(ctx.verdict("shorter", "a below b", {{"a", 1.0}, {"b", 2.0}}, 1.0 < 2.0));
    CHECK(ctx.verdict("which", "a against b", {{"a", 1.0}}, "better") == "better");
    CHECK(ctx.claim("length", 1.23456, 2) == "1.23");
    const auto& v = ctx.stats["verdicts"];
    CHECK(v["shorter"]["outcome"] == true);
    CHECK(v["shorter"]["test"] == "a below b");
    CHECK(v["shorter"]["compared"]["b"] == 2.0);
    CHECK(v["which"]["outcome"] == "better");
    CHECK(ctx.stats["claims"]["length"] == 1.23456);
    CHECK_THROWS_WITH(ctx.verdict("shorter", "again", {}, false), Catch::Contains("twice"));

    // A sentence that changes is a statistic that changes: the rule the golden sets use
    // for verdicts fails a flipped outcome and ignores the numbers behind it.
    const auto rules = test::read_tolerances(nlohmann::json::parse(R"J({"rules": [
        {"match": ".*/verdicts/[^/]+(/[^/]+)?/(test|outcome)", "abs": 0, "why": "the sentence"},
        {"match": ".*/verdicts/.*/compared/.*", "ignore": true, "why": "the basis"},
        {"match": ".*/claims/.*", "abs": 0, "why": "the number"}
    ]})J"));
    nlohmann::json golden = ctx.stats;
    nlohmann::json flipped = golden;
    flipped["verdicts"]["shorter"]["outcome"] = false;
    flipped["verdicts"]["shorter"]["compared"]["a"] = 3.0;
    CHECK(test::compare_to_golden("c", golden, golden, rules).empty());
    const auto problems = test::compare_to_golden("c", golden, flipped, rules);
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems.front(), Catch::Contains("verdicts/shorter/outcome"));
    fs::remove_all(out);
}

TEST_CASE("a deck's chapter is a frame of a claim, a figure and at most two lines; a report's is a section",
          "[model][report][fast]") {
    const fs::path out = test::scratch("slide");
    const auto context = [&](const std::string& exercise) {
        const auto& m = exercise::manifest(exercise);
        const auto& c = m.chapters.front();
        return std::make_unique<exercise::Context>(
            m, c, config::parse("t", exercise::chapter_flags(m, c), {"--out", out.string()}).values);
    };
    const auto deck = context("common-ground");
    const std::string frame = deck->slide("The claim.", "FIGURE", {"One.", "Two."});
    CHECK_THAT(frame, Catch::StartsWith("\\begin{frame}{" + deck->chapter().heading + "}") &&
                          Catch::Contains("\\SlideLine{The claim.}\n\\SlideFigure{FIGURE}\n\\SlideLine{One.}\n"
                                          "\\SlideLine{Two.}\n\\end{frame}"));
    CHECK_THROWS_WITH(deck->slide("c", "f", {"1", "2", "3"}), Catch::Contains("at most two lines"));
    CHECK_THROWS_WITH(deck->section(), Catch::Contains("is a slide"));
    const auto report = context("rings");
    CHECK_THROWS_WITH(report->slide("c", "f", {}), Catch::Contains("belongs to a slides exercise"));
    CHECK_THAT(report->section(), Catch::StartsWith("\\section{"));
    fs::remove_all(out);
}

TEST_CASE("fits of two settings differ only when their values do not overlap", "[model][fast]") {
    CHECK(model::separation({1.0, 2.0, 3.0}, {3.5, 4.0, 5.0}) == "a below");
    CHECK(model::separation({3.5, 4.0, 5.0}, {1.0, 2.0, 3.0}) == "b below");
    CHECK(model::separation({1.0, 4.0}, {2.0, 5.0}) == "overlap");
    CHECK(model::separation({1.0, 2.0}, {2.0, 3.0}) == "overlap");  // a tie is not below
    CHECK(model::separation({}, {1.0}) == "overlap");
    // The mean and spread of the differences by seed number, and how many are lower.
    const auto p = model::paired({1.0, 2.0, 6.0}, {2.0, 4.0, 3.0});
    CHECK(p.diff.mean == Approx(0.0));
    CHECK(p.diff.sd == Approx(std::sqrt((1.0 + 4.0 + 9.0) / 2)));
    CHECK(p.a_lower == 2);
}
