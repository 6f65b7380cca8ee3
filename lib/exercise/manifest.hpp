#pragma once
// An exercise's manifest (chapters/<exercise>/manifest.json): its title and page limit,
// the models it trains and the chapters that answer its questions, in order. Everything
// else derives from it: the driver's commands, the make graph (`flowreport makefile`),
// the tests that run every chapter, the provenance appendix and the headings that
// scripts/check-report looks for. The manifests are compiled into the driver.
#include <map>
#include <string>
#include <vector>

namespace flow::exercise {

// A model the exercise trains: a kind (of the registry, model/registry.hpp), a data set,
// and flags; or a kind fitted on another model, which names that model as its `base`
// (declared before it; make trains the base first and passes its folder as --base) and
// takes its data set from it. A model declared `like` another takes that model's kind,
// data set, base and defaults, and the flags a user gives that model; its `set` flags
// come last and win (e.g. the exercise's own recipe beside a tuned default).
struct ModelDecl {
    std::string name, kind, data, like, base;
    std::vector<std::string> defaults;  // "--name value" words: the model's defaults
    std::vector<std::string> set;       // always given last
    std::vector<std::string> quick;     // what the quick test run adds (few points, one epoch)
};

struct ChapterDecl {
    std::string id, heading;
    std::vector<std::string> models;  // the models it reads (never trains)
    std::vector<std::string> quick;   // flags of the quick test run
};

struct Manifest {
    std::string exercise, title;
    int pages = 0;  // the exercise's page limit, appendix included
    int words = 0;  // the body's word budget: every word before the appendix, as pdftotext reads it
    std::vector<ModelDecl> models;
    std::vector<ChapterDecl> chapters;

    const ModelDecl& model(const std::string& name) const;      // throws when unknown
    const ChapterDecl* chapter(const std::string& id) const;    // nullptr when unknown
};

// Parses and checks one manifest (names unique, every model a chapter uses declared,
// every `like` declared and not itself a copy); throws with one line naming the problem.
Manifest parse_manifest(const std::string& exercise, const std::string& json_text);

// Every exercise's manifest, in the order of their names.
const std::vector<Manifest>& manifests();
const Manifest& manifest(const std::string& exercise);  // throws when unknown

// Splits "--a 1 --b 2" into words.
std::vector<std::string> words(const std::string& s);

}  // namespace flow::exercise
