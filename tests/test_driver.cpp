// The driver as a user meets it, for every exercise in the manifests: listing, --help,
// bad input refused in one line with a non-zero exit and nothing written, a chapter that
// never trains, and models and chapters that repeat themselves exactly. The chapters
// and models tested come from the manifests, so a new exercise is covered as it lands.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "driver.hpp"
#include "exercise/chapter.hpp"
#include "model/registry.hpp"
#include "exercise/graph.hpp"

using namespace flow;
using namespace flow::test;
namespace fs = std::filesystem;

namespace {

// A chapter of some exercise whose --help names this flag (nullptr when none does).
std::pair<const exercise::Manifest*, const exercise::ChapterDecl*> chapter_with(const std::string& flag) {
    for (const auto& m : exercise::manifests())
        for (const auto& c : m.chapters)
            for (const auto& f : exercise::chapter_flags(m, c))
                if (f.name == flag) return {&m, &c};
    return {nullptr, nullptr};
}

// The first model of some exercise of this kind.
std::pair<const exercise::Manifest*, const exercise::ModelDecl*> model_of(const std::string& kind) {
    for (const auto& m : exercise::manifests())
        for (const auto& d : m.models)
            if (d.kind == kind && d.like.empty()) return {&m, &d};
    return {nullptr, nullptr};
}

std::string joined(const std::vector<std::string>& w) { return fmt::format("{}", fmt::join(w, " ")); }

}  // namespace

TEST_CASE("every manifest is whole and every chapter has its code", "[driver][fast]") {
    REQUIRE(!exercise::manifests().empty());
    CHECK_NOTHROW(exercise::check_registry());
    for (const auto& m : exercise::manifests()) {
        INFO(m.exercise);
        CHECK(!m.title.empty());
        for (const auto& d : m.models) CHECK(model::find_kind(d.kind) != nullptr);
    }
}

