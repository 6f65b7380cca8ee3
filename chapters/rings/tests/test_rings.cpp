// The rings exercise's chapters on quick models, run through the driver: the files,
// counts and finiteness of what each writes and the facts each chapter's text states,
// not the models' quality (that is tests/golden/rings/).
#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "driver.hpp"
#include "../common.hpp"
#include "../nf_q5.hpp"

using namespace flow;
using namespace flow::test;
namespace fs = std::filesystem;

namespace {
// Trains a quick model of the rings manifest into FLOWREPORT_MODELS=models; its folder.
std::string quick_model(const fs::path& models, const std::string& name, const std::string& flags) {
    const auto r = run_env("FLOWREPORT_MODELS=" + models.string() + " ", "train rings " + name + " " + flags);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return r.line();
}
const char* kNfQuick = "--points 3000 --epochs 1 --couplings 5 --hidden 4";
const char* kFmQuick = "--points 3000 --epochs 1 --hidden 16 --depth 3";
}  // namespace

TEST_CASE("cfm-q1-input draws the conditional model's training set and repeats itself exactly",
          "[driver][chapter][fast]") {
    const fs::path models = scratch("cfm-models"), a = scratch("det-a"), b = scratch("det-b"), c = scratch("det-c");
    const std::string m0 = quick_model(models, "cfm", "--points 20000 --epochs 1 --hidden 4 --depth 2");
    const std::string m1 = quick_model(models, "cfm", "--points 20000 --epochs 1 --hidden 4 --depth 2 --seed 1");
    REQUIRE(run("chapter rings cfm-q1-input --model-cfm " + m0 + " --out " + a.string()).status == 0);
    REQUIRE(run("chapter rings cfm-q1-input --model-cfm " + m0 + " --out " + b.string()).status == 0);
    REQUIRE(run("chapter rings cfm-q1-input --model-cfm " + m1 + " --out " + c.string()).status == 0);
    for (const char* f : {"chapter.tex", "input.tex", "input.dat", "stats.json", "figures.mk",
                          "provenance.json"})
        CHECK(fs::exists(a / f));
    CHECK(read_file(a / "stats.json") == read_file(b / "stats.json"));
    CHECK(read_file(a / "input.dat") == read_file(b / "input.dat"));
    CHECK(read_file(a / "stats.json") != read_file(c / "stats.json"));

    const auto stats = nlohmann::json::parse(read_file(a / "stats.json"));
    CHECK(stats["training_set"]["count"] == 20000);
    CHECK(stats["figures"]["input"]["count"] == 5000);
    for (const char* colour : {"black", "blue", "green", "red", "yellow"}) {
        INFO(colour);
        CHECK(stats["training_set"]["classes"][colour]["count"] == 4000);
        CHECK(stats["training_set"]["classes"][colour]["share_on_own_ring"] == 1.0);
        CHECK(stats["figures"]["input"]["classes"][colour]["count"] == 1000);
    }
    const std::string dat = read_file(a / "input.dat");
    CHECK(dat.rfind("x y label\n", 0) == 0);
    CHECK(std::count(dat.begin(), dat.end(), '\n') == 5001);
    for (const auto& d : {a, b, c, models}) fs::remove_all(d);
}

