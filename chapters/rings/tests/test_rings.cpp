// The rings exercise's chapters on quick models, run through the driver: the files,
// counts and finiteness of what each writes and the facts each chapter's text states,
// not the models' quality (that is tests/golden/rings/).
#include <cmath>
#include <functional>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "driver.hpp"

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
    const std::string traj = read_file(out / "nf-q4-trajectories" / "trajectories.dat");
    CHECK(std::count(traj.begin(), traj.end(), '\n') == 1 + 10 * 6);
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
                           "fm-q5-reverse", "cfm-q2-class-trajectories", "cfm-q3-sampling", "fm-bonus-target"}) {
        INFO(id);
        const fs::path dir = out / id;
        const std::string c = id;
        std::string args = "chapter rings " + c + " --dt 0.01 --out " + dir.string();
        args += c.rfind("cfm-", 0) == 0 ? " --model-cfm " + cfm_dir : " --model-fm " + fm_dir;
        if (c == "fm-q1-loss") args += " --model-fm-recipe " + recipe_dir;
        if (c == "fm-q2-progression" || c == "fm-q3-trajectories" || c == "fm-q5-reverse")
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
    CHECK_THAT(q1_tex, Catch::Contains(fmt::format("times the training drew, {:.1f}\\,\\% are above 0.9", 100 * late)));
    CHECK_THAT(q1_tex, Catch::Contains(fmt::format("= {:.1f}\\,\\%$)", 100 * law)));
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
