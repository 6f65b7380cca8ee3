#pragma once
// Where a run came from: library versions, flags, seeds, wall times, and the git state,
// gathered into the report's short appendix and its companion file.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flow::report {

// Versions of the compiler and every library linked into the driver.
nlohmann::json library_versions();

// Wall times of an exercise's stages, as Makefile.report records them in
// build/timing/<exercise>/ (the driver's build one folder up, in build.txt): each file
// holds "start end" in seconds since the epoch, a model's file (model-<name>.txt) also
// its checkpoint folder. A stage with no file has not run (negative seconds).
struct StageTimes {
    double build = -1.0;                  // compiling the driver (when it changed)
    struct Model {
        std::string name;
        double seconds = -1.0;            // the make step: training, or loading the checkpoint
        double train_seconds = -1.0;      // the checkpoint's own training time
        std::string checkpoint;           // its folder's name (kind-hash)
        // What determines its weights (the checkpoint's configuration), "name=value" by
        // name, without the constant parts (kind, code version, optimiser, schedule).
        std::vector<std::string> settings;
    };
    std::vector<Model> models;
    double figures = -1.0;                // all figures' compile times, summed
    std::size_t figure_count = 0;
    double latex = -1.0;                  // the previous typesetting of the document

    static StageTimes read(const std::filesystem::path& timing_dir, const std::vector<std::string>& models);
};

// Flag values grouped by the chapters that share them, so that each value is stated
// once: a block is the set of chapters (in report order) that have exactly these
// name=value pairs. Blocks come widest first, then in report order.
struct FlagBlock {
    std::vector<std::string> chapters;
    std::vector<std::string> flags;  // "name=value", by name
};
std::vector<FlagBlock> flag_blocks(
    const std::vector<std::pair<std::string, std::map<std::string, std::string>>>& chapter_flags);

// The full record, as the Markdown companion file beside the PDF: from each chapter
// folder's provenance.json (in report order), the git state (`git.txt`: commit, then the
// number of uncommitted changes), the tool chain's description (`toolchain.txt`, one
// tool a line) and the stage times: the source, every stage's wall time, each model's
// configuration, the flags (each value once), each chapter's time and random streams, and
// the libraries' versions.
std::string provenance_markdown(const std::string& title, const std::vector<std::filesystem::path>& chapter_dirs,
                                const std::string& git_state, const std::string& toolchain,
                                const StageTimes& times = {});

// The PDF's appendix, a few lines: the command, the commit, the seed, the wall times of
// training, computation and figures, and the companion file's name for the rest.
std::string provenance_tex(const std::vector<std::filesystem::path>& chapter_dirs, const std::string& git_state,
                           const StageTimes& times, const std::string& companion, bool heading = true);

}  // namespace flow::report
