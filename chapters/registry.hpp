#pragma once
// The chapters: one per exercise question, in the report's order, and the context a
// chapter runs in (its flags, its random streams, and the files it writes).
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "core/rng.hpp"

namespace flow::chapters {

namespace fs = std::filesystem;

class Context;

struct Chapter {
    std::string id;       // stable; the output folder's name
    std::string heading;  // the report heading that names the question
    std::string model;    // "nf", "fm", "cfm", or "" for none
    std::vector<config::FlagSpec> (*flags)();
    void (*run)(Context&);  // nullptr: not written yet
};

// Every chapter id of DESIGN.md, in the report's order.
const std::vector<Chapter>& all();
const Chapter* find(const std::string& id);
// The flags a chapter accepts: --seed and --out, then its own.
std::vector<config::FlagSpec> chapter_flags(const Chapter& c);

// A chapter writes only into its output folder, every file atomically. stats.json is
// written last: its presence marks a finished chapter.
class Context {
public:
    Context(const Chapter& chapter, config::Values flags);

    const Chapter& chapter() const { return chapter_; }
    const config::Values& flags() const { return flags_; }
    const fs::path& out() const { return out_; }

    // A random generator for a named stream of this run's seed; the name is recorded.
    Rng rng(const std::string& stream);

    // A figure: its pgfplots source (a tikzpicture) and the data files it reads,
    // given as (file name, content). Compiled to figures/<chapter>-<name>.pdf.
    void figure(const std::string& name, const std::string& tikz,
                const std::vector<std::pair<std::string, std::string>>& data);
    // The LaTeX path of a figure's PDF for \includegraphics.
    std::string figure_pdf(const std::string& name) const;

    nlohmann::json stats = nlohmann::json::object();  // the numbers behind the figures
    std::string text;                                  // chapter.tex

    // Writes chapter.tex, figures.mk, provenance.json, then stats.json.
    void finish();

private:
    const Chapter& chapter_;
    config::Values flags_;
    fs::path out_;
    std::vector<std::string> streams_;
    std::vector<std::pair<std::string, std::vector<std::string>>> figures_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace flow::chapters
