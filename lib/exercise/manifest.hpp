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
//
// A model declared with `"fits": {"seeds": S, "splits": K}` (a data file's set only) is a
// family of S x K models, "<name>-seed<i>-split<k>": the same flags on the data set's
// k-th split (data::split_name) with seed S0 * S + i - 1, S0 the seed given (--seed),
// so that two seeds' families share no fit. Without "splits" (any data set) the family
// is S models "<name>-seed<i>" on the data set itself, differing by seed only. Chapters may name the family for all its
// fits; flags given to the family go to each fit. With `"sweep": {"lr": ["0.005", ...]}`
// the family also holds "<name>-lr<value>": its first fit (seed 1, split 1 if any) with that
// learning rate instead, so that a chapter can show the rate was chosen on validation
// rows; a chapter naming the family reads these too (Manifest::sweep).
struct ModelDecl {
    std::string name, kind, data, like, base;
    std::string family;                 // a fit's family ("" for a model of its own)
    std::string swept;                  // a sweep model's family (then `family` is "")
    std::string sweep_lr;               // its learning rate, as written
    std::size_t seeds = 0, seed_index = 0, split = 0;  // a fit's: its family's seeds, its own (0-based), its split (0: none)
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
    // How it is typeset: "report" (an article: sections, floats, a provenance appendix) or
    // "slides" (a 16:9 beamer deck at 14 pt: a title slide, then one slide per chapter,
    // each a figure and at most three lines; the references on the last).
    std::string document = "report";
    bool slides() const { return document == "slides"; }
    int pages = 0;  // the exercise's page limit, appendix included (slides: the slide limit, title included)
    int words = 0;  // the body's word budget: every word before the appendix, as pdftotext reads it
    std::vector<ModelDecl> models;
    std::vector<ChapterDecl> chapters;

    const ModelDecl& model(const std::string& name) const;      // throws when unknown
    // A family's fits in the order seed 1 split 1, seed 1 split 2, ...; throws when
    // `family` names no family.
    std::vector<std::string> fits(const std::string& family) const;
    // A family's sweep models (ModelDecl::swept), in the manifest's order; may be empty.
    std::vector<const ModelDecl*> sweep(const std::string& family) const;
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