TEST_CASE("a manifest with a mistake is refused, naming it", "[driver][fast]") {
    const std::string ok_model = R"({"name": "a", "kind": "nf", "data": "rings"})";
    auto parse = [&](const std::string& models, const std::string& chapters) {
        return exercise::parse_manifest("x", R"({"title": "t", "pages": 3, "words": 900, "models": [)" + models +
                                                 R"(], "chapters": [)" + chapters + "]}");
    };
    CHECK_NOTHROW(parse(ok_model, R"({"id": "c", "heading": "h", "models": ["a"]})"));
    CHECK_THROWS_WITH(parse(ok_model, R"({"id": "c", "heading": "h", "models": ["b"]})"),
                      Catch::Contains("uses model 'b'"));
    CHECK_THROWS_WITH(parse(ok_model + "," + ok_model, R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("declared twice"));
    CHECK_THROWS_WITH(parse(R"({"name": "b", "like": "a"})", R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("not declared before it"));
    CHECK_THROWS_WITH(parse(ok_model, R"({"id": "c", "heading": "h"}, {"id": "c", "heading": "h"})"),
                      Catch::Contains("declared twice"));
    CHECK_THROWS_WITH(parse(ok_model, ""), Catch::Contains("no chapters"));
    CHECK_THROWS(exercise::parse_manifest("x", "{not json"));
    // How it is typeset: a report unless it says slides; anything else is refused.
    CHECK(parse(ok_model, R"({"id": "c", "heading": "h"})").document == "report");
    const auto deck = exercise::parse_manifest(
        "x", R"({"title": "t", "document": "slides", "pages": 3, "words": 900, "models": [], "chapters": [{"id": "c", "heading": "h"}]})");
    CHECK(deck.slides());
    CHECK_THROWS_WITH(exercise::parse_manifest("x", R"({"title": "t", "document": "poster", "pages": 3, "words": 900, "models": [], "chapters": [{"id": "c", "heading": "h"}]})"),
                      Catch::Contains("'document' must be"));
    const auto m = parse(ok_model + R"(, {"name": "b", "like": "a", "set": "--hidden 8"})",
                         R"({"id": "c", "heading": "h", "models": ["a", "b"], "quick": "--dt 0.1"})");
    CHECK(m.model("b").kind == "nf");
    CHECK(m.model("b").set == std::vector<std::string>{"--hidden", "8"});
    const std::string graph = exercise::make_graph({m});
    CHECK_THAT(graph, Catch::Contains("CHAPTERS_x := c\n") && Catch::Contains("MODELS_x := a b\n") &&
                          Catch::Contains("LIKE_x/b := a\n") && Catch::Contains("USES_x/c := a b\n") &&
                          Catch::Contains("QUICK_x/c := --dt 0.1\n") && Catch::Contains("PAGES_x := 3\n"));

    // A model fitted on another names its base, declared before it, and takes its data set.
    const std::string cond = R"({"name": "k", "kind": "cfm", "data": "rings-by-class"})";
    const auto fitted = parse(cond + R"(, {"name": "n", "kind": "new-class", "base": "k"},
                                        {"name": "n2", "like": "n", "set": "--steps 5"})",
                              R"({"id": "c", "heading": "h", "models": ["n2"]})");
    CHECK(fitted.model("n").data == "rings-by-class");
    CHECK(fitted.model("n2").base == "k");
    CHECK_THAT(exercise::make_graph({fitted}),
               Catch::Contains("BASE_x/n := k\n") && Catch::Contains("BASE_x/n2 := k\n"));
    CHECK_THROWS_WITH(parse(R"({"name": "n", "kind": "new-class", "base": "k"}, )" + cond,
                            R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("not declared before it"));
    CHECK_THROWS_WITH(parse(cond + R"(, {"name": "n", "kind": "new-class", "base": "k", "data": "rings"})",
                            R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("takes its data set from its base"));
    CHECK_THROWS_WITH(parse(R"({"name": "a", "kind": "nf", "data": "rings", "base": "a"})",
                            R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("takes no base"));
}

TEST_CASE("flowreport list prints the exercises, and each one's chapters in its order", "[driver][fast]") {
    std::string names;
    for (const auto& m : exercise::manifests()) {
        names += m.exercise + "\n";
        std::string ids, headings;
        for (const auto& c : m.chapters) {
            ids += c.id + "\n";
            headings += c.id + "\t" + c.heading + "\n";
        }
        CHECK(run("list " + m.exercise).out == ids);
        CHECK(run("list " + m.exercise + " --headings").out == headings);
        CHECK(run("list " + m.exercise + " --pages").out == std::to_string(m.pages) + "\n");
        CHECK(run("list " + m.exercise + " --words").out == std::to_string(m.words) + "\n");
        CHECK(lines(run("list " + m.exercise + " --models").out) == m.models.size());
    }
    CHECK(run("list").out == names);
}

TEST_CASE("--help lists every flag with its default", "[driver][fast]") {
    for (const auto& m : exercise::manifests()) {
        for (const auto& c : m.chapters) {
            const auto r = run("chapter " + m.exercise + " " + c.id + " --help");
            INFO(c.id);
            CHECK(r.status == 0);
            CHECK_THAT(r.out, Catch::Contains(c.heading) && Catch::Contains("--seed") && Catch::Contains("--out"));
            for (const auto& u : c.models) CHECK_THAT(r.out, Catch::Contains("--model-" + u));
        }
        for (const auto& d : m.models) {
            const auto r = run("train " + m.exercise + " " + d.name + " --help");
            INFO(d.name);
            CHECK(r.status == 0);
            CHECK_THAT(r.out, Catch::Contains("--seed"));
            for (const auto& f : model::kind(d.kind).flags) CHECK_THAT(r.out, Catch::Contains("--" + f.name));
            // The manifest's defaults are the ones shown.
            for (std::size_t i = 0; i + 1 < d.defaults.size(); i += 2)
                CHECK_THAT(r.out, Catch::Contains(fmt::format("(default: {})", d.defaults[i + 1])));
        }
    }
}

TEST_CASE("a chapter never trains: without its model's checkpoint it stops", "[driver][fast]") {
    const auto [m, c] = chapter_with("model-" + model_of("nf").second->name);
    REQUIRE(c);
    const fs::path out = scratch("untrained");
    const auto r = run_env("cd " + scratch("empty-cwd").string() + " 2>/dev/null || mkdir -p " +
                               scratch("empty-cwd").string() + " && cd " + scratch("empty-cwd").string() + " && ",
                           "chapter " + m->exercise + " " + c->id + " --out " + out.string());
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains("is not trained"));
    CHECK(!fs::exists(out / "stats.json"));
    // A folder that is not a checkpoint is refused with exit 1.
    std::string models;
    for (const auto& u : c->models) models += " --model-" + u + " " + scratch("none").string();
    const auto bad = run("chapter " + m->exercise + " " + c->id + models + " --out " + out.string());
    CHECK(bad.status == 1);
    CHECK(lines(bad.err) == 1);
    CHECK_THAT(bad.err, Catch::StartsWith("flowreport: "));
    CHECK(!fs::exists(out / "stats.json"));
}

TEST_CASE("bad input gets one line on stderr and exit 2 with nothing written", "[driver][fast]") {
    const fs::path out = scratch("bad");
    const std::string o = " --out " + out.string();
    const auto& m = exercise::manifests().front();
    const std::string chapter = "chapter " + m.exercise + " " + m.chapters.front().id;
    std::vector<std::string> cases = {
        "no-such-command", "chapter", "chapter no-such-exercise x", "chapter " + m.exercise + " no-such-chapter",
        chapter + " --no-such-flag 3", chapter + " --seed -1", chapter + " --seed x", chapter + " stray-word",
        chapter + " --model-no-such-model x", "train " + m.exercise + " no-such-model", "list no-such-exercise",
        "list " + m.exercise + " --no-such-switch",
    };
    for (const auto& kind : {"nf", "fm", "cfm"}) {
        const auto [mm, d] = model_of(kind);
        if (!d) continue;
        const std::string t = "train " + mm->exercise + " " + d->name;
        for (const char* bad : {" --epochs -1", " --epochs=-1", " --epochs 0", " --epochs 2.5", " --epochs",
                                " --lr 0", " --lr -1e-3", " --lr nan", " --lr inf", " --lr fast", " --hidden 0",
                                " --points 12x", " --dt 0.01"})
            cases.push_back(t + bad);
        if (std::string(kind) == "nf")
            for (const char* bad : {" --init zero", " --clip -1", " --clip nan", " --scale-bound 0", " --scale-bound 60"})
                cases.push_back(t + bad);
        else cases.push_back(t + " --time-sampling never");
    }
    for (const auto& mm : exercise::manifests())
        for (const auto& d : mm.models)
            if (model::kind(d.kind).source == model::Source::Base)
                for (const char* bad : {" --fit sideways", " --steps 0", " --target 1", " --target 1,2,3",
                                        " --old-batch -2", " --lr 0", " --epochs 3"})
                    cases.push_back("train " + mm.exercise + " " + d.name + bad);
    if (const auto [mm, c] = chapter_with("dt"); c) {
        const std::string ch = "chapter " + mm->exercise + " " + c->id;
        for (const char* bad : {" --dt 2", " --dt -0.1", " --solver leapfrog", " --epochs 3"}) cases.push_back(ch + bad);
    }
    if (const auto [mm, c] = chapter_with("probes"); c) {
        const std::string ch = "chapter " + mm->exercise + " " + c->id;
        for (const char* bad : {" --probes 1,2,3", " --probes '1;nan,2'", " --probes x,y", " --probes ''", " --probes 1"})
            cases.push_back(ch + bad);
    }
    for (const auto& args : cases) {
        const auto r = run(args + o);
        INFO("flowreport " << args << " -> stderr: " << r.err);
        CHECK(r.status == 2);
        CHECK(lines(r.err) == 1);
        CHECK_THAT(r.err, Catch::StartsWith("flowreport: "));
        CHECK(!fs::exists(out));
    }
}

TEST_CASE("a model flag given twice takes its last value, and the model is trained once", "[driver]") {
    // make passes FLAGS before a model's own flags, so the model's must win. (Point counts
    // every data set has: a data file holds 400 training rows.)
    for (const auto& kind : {"nf", "fm"}) {
        const auto [m, d] = model_of(kind);
        if (!d) continue;
        INFO(d->name);
        const fs::path models = scratch("twice");
        const std::string env = "FLOWREPORT_MODELS=" + models.string() + " ";
        const std::string t = "train " + m->exercise + " " + d->name + " " + joined(d->quick);
        const auto a = run_env(env, t + " --points 300 --points 250");
        REQUIRE(a.status == 0);
        CHECK_THAT(a.line(), Catch::StartsWith(models.string() + "/" + d->kind + "-"));
        const auto b = run_env(env, t + " --points 250");
        CHECK(b.out == a.out);
        CHECK(b.err.empty());  // reused: no training progress
        const auto cfg = nlohmann::json::parse(read_file(fs::path(a.line()) / "model.json"));
        CHECK(cfg["config"]["points"] == 250);
        CHECK(cfg["config"]["data"] == d->data);
        const auto bad = run_env(env, t + " --points 0 --points 250");
        CHECK(bad.status == 2);
        CHECK_THAT(bad.err, Catch::Contains("--points must be"));
        fs::remove_all(models);
    }
}

TEST_CASE("a chapter on given checkpoints repeats itself exactly", "[driver][chapter]") {
    // The first chapter of the first exercise, on quick models trained here.
    const auto& m = exercise::manifests().front();
    const auto& c = m.chapters.front();
    const fs::path models = scratch("repeat-models"), a = scratch("repeat-a"), b = scratch("repeat-b");
    std::string args = "chapter " + m.exercise + " " + c.id + " " + joined(c.quick);
    for (const auto& u : c.models) {
        const auto r = run_env("FLOWREPORT_MODELS=" + models.string() + " ",
                               "train " + m.exercise + " " + u + " " + joined(m.model(u).quick));
        REQUIRE(r.status == 0);
        args += " --model-" + u + " " + r.line();
    }
    REQUIRE(run(args + " --out " + a.string()).status == 0);
    REQUIRE(run(args + " --out " + b.string()).status == 0);
    for (const char* f : {"chapter.tex", "stats.json", "figures.mk", "provenance.json"}) {
        INFO(f);
        CHECK(fs::exists(a / f));
    }
    CHECK(read_file(a / "stats.json") == read_file(b / "stats.json"));
    CHECK(read_file(a / "chapter.tex") == read_file(b / "chapter.tex"));
    for (const auto& d : {a, b, models}) fs::remove_all(d);
}

TEST_CASE("a new class is fitted on the checkpoint it names, as make passes it", "[driver]") {
    // The first model of some exercise fitted on a base, on a quick base trained here.
    const exercise::Manifest* m = nullptr;
    const exercise::ModelDecl* d = nullptr;
    for (const auto& mm : exercise::manifests())
        for (const auto& dd : mm.models)
            if (!d && model::kind(dd.kind).source == model::Source::Base && mm.model(dd.base).base.empty()) m = &mm, d = &dd;
    if (!d) return;
    const fs::path models = scratch("new-class");
    const std::string env = "FLOWREPORT_MODELS=" + models.string() + " ";
    const auto base = run_env(env, "train " + m->exercise + " " + d->base + " " + joined(m->model(d->base).quick));
    REQUIRE(base.status == 0);
    const std::string t = "train " + m->exercise + " " + d->name + " " + joined(d->quick) + " --steps 5";
    const auto a = run_env(env, t + " --base " + base.line());
    REQUIRE(a.status == 0);
    const auto cfg = nlohmann::json::parse(read_file(fs::path(a.line()) / "model.json"))["config"];
    const auto base_cfg = nlohmann::json::parse(read_file(fs::path(base.line()) / "model.json"))["config"];
    CHECK(cfg["base"] == fs::path(base.line()).filename().string());
    CHECK(cfg["classes"] == base_cfg["classes"].get<int>() + 1);
    CHECK(cfg["data"] == base_cfg["data"]);
    CHECK(run_env(env, t + " --base " + base.line()).out == a.out);  // reused

    // On a new class of the same point, --fit all goes on fitting that class; another
    // point is one more class.
    const auto same = run_env(env, t + " --fit all --old-batch 16 --base " + a.line());
    REQUIRE(same.status == 0);
    const auto same_cfg = nlohmann::json::parse(read_file(fs::path(same.line()) / "model.json"))["config"];
    CHECK(same_cfg["classes"] == cfg["classes"]);
    const auto other = run_env(env, t + " --fit all --old-batch 16 --target 1,1 --base " + a.line());
    REQUIRE(other.status == 0);
    CHECK(nlohmann::json::parse(read_file(fs::path(other.line()) / "model.json"))["config"]["classes"] ==
          cfg["classes"].get<int>() + 1);

    // Without --base, on a folder that is no checkpoint, on an unconditional model: one line.
    const auto none = run_env(env, t);
    CHECK(none.status == 2);
    CHECK_THAT(none.err, Catch::Contains("needs --base"));
    const auto empty = run_env(env, t + " --base " + scratch("not-a-checkpoint").string());
    CHECK(empty.status == 1);
    CHECK(lines(empty.err) == 1);
    if (const auto [fm_m, fm_d] = model_of("fm"); fm_d) {
        const auto u = run_env(env, "train " + fm_m->exercise + " " + fm_d->name + " " + joined(fm_d->quick));
        REQUIRE(u.status == 0);
        const auto r = run_env(env, t + " --base " + u.line());
        CHECK(r.status == 1);
        CHECK(lines(r.err) == 1);
        CHECK_THAT(r.err, Catch::Contains("needs a conditional one"));
    }
    fs::remove_all(models);
}

TEST_CASE("a family of fits stands for its seeds and splits, and its sweep for its first fit's rates",
          "[driver][fits][fast]") {
    auto parse = [&](const std::string& models, const std::string& chapters) {
        return exercise::parse_manifest("x", R"({"title": "t", "pages": 3, "words": 900, "models": [)" + models +
                                                 R"(], "chapters": [)" + chapters + "]}");
    };
    const std::string fam = R"({"name": "p", "kind": "planar", "data": "two-moons", "fits": {"seeds": 2, "splits": 3},
                                "sweep": {"lr": ["0.1", "0.003"]}, "defaults": "--lr 0.01"})";
    const auto m = parse(fam, R"({"id": "c", "heading": "h", "models": ["p"]})");
    const auto fits = m.fits("p");
    REQUIRE(fits.size() == 6);
    CHECK(fits.front() == "p-seed1-split1");
    CHECK(fits.back() == "p-seed2-split3");
    CHECK(m.model("p-seed2-split3").data == "two-moons:3");
    CHECK(m.model("p-seed2-split3").seed_index == 1);
    CHECK(m.model("p-seed2-split3").seeds == 2);
    const auto sweep = m.sweep("p");
    REQUIRE(sweep.size() == 2);
    CHECK(sweep[0]->name == "p-lr0.1");
    CHECK(sweep[0]->data == "two-moons:1");
    CHECK(sweep[0]->set == std::vector<std::string>{"--lr", "0.1"});
    // The chapter reads every fit and the sweep; flags given to the family reach each.
    CHECK(m.chapters[0].models.size() == 8);
    const std::string graph = exercise::make_graph({m});
    CHECK_THAT(graph, Catch::Contains("LIKE_x/p-seed1-split2 := p\n") && Catch::Contains("LIKE_x/p-lr0.003 := p\n"));
    CHECK_THROWS_WITH(m.fits("q"), Catch::Contains("no family of fits 'q'"));
    // Fits need a data file's splits and sensible counts.
    CHECK_THROWS_WITH(parse(R"({"name": "p", "kind": "planar", "data": "rings", "fits": {"seeds": 2, "splits": 3}})",
                            R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("not a data file with splits"));
    // Without splits, a family differs by seed only, on any data set.
    const auto seeds_only = parse(R"({"name": "q", "kind": "nf", "data": "moons", "fits": {"seeds": 3},
                                      "sweep": {"lr": ["0.1"]}})",
                                  R"({"id": "c", "heading": "h", "models": ["q"]})");
    CHECK(seeds_only.fits("q") == std::vector<std::string>{"q-seed1", "q-seed2", "q-seed3"});
    CHECK(seeds_only.model("q-seed3").data == "moons");
    CHECK(seeds_only.model("q-seed3").split == 0);
    CHECK(seeds_only.model("q-seed3").seed_index == 2);
    REQUIRE(seeds_only.sweep("q").size() == 1);
    CHECK(seeds_only.sweep("q")[0]->name == "q-lr0.1");
    CHECK(seeds_only.chapters[0].models.size() == 4);
    CHECK_THROWS_WITH(parse(R"({"name": "p", "kind": "planar", "data": "two-moons", "fits": {"seeds": 0, "splits": 3}})",
                            R"({"id": "c", "heading": "h"})"),
                      Catch::Contains("fits.seeds must be from 1 to 100"));
}

TEST_CASE("a fit draws with seed S0 * seeds + i, so two seeds' families share no fit", "[driver][fits]") {
    const auto tmp = scratch("fit-seed");
    const std::string env = "FLOWREPORT_MODELS=" + tmp.string() + " ";
    const auto r = run_env(env, "train dt8122 planar-two-moons-seed2-split3 --epochs 1 --layers 2 --seed 5");
    REQUIRE(r.status == 0);
    const auto cfg = nlohmann::json::parse(read_file(fs::path(r.line()) / "model.json")).at("config");
    CHECK(cfg.at("seed") == 5 * 3 + 1);
    CHECK(cfg.at("data") == "two-moons:3");
    CHECK(cfg.at("patience") == 200);
    fs::remove_all(tmp);
}
