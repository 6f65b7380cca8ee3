#pragma once
// A chapter's code and the context it runs in. A chapter file defines its flags and its
// run function and registers them with FLOWREPORT_CHAPTER; the manifest gives it its
// place, heading and models. A chapter reads the models make trained (their checkpoint
// folders come as --model-<name>) and writes only into its output folder.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "core/rng.hpp"
#include "exercise/manifest.hpp"
#include "model/model.hpp"

namespace flow::exercise {

namespace fs = std::filesystem;

class Context;

struct ChapterCode {
    std::string exercise, id;
    std::vector<config::FlagSpec> (*flags)();  // its own flags (nullptr: none)
    void (*run)(Context&);
};

// Called by FLOWREPORT_CHAPTER at start-up.
bool register_chapter(const ChapterCode& code);
// The code of a manifest's chapter; throws when none is registered.
const ChapterCode& code_of(const std::string& exercise, const std::string& id);
// Every registered chapter is in its manifest and every manifest chapter has code;
// throws naming the first that is not.
void check_registry();

// Where a chapter writes, and where make keeps a model's checkpoint folder.
fs::path chapter_dir(const std::string& exercise, const std::string& id);
fs::path model_path_file(const std::string& exercise, const std::string& model);

// The flags a chapter accepts: --seed and --out, one --model-<name> per model it uses,
// then its own.
std::vector<config::FlagSpec> chapter_flags(const Manifest& m, const ChapterDecl& c);

// A chapter writes only into its output folder, every file atomically. stats.json is
// written last: its presence marks a finished chapter.
class Context {
public:
    Context(const Manifest& manifest, const ChapterDecl& chapter, config::Values flags);

    const Manifest& manifest() const { return manifest_; }
    const ChapterDecl& chapter() const { return chapter_; }
    const config::Values& flags() const { return flags_; }
    const fs::path& out() const { return out_; }

    // A model the chapter uses, loaded once by its kind from its checkpoint folder
    // (--model-<name>, else the folder make last trained it into,
    // build/models/<exercise>/<name>.path) and recorded in stats.json under
    // models/<name>. The kind's own model is load(name).as<...>().
    model::Trained& load(const std::string& name);
    template <class M>
    M& load_as(const std::string& name) {
        return load(name).as<M>();
    }
    // The checkpoint folder of a model the chapter uses.
    fs::path model_dir(const std::string& name) const;

    // A verdict a sentence of the text states ("deeper is better", "within noise"): the
    // outcome of a test on numbers the run measured, recorded in stats.json under
    // verdicts/<name> with the test in words and the numbers it compared, so that a
    // changed sentence is a changed statistic the golden tests see. Returns the
    // outcome, which picks the sentence; a name is given once.
    bool verdict(const std::string& name, const std::string& test, const nlohmann::json& compared, bool outcome);
    // The same with an outcome of more than two values ("better", "worse", "within noise").
    std::string verdict(const std::string& name, const std::string& test, const nlohmann::json& compared,
                        const std::string& outcome);
    std::string verdict(const std::string& name, const std::string& test, const nlohmann::json& compared,
                        const char* outcome) {
        return verdict(name, test, compared, std::string(outcome));
    }
    // A number the text states: recorded under claims/<name> and returned as printed,
    // fixed to `decimals` (the rounding the reader sees).
    std::string claim(const std::string& name, double value, int decimals);

    // A random generator for a named stream of this run's seed; the name is recorded.
    Rng rng(const std::string& stream);
    // A stream every chapter of the exercise shares (the same draws in each), of this
    // run's seed: Rng(seed, "<exercise>/<stream>").
    Rng shared_rng(const std::string& stream);

    // A figure: its pgfplots source (a tikzpicture) and the data files it reads,
    // given as (file name, content). Make compiles it to figure_pdf(name).
    void figure(const std::string& name, const std::string& tikz,
                const std::vector<std::pair<std::string, std::string>>& data);
    // An animated GIF (its bytes), written as <name>.gif; make copies it to
    // animation_path(name), the exercise's folder of GIFs beside its PDF.
    void animation(const std::string& name, const std::string& bytes);
    std::string animation_path(const std::string& name) const;
    // The LaTeX path of a figure's PDF for \includegraphics.
    std::string figure_pdf(const std::string& name) const;

    // The chapter's \section with its heading and the label sec:<id>, and a blank line.
    std::string section() const;
    // A slide of a "slides" exercise (Manifest::slides): a frame titled with the chapter's
    // heading, the claim in one line above `figure` (e.g. an \includegraphics line), then
    // at most two lines of evidence. Each line is set as one unbreakable box, so a line
    // too long for the slide is an overfull box (which scripts/check-report refuses)
    // rather than a fourth line. Throws std::logic_error on more lines or a report.
    std::string slide(const std::string& claim, const std::string& figure,
                      const std::vector<std::string>& evidence) const;
    // A frame with the heading as its title around any body (the references' slide).
    std::string frame(const std::string& body) const;
    // The chapter's figure float, labelled fig:<id>: body (e.g. a panel grid, each line
    // indented and ending in a newline) above the caption.
    std::string figure_float(const std::string& body, const std::string& caption) const;
    // The same for one figure of this chapter, centred.
    std::string figure_float_of(const std::string& name, const std::string& caption) const {
        return figure_float("  \\includegraphics{" + figure_pdf(name) + "}\n", caption);
    }

    nlohmann::json stats = nlohmann::json::object();  // the numbers behind the figures
    std::string text;                                  // chapter.tex

    // Writes chapter.tex, figures.mk, provenance.json, then stats.json.
    void finish();

private:
    void record_verdict(const std::string& name, const std::string& test, const nlohmann::json& compared,
                        const nlohmann::json& outcome);

    const Manifest& manifest_;
    const ChapterDecl& chapter_;
    config::Values flags_;
    fs::path out_;
    std::vector<std::string> streams_;
    std::map<std::string, std::unique_ptr<model::Trained>> models_;
    std::vector<std::pair<std::string, std::vector<std::string>>> figures_;
    std::vector<std::string> animations_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace flow::exercise

// In a chapter file: FLOWREPORT_CHAPTER("<exercise>", "<chapter id>", flags or nullptr, run).
// The flag's name carries a counter, so that chapters compiled as one unit (a unity build)
// do not collide.
#define FLOWREPORT_CONCAT_(a, b) a##b
#define FLOWREPORT_CONCAT(a, b) FLOWREPORT_CONCAT_(a, b)
#define FLOWREPORT_CHAPTER(exercise_, id_, flags_, run_)                                      \
    namespace {                                                                               \
    [[maybe_unused]] const bool FLOWREPORT_CONCAT(flowreport_registered_, __COUNTER__) =      \
        ::flow::exercise::register_chapter({exercise_, id_, flags_, run_});                   \
    }
