// The figure helpers and the provenance appendix's flag grouping, against cases worked
// out by hand.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "report/latex.hpp"
#include "report/plots.hpp"
#include "report/provenance.hpp"
#include "report/raster_layer.hpp"

using namespace flow;

TEST_CASE("a path's start and end are marked in the process's order, outside points left out", "[report][fast]") {
    // Two paths over three states (a reverse flow visits them in this order too).
    std::vector<xt::xtensor<float, 2>> s = {{{0, 0}, {5, 5}}, {{1, 0}, {6, 5}}, {{2, 0}, {9, 5}}};
    const report::View w{-1, 8, -1, 8};
    CHECK(report::start_end_marks(s, 0, 2, w) ==
          "\\addplot[fr start] coordinates {(0.0000,0.0000)(5.0000,5.0000)};\n"
          "\\addplot[fr end] coordinates {(2.0000,0.0000)};\n");  // (9, 5) is outside
    CHECK(report::end_marks(s, 1, 1, w).empty());
    report::Files files;
    const std::string tikz = report::trajectories_tikz("fr cloud", report::RasterLayer::equal_units(w, 50), s,
                                                       {1.0, 0.5, 0.0}, 2, "p.png", files);
    REQUIRE(files.size() == 1);
    CHECK(files[0].first == "p.png");
    CHECK(files[0].second.substr(1, 3) == "PNG");
    CHECK_THAT(tikz, Catch::Contains("\\addplot[forget plot] graphics[xmin=-1, xmax=8, ymin=-1, ymax=8] {p.png};"));
    CHECK_THAT(tikz, Catch::Contains("scale only axis, width=50.00pt, height=50.00pt, enlargelimits=false"));
}

TEST_CASE("a panel's window holds its points, or says how many it leaves out", "[report][fast]") {
    xt::xtensor<float, 2> a = {{0.1f, -3.2f}, {1.0f, 0.5f}};
    xt::xtensor<float, 2> b = {{9.0f, 0.0f}, {0.0f, 0.0f}, {-2.0f, 2.0f}};
    const auto w = report::window_for({&a}, 2.6, 8.0);
    CHECK(w.extent == 3.5);  // 3.2 rounded up to a multiple of 0.5
    CHECK(w.outside == std::vector<std::size_t>{0});
    CHECK(w.axis_options() == "xmin=-3.5, xmax=3.5, ymin=-3.5, ymax=3.5");
    const auto small = report::window_for({&a}, 4.0, 8.0);
    CHECK(small.extent == 4.0);  // never below the minimum
    const auto capped = report::window_for({&a, &b}, 2.6, 8.0);
    CHECK(capped.extent == 8.0);
    CHECK(capped.outside == std::vector<std::size_t>{0, 1});
}

TEST_CASE("a panel grid spreads full rows and centres a short last row", "[report][fast]") {
    const std::string g = report::panel_grid({"A", "B", "C", "D", "E"}, 3);
    CHECK(g == "  A\\hfill B\\hfill C\n\\\\[1ex]\n  \\hspace*{\\fill}D\\hspace{\\fill}E\\hspace*{\\fill}\n");
    CHECK(report::panel_grid({"A", "B"}, 2) == "  A\\hfill B\n");
}

TEST_CASE("labels are one plot of their own, drawn after the others", "[report][fast]") {
    const std::string l = report::probe_labels({{1.0, 2.0}, {-0.5, 0.25}});
    CHECK_THAT(l, Catch::StartsWith("\\addplot[only marks, mark=none, point meta=explicit symbolic"));
    CHECK_THAT(l, Catch::Contains(" 1.00000 2.00000 {P1}\\\\ -0.50000 0.25000 {P2}\\\\};"));
}

TEST_CASE("flag values are grouped by exactly the chapters that share them", "[report][fast]") {
    using Flags = std::map<std::string, std::string>;
    const std::vector<std::pair<std::string, Flags>> chapters = {
        {"a", {{"seed", "0"}, {"epochs", "20"}}},
        {"b", {{"seed", "0"}, {"epochs", "20"}, {"probes", "0,1"}}},
        {"c", {{"seed", "0"}, {"epochs", "100"}, {"probes", "0,1"}}},
    };
    const auto blocks = report::flag_blocks(chapters);
    REQUIRE(blocks.size() == 4);
    CHECK(blocks[0].chapters == std::vector<std::string>{"a", "b", "c"});
    CHECK(blocks[0].flags == std::vector<std::string>{"seed=0"});
    CHECK(blocks[1].chapters == std::vector<std::string>{"a", "b"});
    CHECK(blocks[1].flags == std::vector<std::string>{"epochs=20"});
    CHECK(blocks[2].chapters == std::vector<std::string>{"b", "c"});
    CHECK(blocks[2].flags == std::vector<std::string>{"probes=0,1"});
    CHECK(blocks[3].chapters == std::vector<std::string>{"c"});
    CHECK(blocks[3].flags == std::vector<std::string>{"epochs=100"});
}