TEST_CASE("the nf chapters run on a quick model and write sane statistics", "[driver][nf][chapter]") {
    // A quick configuration (few points, one epoch): the sanity of the files and numbers,
    // not the quality of the model.
    const fs::path models = scratch("models"), out = scratch("nf");
    const std::string nf_dir = quick_model(models, "nf", kNfQuick);
    const std::string recipe_dir = quick_model(models, "nf-recipe", kNfQuick);
    // kNfQuick's flow: 5 couplings, each a scale and a shift network of 5 linear layers
    // (1 -> 4, three 4 -> 4, 4 -> 1), weights and biases.
    const int nf_parameters = 5 * 2 * ((1 * 4 + 4) + 3 * (4 * 4 + 4) + (4 * 1 + 1));
    CHECK_THAT(nf_dir, Catch::StartsWith(models.string() + "/nf-"));
    CHECK(quick_model(models, "nf", kNfQuick) == nf_dir);  // the checkpoint is reused
    for (const char* id : {"nf-q1-loss", "nf-q2-sampling", "nf-q3-layers", "nf-q4-trajectories",
                           "nf-q5-likelihood"}) {
        INFO(id);
        const fs::path dir = out / id;
        const auto r = run(fmt::format("chapter rings {} --model-nf {} {} --out {}", id, nf_dir,
                                       std::string(id) == "nf-q1-loss" ? "--model-nf-recipe " + recipe_dir : "",
                                       dir.string()));
        REQUIRE(r.status == 0);
        const auto stats = nlohmann::json::parse(read_file(dir / "stats.json"));
        // The chapter read the checkpoint it was given, and records it once with its size.
        const auto& rec = stats["models"]["nf"];
        CHECK(rec["checkpoint"] == fs::path(nf_dir).filename().string());
        CHECK(rec["parameters"] == nf_parameters);
        CHECK(!stats["figures"].empty());
    }
    const auto q2 = nlohmann::json::parse(read_file(out / "nf-q2-sampling" / "stats.json"));
    CHECK(q2["figures"]["seed1"]["count"] == 1000);
    CHECK(q2["samples_10000"]["count"] == 10000);
    const auto q5 = nlohmann::json::parse(read_file(out / "nf-q5-likelihood" / "stats.json"));
    REQUIRE(q5["probes"].size() == 5);
    int inside = 0;
    for (const auto& p : q5["probes"]) {
        CHECK(std::isfinite(p["log_p"].get<double>()));
        inside += p["inside"].get<bool>();
    }
    CHECK(inside == 3);  // the default probes: three on a ring, two off
    // The inside probes keep clear of the band edges and of the sampling box's clipped
    // edges (at least 0.05 in the logo's units; the default ones by about 0.12), and the
    // truth they are set beside is the uniform density on the support, -(entropy floor).
    const auto q1 = nlohmann::json::parse(read_file(out / "nf-q1-loss" / "stats.json"));
    const double floor = q1["test"]["entropy_floor"].get<double>();
    for (const auto& p : q5["probes"]) {
        if (!p["inside"].get<bool>()) {
            CHECK(!p.contains("true_log_density"));  // -inf off the support
            continue;
        }
        CHECK(p["support_margin"].get<double>() > 0.1);
        CHECK(p["true_log_density"].get<double>() == Approx(-floor).margin(1e-12));
    }
    // E log N(z; 0, I) in two dimensions, -(1 + log 2 pi), to six decimals.
    CHECK(q1["figures"]["loss"]["gaussian_log_pz"].get<double>() == Approx(-2.837877).margin(1e-6));
    // The panels of nf-q3 share one window, so that they compare.
    const auto q3 = nlohmann::json::parse(read_file(out / "nf-q3-layers" / "stats.json"));
    for (const auto& [name, panel] : q3["figures"].items()) {
        INFO(name);
        CHECK(panel["window"] == q3["figures"]["layer0"]["window"]);
    }
    // One panel per drawn path, each on its raster layer with its start marked.
    const std::string traj = read_file(out / "nf-q4-trajectories" / "trajectories.tex");
    for (int i = 1; i <= 10; ++i) CHECK(fs::exists(out / "nf-q4-trajectories" / ("path" + std::to_string(i) + ".png")));
    std::size_t panels = 0;
    for (std::size_t at = traj.find("fr start]"); at != std::string::npos; at = traj.find("fr start]", at + 1)) ++panels;
    CHECK(panels == 10);
    fs::remove_all(models);
    fs::remove_all(out);
}

