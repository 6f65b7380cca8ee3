// The driver as a user meets it: listing, bad input refused in one line with a
// non-zero exit and nothing written, and a chapter that repeats itself exactly.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
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

Result run(const std::string& args) {
    const fs::path out = scratch("stdout"), err = scratch("stderr");
    const std::string cmd = std::string(FLOWREPORT_BIN) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int raw = std::system(cmd.c_str());
    Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_file(out), read_file(err)};
    fs::remove(out);
    fs::remove(err);
    return r;
}

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
        "nf-q1-loss --epochs",
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

TEST_CASE("a chapter not yet written says so with a non-zero exit", "[driver][fast]") {
    const auto r = run("nf-q2-sampling --epochs 3 --out " + scratch("unwritten").string());
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("not written yet"));
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