TEST_CASE("ordinals take the suffix English gives them", "[report][fast]") {
    CHECK(report::ordinal(1) == "1st");
    CHECK(report::ordinal(2) == "2nd");
    CHECK(report::ordinal(3) == "3rd");
    CHECK(report::ordinal(4) == "4th");
    CHECK(report::ordinal(11) == "11th");
    CHECK(report::ordinal(12) == "12th");
    CHECK(report::ordinal(13) == "13th");
    CHECK(report::ordinal(21) == "21st");
    CHECK(report::ordinal(102) == "102nd");
}

TEST_CASE("the provenance record states shared flags once; the appendix only the essentials", "[report][fast]") {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / "flowreport-provenance-test";
    fs::remove_all(root);
    const std::string model = "/a/long/folder/of/models/nf-0123456789abcdef";
    std::vector<fs::path> dirs;
    for (const char* id : {"first-chapter", "second-chapter"}) {
        const fs::path d = root / "build/chapters" / id;
        fs::create_directories(d);
        nlohmann::json flags = {{"seed", "0"}, {"out", d.string()}};
        if (std::string(id) == "second-chapter") flags["model-nf"] = model;
        const nlohmann::json p = {{"chapter", id}, {"flags", flags}, {"seed", "0"}, {"streams", {"samples"}},
                                  {"wall_seconds", 1.5}, {"versions", {{"fmt", "9.1.0"}}}};
        std::ofstream(d / "provenance.json") << p.dump();
        dirs.push_back(d);
    }
    const std::string md = report::provenance_markdown("T", dirs, "abc\n0\n", "lualatex: LuaHBTeX 1.15\n");
    CHECK_THAT(md, Catch::Contains("- every chapter: `--seed=0`"));
    CHECK_THAT(md, Catch::Contains("- `second-chapter`: `--model-nf=" + model + "`"));
    // Own folders, said once, with the folder that holds them.
    CHECK_THAT(md, Catch::Contains("writes to its own folder, `--out=" + (root / "build/chapters").string() + "/<id>`"));
    CHECK_THAT(md, Catch::Contains("Commit `abc`, working tree clean."));
    CHECK_THAT(md, Catch::Contains("- fmt: `9.1.0`\n- lualatex: `LuaHBTeX 1.15`\n"));
    CHECK_THAT(md, Catch::Contains("| `first-chapter` | 1.50 s | samples |"));
    // The PDF's appendix: the commit, the seed, the times, the companion's name; no flags.
    const std::string tex = report::provenance_tex(dirs, "abc\n0\n", {}, "ex-provenance.md");
    CHECK_THAT(tex, Catch::Contains("commit \\texttt{abc} (working tree clean), seed 0"));
    CHECK_THAT(tex, Catch::Contains("\\texttt{ex-provenance.md}"));
    CHECK_THAT(tex, !Catch::Contains("model-nf"));
    // Uncommitted changes are stated.
    const std::string dirty = report::provenance_tex(dirs, "abc\n2\n", {}, "x.md");
    CHECK_THAT(dirty, Catch::Contains("(with 2 uncommitted change(s))"));
    fs::remove_all(root);
}

TEST_CASE("the provenance record times every model and states what each was trained with", "[report][fast]") {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / "flowreport-stage-times-test";
    fs::remove_all(root);
    const fs::path timing = root / "timing" / "ex", ck = root / "models" / "nf-0123456789abcdef";
    fs::create_directories(timing);
    fs::create_directories(ck);
    std::ofstream(root / "timing" / "build.txt") << "10 11.5\n";
    std::ofstream(timing / "model-a.txt") << "100 103.5 " << ck.string() << "\n";
    std::ofstream(ck / "data.json") << R"({"train_seconds": 3.0})";
    std::ofstream(ck / "model.json")
        << R"({"config": {"model": "nf", "code_version": 2, "hidden": 16, "data": "rings", "init": "default"}})";
    const auto t = report::StageTimes::read(timing, {"a", "not-run"});
    CHECK(t.build == Approx(1.5));
    REQUIRE(t.models.size() == 1);  // a model with no timing file has not run
    CHECK(t.models[0].seconds == Approx(3.5));
    CHECK(t.models[0].train_seconds == Approx(3.0));
    CHECK(t.models[0].checkpoint == "nf-0123456789abcdef");
    CHECK(t.models[0].settings == std::vector<std::string>{"data=rings", "hidden=16", "init=default"});
    const std::string md = report::provenance_markdown("T", {}, "abc\n0\n", "", t);
    CHECK_THAT(md, Catch::Contains("- model `a`: 3.5 s (training 3.0 s)"));
    CHECK_THAT(md, Catch::Contains("- `a` (`nf-0123456789abcdef`): `data=rings` `hidden=16`"));
    CHECK_THAT(report::provenance_tex({}, "abc\n0\n", t, "x.md"), Catch::Contains("training the models takes 3.0\\,s"));
    fs::remove_all(root);
}