TEST_CASE("the flow-matching chapters run on quick models and write sane statistics",
          "[driver][fm][chapter]") {
    // Quick models (few points, one epoch, narrow fields): the files, counts and
    // finiteness of what every fm-* and cfm-* chapter writes, not the models' quality.
    const fs::path models = scratch("fm-models"), out = scratch("fm");
    const std::string nf_dir = quick_model(models, "nf", kNfQuick);
    const std::string fm_dir = quick_model(models, "fm", kFmQuick);
    const std::string recipe_dir = quick_model(models, "fm-recipe", kFmQuick);
    CHECK_THAT(fm_dir, Catch::StartsWith(models.string() + "/fm-"));
    const std::string cfm_dir = quick_model(models, "cfm", kFmQuick);
    CHECK_THAT(cfm_dir, Catch::StartsWith(models.string() + "/cfm-"));
    const std::string sixth_emb = quick_model(models, "cfm-sixth-embedding", "--steps 20 --base " + cfm_dir);
    const std::string sixth = quick_model(models, "cfm-sixth", "--steps 20 --old-batch 64 --base " + sixth_emb);

    // Every number a chapter writes is finite: nlohmann writes NaN and infinities as null.
    std::function<void(const nlohmann::json&, const std::string&)> finite = [&](const nlohmann::json& j,
                                                                               const std::string& at) {
        if (j.is_null()) FAIL_CHECK("null (a non-finite number) at " << at);
        if (j.is_structured())
            for (auto it = j.begin(); it != j.end(); ++it)
                finite(*it, at + "/" + (j.is_object() ? it.key() : std::string("[]")));
    };
    for (const char* id : {"fm-q1-loss", "fm-q2-progression", "fm-q3-trajectories", "fm-q4-time-quantization",
                           "fm-q5-reverse", "cfm-q2-class-trajectories", "cfm-q3-sampling", "fm-bonus-target",
                           "closing-comparison"}) {
        INFO(id);
        const fs::path dir = out / id;
        const std::string c = id;
        std::string args = "chapter rings " + c + " --dt 0.01 --out " + dir.string();
        args += c.rfind("cfm-", 0) == 0 ? " --model-cfm " + cfm_dir : " --model-fm " + fm_dir;
        if (c == "fm-q1-loss") args += " --model-fm-recipe " + recipe_dir;
        if (c == "fm-q2-progression" || c == "fm-q3-trajectories" || c == "fm-q5-reverse" || c == "closing-comparison")
            args += " --model-nf " + nf_dir;
        if (c == "fm-bonus-target")
            args += " --model-cfm " + cfm_dir + " --model-cfm-sixth-embedding " + sixth_emb +
                    " --model-cfm-sixth " + sixth;
        const auto r = run(args);
        INFO(r.err);
        REQUIRE(r.status == 0);
        const auto stats = nlohmann::json::parse(read_file(dir / "stats.json"));
        finite(stats, id);
        // The chapter records the field it read, the one it was given.
        const bool conditional = c.rfind("cfm-", 0) == 0;
        const auto& rec = stats["models"][conditional ? "cfm" : "fm"];
        CHECK(rec["checkpoint"] == fs::path(conditional ? cfm_dir : fm_dir).filename().string());
        CHECK(rec["config"]["hidden"] == 16);
        for (const char* f : {"chapter.tex", "figures.mk", "provenance.json"}) CHECK(fs::exists(dir / f));
    }
    const auto q1 = nlohmann::json::parse(read_file(out / "fm-q1-loss" / "stats.json"));
    CHECK(q1["figures"]["loss"]["batches"] == (3000 + 127) / 128);
    CHECK(q1["samples_10000"]["count"] == 10000);
    // The late share the chapter states is the one the training drew, which agrees with
    // the law within 5 binomial standard errors of its 3000 draws (0.0089 each).
    const auto& draws = q1["time_draws"];
    CHECK(draws["draws"] == 3000);
    const double late = draws["share_above_0.9"].get<double>(), law = draws["law_share_above_0.9"].get<double>();
    CHECK(law == Approx(0.6036).margin(1e-4));
    CHECK(late == Approx(law).margin(5 * std::sqrt(law * (1 - law) / 3000)));
    const std::string q1_tex = read_file(out / "fm-q1-loss" / "chapter.tex");
    CHECK_THAT(q1_tex, Catch::Contains(fmt::format("so that {:.1f}\\,\\% of the training times lie above", 100 * late)));
    const auto q2 = nlohmann::json::parse(read_file(out / "fm-q2-progression" / "stats.json"));
    CHECK(q2["figures"]["t000"]["count"] == 1000);
    CHECK(q2["figures"]["t100"]["t"] == 1.0);
    CHECK(q2["figures"]["t090"]["cov_law"].size() == 2);
    const auto q5 = nlohmann::json::parse(read_file(out / "fm-q5-reverse" / "stats.json"));
    REQUIRE(q5["probes"].size() == 5);
    CHECK(q5["summary"]["max_nf_round_trip"].get<double>() < 1e-3);
    const auto c2 = nlohmann::json::parse(read_file(out / "cfm-q2-class-trajectories" / "stats.json"));
    CHECK(c2["figures"]["trajectories"]["classes"].size() == 5);
    const auto c3 = nlohmann::json::parse(read_file(out / "cfm-q3-sampling" / "stats.json"));
    CHECK(c3["figures"]["samples"]["count"] == 3000);
    // The bonus inverts the flow with RK4: its sample ends on (4, 5) whatever the model;
    // switching to Eq. 15's field lands there exactly from ordinary draws, whatever tau.
    const auto bonus = nlohmann::json::parse(read_file(out / "fm-bonus-target" / "stats.json"));
    // The old classes' share before the sixth class is measured on cfm-q3's samples: the same number.
    CHECK(bonus["new_class"]["old_share_own_ring_before"].get<double>() ==
          Approx(c3["figures"]["samples"]["share_own_ring"].get<double>()).epsilon(1e-12));
    CHECK(bonus["result"]["distance"].get<double>() < 0.01);
    CHECK(bonus["ordinary_start"]["norm"].get<double>() < 4.0);
    for (const auto& r : bonus["steering"])
        if (r["method"] == "switch") CHECK(r["max_distance"].get<double>() < 1e-4);
    // The sixth class through its embedding alone leaves the old classes exactly as they were.
    const auto& fits = bonus["new_class"]["fits"];
    REQUIRE(fits.size() == 2);
    CHECK(fits[0]["old_share_own_ring"] == bonus["new_class"]["old_share_own_ring_before"]);
    CHECK(fits[1]["steps"] == 20);
    CHECK(bonus["models"]["cfm-sixth"]["config"]["base"] == fs::path(sixth_emb).filename().string());
    fs::remove_all(models);
    fs::remove_all(out);
}

