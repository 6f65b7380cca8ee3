#include "report/provenance.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include <boost/version.hpp>
#include <fmt/format.h>
#include <xtensor-blas/xblas_config.hpp>
#include <xtensor/xtensor_config.hpp>
#include <xtl/xtl_config.hpp>

#include "core/files.hpp"
#include "nn/blas.hpp"
#include "report/latex.hpp"

namespace flow::report {

nlohmann::json library_versions() {
    return {
        {"compiler", FLOWREPORT_COMPILER},
        {"build type", FLOWREPORT_BUILD_TYPE},
        {"xtensor", fmt::format("{}.{}.{}", XTENSOR_VERSION_MAJOR, XTENSOR_VERSION_MINOR,
                                XTENSOR_VERSION_PATCH)},
        {"xtl", fmt::format("{}.{}.{}", XTL_VERSION_MAJOR, XTL_VERSION_MINOR, XTL_VERSION_PATCH)},
        {"xtensor-blas", fmt::format("{}.{}.{}", XTENSOR_BLAS_VERSION_MAJOR,
                                     XTENSOR_BLAS_VERSION_MINOR, XTENSOR_BLAS_VERSION_PATCH)},
        {"OpenBLAS", nn::blas_config()},
        {"Boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                              BOOST_VERSION % 100)},
        {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100,
                            FMT_VERSION % 100)},
        {"nlohmann-json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                      NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
    };
}

namespace {
std::string texttt(const std::string& s) { return "\\texttt{" + tex_escape(s) + "}"; }
// "start end [rest]" -> end - start (negative when the file is missing or unreadable).
double span(const std::filesystem::path& f, std::string* rest = nullptr) {
    if (!std::filesystem::exists(f)) return -1.0;
    std::istringstream in(read_file(f));
    double a = 0, b = 0;
    if (!(in >> a >> b)) return -1.0;
    if (rest) {
        in >> std::ws;
        std::getline(in, *rest);
    }
    return b - a;
}

std::string seconds(double s) { return fmt::format("{:.1f}\\,s", s); }
}  // namespace

StageTimes StageTimes::read(const std::filesystem::path& dir, const std::vector<std::string>& models) {
    namespace fs = std::filesystem;
    StageTimes t;
    t.build = span(dir.parent_path() / "build.txt");
    for (const auto& m : models) {
        std::string checkpoint;
        const double s = span(dir / ("model-" + m + ".txt"), &checkpoint);
        if (s < 0) continue;
        Model mm{m, s, -1.0, {}, {}};
        const fs::path ck(checkpoint);
        if (!checkpoint.empty() && fs::exists(ck / "data.json"))
            mm.train_seconds = nlohmann::json::parse(read_file(ck / "data.json")).at("train_seconds").get<double>();
        if (!checkpoint.empty() && fs::exists(ck / "model.json")) {
            mm.checkpoint = ck.filename().string();
            const auto model = nlohmann::json::parse(read_file(ck / "model.json"));  // alive through the loop
            for (const auto& [k, v] : model.at("config").items())
                if (k != "model" && k != "code_version" && k != "optimizer" && k != "schedule")
                    mm.settings.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
        }
        t.models.push_back(mm);
    }
    if (fs::is_directory(dir / "figures"))
        for (const auto& e : fs::directory_iterator(dir / "figures")) {
            const double s = span(e.path());
            if (s < 0) continue;
            t.figures = std::max(t.figures, 0.0) + s;
            ++t.figure_count;
        }
    t.latex = span(dir / "latex.txt");
    return t;
}

std::vector<FlagBlock> flag_blocks(
    const std::vector<std::pair<std::string, std::map<std::string, std::string>>>& chapter_flags) {
    // Every name=value pair, and the chapters (by index) that have it.
    std::map<std::string, std::vector<std::size_t>> holders;
    for (std::size_t c = 0; c < chapter_flags.size(); ++c)
        for (const auto& [k, v] : chapter_flags[c].second) holders[k + "=" + v].push_back(c);
    std::map<std::vector<std::size_t>, std::vector<std::string>> by_set;
    for (const auto& [pair, chapters] : holders) by_set[chapters].push_back(pair);
    std::vector<std::pair<std::vector<std::size_t>, std::vector<std::string>>> blocks(by_set.begin(), by_set.end());
    std::stable_sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) {
        return a.first.size() != b.first.size() ? a.first.size() > b.first.size() : a.first < b.first;
    });
    std::vector<FlagBlock> out;
    for (const auto& [chapters, flags] : blocks) {
        FlagBlock b;
        for (std::size_t c : chapters) b.chapters.push_back(chapter_flags[c].first);
        b.flags = flags;
        out.push_back(b);
    }
    return out;
}

