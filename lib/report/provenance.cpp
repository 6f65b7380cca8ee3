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
// The same, with a permitted line break after every '/' and ',' (paths and point lists
// can be longer than a line).
std::string breakable_tt(const std::string& s) {
    std::string out;
    for (char c : s) {
        out += tex_escape(std::string(1, c));
        if (c == '/' || c == ',') out += "\\allowbreak{}";
    }
    return "\\texttt{" + out + "}";
}

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

std::string source_paragraph(const std::string& git_state) {
    std::istringstream git(git_state);
    std::string commit, dirty;
    std::getline(git, commit);
    std::getline(git, dirty);
    std::string out = "\\paragraph{Source.} Commit " + texttt(commit.empty() ? "unknown" : commit);
    if (dirty == "0") return out + ", working tree clean.\n";
    if (dirty.empty()) return out + ", working tree state unknown.\n";
    return out + ", with " + tex_escape(dirty) +
           " uncommitted change(s) in the working tree (the run does not match the commit exactly).\n";
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

// Wall time per stage, each as the step that made this report's file last ran.
std::string stages_paragraph(const StageTimes& times, double chapters_total) {
    std::vector<std::string> stages;
    if (times.build >= 0) stages.push_back("build of the driver " + seconds(times.build));
    for (const auto& m : times.models) {
        std::string s = "model " + texttt(m.name) + " " + seconds(m.seconds);
        if (m.train_seconds >= 0 && m.train_seconds <= m.seconds)
            s += " (training " + seconds(m.train_seconds) + ")";
        else if (m.train_seconds >= 0)
            s += " (checkpoint reused, trained earlier in " + seconds(m.train_seconds) + ")";
        stages.push_back(s);
    }
    stages.push_back("chapters " + seconds(chapters_total) + " in all");
    if (times.figure_count > 0)
        stages.push_back(fmt::format("{} figures {} in all", times.figure_count, seconds(times.figures)));
    if (times.latex >= 0)
        stages.push_back("LaTeX, the previous typesetting of this document, " + seconds(times.latex) +
                         " (this one's is not known while it runs; \\texttt{make report} prints it)");
    std::string out = "\\paragraph{Wall time per stage} (each as it last ran to produce this report; a stage "
                      "that was up to date kept its earlier output and time; under \\texttt{make -j2} stages "
                      "overlap):";
    for (std::size_t i = 0; i < stages.size(); ++i) out += (i ? "; " : " ") + stages[i];
    return out + ".\n";
}

// The models: what each checkpoint was trained with.
std::string models_paragraph(const StageTimes& times) {
    if (std::none_of(times.models.begin(), times.models.end(), [](const auto& m) { return !m.settings.empty(); }))
        return "";
    std::string out = "\\paragraph{Models} (each checkpoint's configuration, which its folder name hashes; every "
                      "one trained with Adam, its rate cosine-annealed to 0 over the run):\n"
                      "{\\small\\begin{itemize}\\itemsep0pt\\sloppy\n";
    for (const auto& m : times.models) {
        if (m.settings.empty()) continue;
        std::string values;
        for (const auto& v : m.settings) values += (values.empty() ? "" : " ") + breakable_tt(v);
        out += "\\item " + texttt(m.name) + " (" + texttt(m.checkpoint) + "): " + values + "\n";
    }
    return out + "\\end{itemize}}\n";
}

// Flags, each value once, with the chapters that share it.
std::string flags_paragraph(const ChapterRecords& r) {
    std::string out = "\\paragraph{Flags.} Each line gives flag values and the chapters that share exactly them";
    if (r.own_folders)
        out += "; every chapter writes to its own folder, " + breakable_tt("--out=" + r.folders + "/<id>");
    out += ".\n{\\small\\begin{itemize}\\itemsep0pt\\sloppy\n";
    for (const auto& b : flag_blocks(r.flags)) {
        std::string who;
        if (b.chapters.size() == r.flags.size()) {
            who = "every chapter";
        } else {
            for (const auto& c : b.chapters) who += (who.empty() ? "" : ", ") + texttt(c);
        }
        std::string values;
        for (const auto& f : b.flags) values += (values.empty() ? "" : " ") + breakable_tt("--" + f);
        out += "\\item " + who + ": " + values + "\n";
    }
    return out + "\\end{itemize}}\n";
}

// Chapters: wall time and random streams, as one paragraph that wraps.
std::string chapters_paragraph(const ChapterRecords& r) {
    std::string out = "\\paragraph{Chapters} (wall time; random streams of the seed): {\\small\\sloppy ";
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        const auto& [id, wall, streams] = r.rows[i];
        out += (i ? "; " : "") + texttt(id) + fmt::format(" {:.2f}\\,s (", wall) + tex_escape(streams) + ")";
    }
    // The paragraph ends inside the group: TeX breaks a paragraph into lines at \par,
    // with the tolerance in force there, so \sloppy must still hold.
    return out + ".\\par}\n";
}

// Libraries and tools, in one paragraph.
std::string tools_paragraph(const nlohmann::json& versions, const std::string& toolchain) {
    std::vector<std::string> libs;
    if (!versions.is_null())
        for (const auto& [k, v] : versions.items()) libs.push_back(tex_escape(k) + " " + texttt(v.get<std::string>()));
    std::istringstream tools(toolchain);
    for (std::string line; std::getline(tools, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        libs.push_back(tex_escape(line.substr(0, colon)) + " " +
                       texttt(line.substr(colon + 1 + (line.size() > colon + 1 && line[colon + 1] == ' '))));
    }
    std::string out = "\\paragraph{Libraries and tools.} {\\small\\sloppy ";
    for (std::size_t i = 0; i < libs.size(); ++i) out += (i ? "; " : "") + libs[i];
    return out + ".\\par}\n";
}

}  // namespace

std::string provenance_tex(const std::vector<std::filesystem::path>& chapter_dirs,
                           const std::string& git_state, const std::string& toolchain,
                           const StageTimes& times) {
    const ChapterRecords r = read_chapters(chapter_dirs);
    return "\\section{Provenance of this run}\\label{sec:provenance}\n"
           "Every number and figure in this report was produced by the run described here; each "
           "chapter's folder keeps the full record in \\texttt{provenance.json}.\n" +
           source_paragraph(git_state) + stages_paragraph(times, r.total) + models_paragraph(times) +
           flags_paragraph(r) + chapters_paragraph(r) + tools_paragraph(r.versions, toolchain);
}

}  // namespace flow::report