TEST_CASE("nf-q4, fm-q3 and the closing comparison follow the same prior points and quote the same lengths",
          "[driver][chapter][rings]") {
    const fs::path models = scratch("paths-models"), out = scratch("paths");
    const std::string nf_dir = quick_model(models, "nf", kNfQuick), fm_dir = quick_model(models, "fm", kFmQuick);
    const std::string both = " --model-nf " + nf_dir + " --model-fm " + fm_dir + " --dt 0.01 --out ";
    REQUIRE(run("chapter rings nf-q4-trajectories --model-nf " + nf_dir + " --out " + (out / "nf").string()).status == 0);
    REQUIRE(run("chapter rings fm-q3-trajectories" + both + (out / "fm").string()).status == 0);
    REQUIRE(run("chapter rings closing-comparison" + both + (out / "closing").string()).status == 0);
    // Where every path starts (its fr start marks) is its prior point: the same in both figures.
    auto starts = [](const std::string& tex) {
        std::vector<std::string> points;
        const std::string key = "\\addplot[fr start] coordinates {";
        for (std::size_t at = tex.find(key); at != std::string::npos; at = tex.find(key, at + 1)) {
            std::istringstream in(tex.substr(at + key.size(), tex.find('}', at) - at - key.size()));
            std::string point;
            while (std::getline(in, point, ')'))
                if (!point.empty()) points.push_back(point + ")");
        }
        return points;
    };
    const auto nf_starts = starts(read_file(out / "nf" / "trajectories.tex"));
    CHECK(nf_starts.size() == 10);
    CHECK(nf_starts == starts(read_file(out / "fm" / "trajectories.tex")));
    // Every length quoted is measured on the same points by the same function.
    const auto nf = nlohmann::json::parse(read_file(out / "nf" / "stats.json"));
    const auto fm = nlohmann::json::parse(read_file(out / "fm" / "stats.json"));
    const auto closing = nlohmann::json::parse(read_file(out / "closing" / "stats.json"));
    CHECK(nf["paths"]["count"] == 1000);
    // Flow matching's paths are drawn in the window of the flow's panels (wider only if they leave it).
    CHECK(fm["figures"]["trajectories"]["extent"].get<double>() >= nf["figures"]["trajectories"]["extent"].get<double>());
    for (const char* k : {"mean_length", "mean_end_to_end", "median_ratio"}) {
        INFO(k);
        CHECK(nf["paths"][k] == fm["paths"]["nf"][k]);
        CHECK(nf["paths"][k] == closing["nf"]["paths"][k]);
        CHECK(fm["paths"]["fm"][k] == closing["fm"]["paths"][k]);
    }
    CHECK(closing["nf"]["evaluations_per_sample"] == 10);  // kNfQuick: 5 couplings, two networks each
    CHECK(closing["fm"]["evaluations_per_sample"] == 100);  // 100 Euler steps of 0.01
    // fm-q5's Euler round trip at 4, 2 and 1 times the step, and the largest round trip it
    // states is the closing table's.
    REQUIRE(run("chapter rings fm-q5-reverse" + both + (out / "q5").string()).status == 0);
    const auto q5 = nlohmann::json::parse(read_file(out / "q5" / "stats.json"));
    const auto& by_step = q5["round_trip_by_step"];
    REQUIRE(by_step["dt"].size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(by_step["dt"][i].get<double>() == Approx(0.04 / (1 << i)).epsilon(1e-12));
    CHECK(by_step["max"][2] == q5["summary"]["max_fm_round_trip"]);
    CHECK(closing["fm"]["max_round_trip"] == q5["summary"]["max_fm_round_trip"]);
    CHECK(closing["nf"]["max_round_trip"] == q5["summary"]["max_nf_round_trip"]);
    CHECK(q5["verdicts"].contains("round_trip_first_order"));
    fs::remove_all(models);
    fs::remove_all(out);
}

TEST_CASE("tex_grouped prints every integer digit, so that a table's sum visibly adds up", "[rings][fast]") {
    // -4 445 010.59 + 11.87 = -4 444 998.72: at three significant digits the two large
    // terms would both print as -4.44e6 or -4.45e6.
    CHECK(flow::chapters::tex_grouped(-4445010.5900, 2) == "\\ensuremath{-4\\,445\\,010.59}");
    CHECK(flow::chapters::tex_grouped(11.8683, 2) == "11.87");
    CHECK(flow::chapters::tex_grouped(999.5, 0) == "1\\,000");
    CHECK(flow::chapters::tex_grouped(123456, 1) == "123\\,456.0");
}

TEST_CASE("nf-q5 prints z with the digits that fix log p_z, and labels the paths' two ends off the paths",
          "[rings][fast]") {
    namespace q5 = flow::chapters::nf_q5;
    CHECK(q5::z_decimals(1.16, 1.08) == 2);
    CHECK(q5::z_decimals(-2952.772705078125, 413.7038269042969) == 4);
    for (const auto& [z1, z2] : {std::pair{1.1600385904312134, 1.0847034454345703},
                                 {-2952.772705078125, 413.7038269042969}, {123456.789, -0.5}}) {
        const int d = q5::z_decimals(z1, z2);
        const double r1 = std::round(z1 * std::pow(10.0, d)) / std::pow(10.0, d);
        const double r2 = std::round(z2 * std::pow(10.0, d)) / std::pow(10.0, d);
        CHECK(std::fabs((r1 * r1 + r2 * r2 - z1 * z1 - z2 * z2) / 2) <= 0.25);  // log p_z follows
    }
    // Two paths: the first runs east from (0, 0) then north, the second ends outside the
    // window [-4, 4]^2, so its latent point gets no label.
    std::vector<nn::Mat<float>> path;
    for (const auto& s : {std::array<float, 4>{0, 0, 1, 1}, {2, 0, 3, 1}, {2, 2, 9, 1}}) {
        path.push_back(nn::Mat<float>::from_shape({2, 2}));
        for (int k = 0; k < 4; ++k) path.back()(k / 2, k % 2) = s[std::size_t(k)];
    }
    const std::string tex = q5::path_labels(path, 4.0, 108.0);
    CHECK(tex.find("{P1}") != std::string::npos);
    CHECK(tex.find("{P2}") != std::string::npos);
    CHECK(tex.find("{$z_1$}") != std::string::npos);
    CHECK(tex.find("{$z_2$}") == std::string::npos);
    // P1's label is not east of it, on its own first segment.
    const std::string p1 = tex.substr(0, tex.find("{P1}"));
    CHECK(p1.substr(p1.rfind("anchor=")).rfind("anchor=west", 0) == std::string::npos);
}

TEST_CASE("nf-q5's table: log p_z follows from the printed z; nf-q3's titles give the total variance",
          "[driver][nf][chapter][rings]") {
    const fs::path models = scratch("q5-models"), out = scratch("q5-table");
    const std::string nf_dir = quick_model(models, "nf", kNfQuick);
    for (const char* id : {"nf-q3-layers", "nf-q5-likelihood"})
        REQUIRE(run(fmt::format("chapter rings {} --model-nf {} --out {}", id, nf_dir, (out / id).string())).status ==
                0);
    // A table cell as a number: \ensuremath{-2\,952.7727} -> -2952.7727.
    const auto number = [](std::string s) {
        for (const char* junk : {"\\ensuremath{", "}", "\\,", "$", "(", ")", " "})
            for (std::size_t p; (p = s.find(junk)) != std::string::npos;) s.erase(p, std::strlen(junk));
        return std::stod(s);
    };
    std::istringstream tex(read_file(out / "nf-q5-likelihood" / "chapter.tex"));
    int rows = 0;
    for (std::string line; std::getline(tex, line);) {
        if (line.rfind("    P", 0) != 0) continue;
        std::vector<std::string> cells;
        for (std::size_t a = 0, b; (b = line.find(" & ", a)) != std::string::npos || a < line.size(); a = b + 3) {
            cells.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
            if (b == std::string::npos) break;
        }
        REQUIRE(cells.size() == 7);
        const std::size_t comma = cells[2].find(", ");
        const double z1 = number(cells[2].substr(0, comma)), z2 = number(cells[2].substr(comma + 2));
        INFO(line);
        CHECK(std::fabs(-(z1 * z1 + z2 * z2) / 2 - std::log(2 * M_PI) - number(cells[3])) <= 0.26);
        ++rows;
    }
    CHECK(rows == 5);
    const auto q3 = nlohmann::json::parse(read_file(out / "nf-q3-layers" / "stats.json"));
    for (const auto& [name, panel] : q3["figures"].items()) {
        INFO(name);
        const double var = panel["cov"][0][0].get<double>() + panel["cov"][1][1].get<double>();
        CHECK(read_file(out / "nf-q3-layers" / (name + ".tex")).find(fmt::format(", variance {:.1f}", var)) !=
              std::string::npos);
    }
    fs::remove_all(models);
    fs::remove_all(out);
}

TEST_CASE("a path's label sits on the side its path leaves free; the bands' extent holds every band",
          "[rings][fast]") {
    // One path from the origin to the right: its label goes to the left, the node's east
    // side (anchor 0) at the start, shifted left.
    std::vector<nn::Mat<float>> states;
    for (int k = 0; k <= 10; ++k) states.push_back(nn::Mat<float>{{0.1f * float(k), 0.0f}});
    const std::string label = flow::chapters::labels_off_paths(states, {"1"}, 3.0);
    CHECK_THAT(label, Catch::Contains("anchor=0,"));
    CHECK_THAT(label, Catch::Contains("xshift=-2.50pt"));
    CHECK_THAT(label, Catch::Contains("{1}"));
    // In the logo's own units (no standardising) the bands reach |c| + the outer radius.
    double hi = 0;
    for (const auto& r : data::rings())
        hi = std::max({hi, std::fabs(r.cx) + data::kBandOuter, std::fabs(r.cy) + data::kBandOuter});
    CHECK(flow::chapters::bands_extent(data::Standardiser{}) == Approx(hi).epsilon(1e-9));
}