namespace {

// The git state file: the commit, then the number of uncommitted changes.
std::pair<std::string, std::string> git_of(const std::string& git_state) {
    std::istringstream git(git_state);
    std::string commit, dirty;
    std::getline(git, commit);
    std::getline(git, dirty);
    return {commit, dirty};
}

// What the chapters' provenance.json files record.
struct ChapterRecords {
    nlohmann::json versions;  // the libraries', from the first chapter
    std::vector<std::pair<std::string, std::map<std::string, std::string>>> flags;  // id, flags
    std::vector<std::tuple<std::string, double, std::string>> rows;  // id, wall time, streams
    bool own_folders = true;  // every --out is <folders>/<id>, and is left out of flags
    std::string folders;
    double total = 0.0;       // wall time of every chapter
};

ChapterRecords read_chapters(const std::vector<std::filesystem::path>& chapter_dirs) {
    ChapterRecords r;
    for (const auto& dir : chapter_dirs) {
        const auto p = nlohmann::json::parse(read_file(dir / "provenance.json"));
        if (r.versions.is_null()) r.versions = p.at("versions");
        const std::string id = p.at("chapter").get<std::string>();
        const double wall = p.at("wall_seconds").get<double>();
        r.total += wall;
        std::map<std::string, std::string> f;
        for (const auto& [k, v] : p.at("flags").items()) f[k] = v.get<std::string>();
        // --out is the chapter's own folder whenever it ends in the chapter's id.
        const std::string out_dir = f.count("out") ? f["out"] : "";
        const std::string parent = std::filesystem::path(out_dir).parent_path().string();
        if (std::filesystem::path(out_dir).filename() == id && (r.folders.empty() || r.folders == parent)) {
            f.erase("out");
            r.folders = parent;
        } else {
            r.own_folders = false;
        }
        r.flags.emplace_back(id, f);
        std::string streams;
        for (const auto& s : p.at("streams")) streams += (streams.empty() ? "" : ", ") + s.get<std::string>();
        r.rows.emplace_back(id, wall, streams.empty() ? "none" : streams);
    }
    return r;
}

// The companion file is Markdown: `code`, seconds as "1.5 s".
std::string code(const std::string& s) { return "`" + s + "`"; }
std::string secs(double s) { return fmt::format("{:.1f} s", s); }

std::string source_markdown(const std::string& git_state) {
    const auto [commit, dirty] = git_of(git_state);
    std::string out = "## Source\n\nCommit " + code(commit.empty() ? "unknown" : commit);
    if (dirty == "0") return out + ", working tree clean.\n\n";
    if (dirty.empty()) return out + ", working tree state unknown.\n\n";
    return out + ", with " + dirty + " uncommitted change(s) in the working tree (the run does not match the "
                                     "commit exactly).\n\n";
}

// Wall time per stage, each as the step that made this report's file last ran.
std::string stages_markdown(const StageTimes& times, double chapters_total) {
    std::string out = "## Wall time per stage\n\nEach as it last ran to produce this report; a stage that was up to "
                      "date kept its earlier output and time; under `make -j2` stages overlap.\n\n";
    if (times.build >= 0) out += "- build of the driver: " + secs(times.build) + "\n";
    for (const auto& m : times.models) {
        out += "- model " + code(m.name) + ": " + secs(m.seconds);
        if (m.train_seconds >= 0 && m.train_seconds <= m.seconds)
            out += " (training " + secs(m.train_seconds) + ")";
        else if (m.train_seconds >= 0)
            out += " (checkpoint reused, trained earlier in " + secs(m.train_seconds) + ")";
        out += "\n";
    }
    out += "- chapters: " + secs(chapters_total) + " in all\n";
    if (times.figure_count > 0)
        out += fmt::format("- {} figures: {} in all\n", times.figure_count, secs(times.figures));
    if (times.latex >= 0)
        out += "- LaTeX, the previous typesetting of the document: " + secs(times.latex) +
               " (this one's is not known while it runs; `make report` prints it)\n";
    return out + "\n";
}

// The models: what each checkpoint was trained with.
std::string models_markdown(const StageTimes& times) {
    if (std::none_of(times.models.begin(), times.models.end(), [](const auto& m) { return !m.settings.empty(); }))
        return "";
    std::string out = "## Models\n\nEach checkpoint's configuration, which its folder name hashes; every one "
                      "trained with Adam, its rate cosine-annealed to 0 over the run.\n\n";
    for (const auto& m : times.models) {
        if (m.settings.empty()) continue;
        std::string values;
        for (const auto& v : m.settings) values += (values.empty() ? "" : " ") + code(v);
        out += "- " + code(m.name) + " (" + code(m.checkpoint) + "): " + values + "\n";
    }
    return out + "\n";
}

// Flags, each value once, with the chapters that share it.
std::string flags_markdown(const ChapterRecords& r) {
    std::string out = "## Flags\n\nEach line gives flag values and the chapters that share exactly them";
    if (r.own_folders) out += "; every chapter writes to its own folder, " + code("--out=" + r.folders + "/<id>");
    out += ".\n\n";
    for (const auto& b : flag_blocks(r.flags)) {
        std::string who;
        if (b.chapters.size() == r.flags.size()) {
            who = "every chapter";
        } else {
            for (const auto& c : b.chapters) who += (who.empty() ? "" : ", ") + code(c);
        }
        std::string values;
        for (const auto& f : b.flags) values += (values.empty() ? "" : " ") + code("--" + f);
        out += "- " + who + ": " + values + "\n";
    }
    return out + "\n";
}

// Chapters: wall time and random streams.
std::string chapters_markdown(const ChapterRecords& r) {
    std::string out = "## Chapters\n\n| chapter | wall time | random streams of the seed |\n|---|---:|---|\n";
    for (const auto& [id, wall, streams] : r.rows) out += "| " + code(id) + fmt::format(" | {:.2f} s | ", wall) + streams + " |\n";
    return out + "\n";
}

// Libraries and tools.
std::string tools_markdown(const nlohmann::json& versions, const std::string& toolchain) {
    std::string out = "## Libraries and tools\n\n";
    if (!versions.is_null())
        for (const auto& [k, v] : versions.items()) out += "- " + k + ": " + code(v.get<std::string>()) + "\n";
    std::istringstream tools(toolchain);
    for (std::string line; std::getline(tools, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        out += "- " + line.substr(0, colon) + ": " +
               code(line.substr(colon + 1 + (line.size() > colon + 1 && line[colon + 1] == ' '))) + "\n";
    }
    return out;
}

// The seed every chapter was run with ("" when they differ or none says).
std::string common_seed(const ChapterRecords& r) {
    std::string seed;
    for (const auto& [id, f] : r.flags) {
        const auto it = f.find("seed");
        if (it == f.end() || (!seed.empty() && seed != it->second)) return "";
        seed = it->second;
    }
    return seed;
}

}  // namespace

std::string provenance_markdown(const std::string& title, const std::vector<std::filesystem::path>& chapter_dirs,
                                const std::string& git_state, const std::string& toolchain,
                                const StageTimes& times) {
    const ChapterRecords r = read_chapters(chapter_dirs);
    return "# Provenance of " + title + "\n\nEvery number and figure in the report was produced by the run described "
           "here; each chapter's folder keeps the full record in `provenance.json`.\n\n" +
           source_markdown(git_state) + stages_markdown(times, r.total) + models_markdown(times) +
           flags_markdown(r) + chapters_markdown(r) + tools_markdown(r.versions, toolchain);
}

std::string provenance_tex(const std::vector<std::filesystem::path>& chapter_dirs, const std::string& git_state,
                           const StageTimes& times, const std::string& companion, bool heading) {
    const ChapterRecords r = read_chapters(chapter_dirs);
    const auto [commit, dirty] = git_of(git_state);
    const std::string seed = common_seed(r);
    // The models' own training times, whether trained by this make or earlier (a make that
    // finds a checkpoint only loads it): the cost a reader would pay to reproduce them.
    double models = 0;
    for (const auto& m : times.models) models += std::max(m.train_seconds >= 0 ? m.train_seconds : m.seconds, 0.0);
    // A deck states it on its title slide, without a heading.
    std::string out = std::string(heading ? "\\section{Provenance}\\label{sec:provenance}\n" : "") + "Made by \\texttt{make report} from commit " +
                      texttt(commit.empty() ? "unknown" : commit.substr(0, 12));
    out += dirty == "0" ? " (working tree clean)" : dirty.empty() ? "" : " (with " + tex_escape(dirty) + " uncommitted change(s))";
    if (!r.flags.empty()) out += seed.empty() ? ", with seeds that differ between sections" : ", seed " + tex_escape(seed);
    out += fmt::format("; training the models takes {}, the computations behind the text {}", seconds(models),
                       seconds(r.total));
    if (times.figure_count > 0) out += fmt::format(" and drawing the figures {}", seconds(times.figures));
    out += ". Every setting, model configuration, library version and time is in " + texttt(companion) +
           ", beside this PDF.\n";
    return out;
}

}  // namespace flow::report
