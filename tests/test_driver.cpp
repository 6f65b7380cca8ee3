// The driver as a user meets it: listing, bad input refused in one line with a
// non-zero exit and nothing written, and a chapter that repeats itself exactly.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <functional>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/files.hpp"

using namespace flow;
namespace fs = std::filesystem;

namespace {

struct Result {
    int status;
    std::string out, err;
};

fs::path scratch(const std::string& name) {
    const fs::path d = fs::temp_directory_path() /
                       ("flowreport-driver-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(d);
    return d;
}

Result run_env(const std::string& env, const std::string& args) {
    const fs::path out = scratch("stdout"), err = scratch("stderr");
    const std::string cmd = env + std::string(FLOWREPORT_BIN) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int raw = std::system(cmd.c_str());
    Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_file(out), read_file(err)};
    fs::remove(out);
    fs::remove(err);
    return r;
}

Result run(const std::string& args) { return run_env("", args); }

std::size_t lines(const std::string& s) { return std::size_t(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("flowreport list prints every chapter id in the report's order", "[driver][fast]") {
    const auto r = run("list");
    CHECK(r.status == 0);
    CHECK(r.out ==
          "nf-q1-loss\nnf-q2-sampling\nnf-q3-layers\nnf-q4-trajectories\nnf-q5-likelihood\n"
          "fm-q1-loss\nfm-q2-progression\nfm-q3-trajectories\nfm-q4-time-quantization\n"
          "fm-q5-reverse\ncfm-q1-input\ncfm-q2-class-trajectories\ncfm-q3-sampling\n"
          "fm-bonus-target\n");
}

TEST_CASE("--help lists every flag with its default", "[driver][fast]") {
    const auto r = run("nf-q1-loss --help");
    CHECK(r.status == 0);
    for (const char* flag : {"--seed", "--out", "--points", "--epochs", "--batch", "--lr",
                             "--couplings", "--depth", "--hidden"})
        CHECK_THAT(r.out, Catch::Contains(flag));
    CHECK_THAT(r.out, Catch::Contains("(default: 250000)"));
    CHECK_THAT(run("fm-q4-time-quantization --help").out,
               Catch::Contains("--dt") && Catch::Contains("--solver"));
}

TEST_CASE("a checkpoint folder that is not a normalizing flow is refused with exit 1", "[driver][fast]") {
    const fs::path out = scratch("bad-nf-model");
    const auto r = run("fm-q2-progression --epochs 1 --points 2000 --nf-model " + scratch("none").string() +
                       " --out " + out.string());
    CHECK(r.status == 1);
    CHECK(lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::StartsWith("flowreport: "));
    CHECK(!fs::exists(out / "stats.json"));
}

TEST_CASE("bad input gets one line on stderr and exit 2 with nothing written", "[driver][fast]") {
    const fs::path out = scratch("bad");
    const std::string o = " --out " + out.string();
    const char* cases[] = {
        "no-such-chapter",
        "cfm-q1-input --no-such-flag 3",
        "cfm-q1-input --points 0",
        "cfm-q1-input --points -5",
        "cfm-q1-input --points 12x",
        "cfm-q1-input --seed -1",
        "cfm-q1-input stray-word",
        "nf-q1-loss --epochs -1",
        "nf-q1-loss --epochs=-1",
        "nf-q1-loss --epochs 0",
        "nf-q1-loss --epochs 2.5",
        "nf-q1-loss --lr 0",
        "nf-q1-loss --lr -1e-3",
        "nf-q1-loss --lr nan",
        "nf-q1-loss --lr inf",
        "nf-q1-loss --lr fast",
        "fm-q1-loss --dt 2",
        "fm-q1-loss --solver leapfrog",
        "nf-q5-likelihood --probes 1,2,3",
        "nf-q5-likelihood --probes '1;nan,2'",
        "nf-q5-likelihood --probes x,y",
        "nf-q5-likelihood --probes ''",
        "train nf --hidden 0",
        "train gan",
        "nf-q1-loss --epochs",
        "train fm --dt 0",
        "train cfm --solver rk5",
        "train cfm --hidden 0",
        "fm-q5-reverse --probes 1",
        "fm-q2-progression --nf-model",
        "cfm-q3-sampling --dt -0.1",
        "fm-bonus-target --epochs 0",
        "nf-q1-loss --init zero",
    };
    for (const char* args : cases) {
        const auto r = run(std::string(args) + o);
        INFO("flowreport " << args << " -> stderr: " << r.err);
        CHECK(r.status == 2);
        CHECK(lines(r.err) == 1);
        CHECK_THAT(r.err, Catch::StartsWith("flowreport: "));
        CHECK(!fs::exists(out));
    }
}

TEST_CASE("a flag given twice takes its last value and every value is checked", "[driver][fast]") {
    // make passes FLAGS before a model's flags, so the model's must win.
    const fs::path a = scratch("twice-a"), b = scratch("twice-b");
    REQUIRE(run("cfm-q1-input --points 2000 --points 3000 --out " + a.string()).status == 0);
    REQUIRE(run("cfm-q1-input --points 3000 --out " + b.string()).status == 0);
    CHECK(read_file(a / "stats.json") == read_file(b / "stats.json"));
    const auto r = run("cfm-q1-input --points 0 --points 3000 --out " + scratch("twice-c").string());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--points must be"));
}

TEST_CASE("cfm-q1-input writes its files and repeats itself exactly", "[driver][chapter][fast]") {
    const fs::path a = scratch("det-a"), b = scratch("det-b"), c = scratch("det-c");
    REQUIRE(run("cfm-q1-input --points 20000 --out " + a.string()).status == 0);
    REQUIRE(run("cfm-q1-input --points 20000 --out " + b.string()).status == 0);
    REQUIRE(run("cfm-q1-input --points 20000 --seed 1 --out " + c.string()).status == 0);
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
    for (const auto& d : {a, b, c}) fs::remove_all(d);
}

TEST_CASE("the nf chapters run on a quick model and write sane statistics", "[driver][nf][chapter]") {
    // A quick configuration (few points, one epoch): the sanity of the files and numbers,
    // not the quality of the model.
    const fs::path models = scratch("models"), out = scratch("nf");
    const std::string env = "FLOWREPORT_MODELS=" + models.string() + " ";
    const std::string quick = " --points 3000 --epochs 1 --couplings 5 --hidden 4";
    const auto train = run_env(env, "train nf" + quick);
    REQUIRE(train.status == 0);
    CHECK_THAT(train.out, Catch::StartsWith(models.string() + "/nf-"));
    CHECK(run_env(env, "train nf" + quick).out == train.out);  // the checkpoint is reused
    for (const char* id : {"nf-q1-loss", "nf-q2-sampling", "nf-q3-layers", "nf-q4-trajectories",
                           "nf-q5-likelihood"}) {
        INFO(id);
        const fs::path dir = out / id;
        const auto r = run_env(env, std::string(id) + quick + " --out " + dir.string());
        REQUIRE(r.status == 0);
        const auto stats = nlohmann::json::parse(read_file(dir / "stats.json"));
        CHECK(stats["model"]["config"]["couplings"] == 5);
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
    const std::string env = "FLOWREPORT_MODELS=" + models.string() + " ";
    const auto nf = run_env(env, "train nf --points 3000 --epochs 1 --couplings 5 --hidden 4");
    REQUIRE(nf.status == 0);
    const std::string nf_dir = nf.out.substr(0, nf.out.find('\n'));
    const std::string quick = " --points 3000 --epochs 1 --hidden 16 --depth 3";
    const auto fm = run_env(env, "train fm" + quick);
    REQUIRE(fm.status == 0);
    CHECK_THAT(fm.out, Catch::StartsWith(models.string() + "/fm-"));
    CHECK(run_env(env, "train fm" + quick + " --dt 0.01 --solver rk4").out == fm.out);  // not in the hash
    const auto cfm = run_env(env, "train cfm" + quick);
    CHECK_THAT(cfm.out, Catch::StartsWith(models.string() + "/cfm-"));
    const std::string cfm_dir = cfm.out.substr(0, cfm.out.find('\n'));

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
        std::string args = std::string(id) + quick + " --out " + dir.string();
        if (std::string(id) == "fm-q2-progression" || std::string(id) == "fm-q3-trajectories" ||
            std::string(id) == "fm-q5-reverse")
            args += " --nf-model " + nf_dir;
        if (std::string(id) == "fm-bonus-target") args += " --cfm-model " + cfm_dir;
        const auto r = run_env(env, args);
        INFO(r.err);
        REQUIRE(r.status == 0);
        const auto stats = nlohmann::json::parse(read_file(dir / "stats.json"));
        finite(stats, id);
        CHECK(stats["model"]["config"]["hidden"] == 16);
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
    CHECK(bonus["new_class"]["fits"].size() == 2);
    fs::remove_all(models);
    fs::remove_all(out);
}
