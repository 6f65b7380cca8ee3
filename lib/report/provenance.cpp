#include "report/provenance.hpp"

#include <sstream>

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

StageTimes StageTimes::read(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    StageTimes t;
    t.build = span(dir / "build.txt");
    for (const char* m : {"nf", "fm", "cfm"}) {
        std::string checkpoint;
        const double s = span(dir / (std::string("model-") + m + ".txt"), &checkpoint);
        if (s < 0) continue;
        Model mm{m, s, -1.0};
        if (!checkpoint.empty() && fs::exists(fs::path(checkpoint) / "data.json"))
            mm.train_seconds = nlohmann::json::parse(read_file(fs::path(checkpoint) / "data.json"))
                                   .at("train_seconds").get<double>();
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

std::string provenance_tex(const std::vector<std::filesystem::path>& chapter_dirs,
                           const std::string& git_state, const std::string& toolchain,
                           const StageTimes& times) {
    std::istringstream git(git_state);
    std::string commit, dirty;
    std::getline(git, commit);
    std::getline(git, dirty);
    std::ostringstream out;
    out << "\\section{Provenance of this run}\\label{sec:provenance}\n";
    out << "Every number and figure in this report was produced by the run described here.\n\n";
    out << "\\paragraph{Source.} Commit " << texttt(commit.empty() ? "unknown" : commit);
    if (dirty == "0")
        out << ", working tree clean.\n";
    else if (dirty.empty())
        out << ", working tree state unknown.\n";
    else
        out << ", with " << tex_escape(dirty)
            << " uncommitted change(s) in the working tree (the run does not match the commit "
               "exactly).\n";

    nlohmann::json versions;
    std::ostringstream chapters;
    double total = 0.0;
    for (const auto& dir : chapter_dirs) {
        const auto p = nlohmann::json::parse(read_file(dir / "provenance.json"));
        if (versions.is_null()) versions = p.at("versions");
        const double wall = p.at("wall_seconds").get<double>();
        total += wall;
        std::string flags;
        for (const auto& [k, v] : p.at("flags").items())
            flags += (flags.empty() ? "" : " ") + ("--" + k + "=" + v.get<std::string>());
        std::string streams;
        for (const auto& s : p.at("streams"))
            streams += (streams.empty() ? "" : ", ") + s.get<std::string>();
        chapters << "\\item[" << texttt(p.at("chapter").get<std::string>()) << "] "
                 << fmt::format("{:.2f}", wall) << "\\,s; seed " << texttt(p.at("seed").get<std::string>())
                 << " (streams: " << tex_escape(streams.empty() ? "none" : streams) << ");\\\\\n"
                 << "flags: {\\small" << texttt(flags) << "}\n";
    }
    // Wall time per stage, each as the step that made this report's file last ran.
    out << "\n\\paragraph{Wall time per stage.} Each stage as it last ran to produce this "
           "report (a stage that was up to date kept its earlier output and its time); under "
           "\\texttt{make -j2} stages overlap.\n\\begin{itemize}\\itemsep0pt\n";
    if (times.build >= 0) out << "\\item build of the driver: " << seconds(times.build) << "\n";
    for (const auto& m : times.models) {
        out << "\\item model " << texttt(m.name) << ": " << seconds(m.seconds);
        if (m.train_seconds >= 0 && m.train_seconds <= m.seconds)
            out << ", of which training " << seconds(m.train_seconds);
        else if (m.train_seconds >= 0)
            out << ", its checkpoint reused (trained earlier in " << seconds(m.train_seconds) << ")";
        out << "\n";
    }
    out << "\\item chapters: " << seconds(total) << " in all, each listed below\n";
    if (times.figure_count > 0)
        out << "\\item figures: " << times.figure_count << " compiled, " << seconds(times.figures)
            << " in all\n";
    if (times.latex >= 0)
        out << "\\item LaTeX, the previous typesetting of this document: " << seconds(times.latex)
            << " (this one's is not known while it runs; \\texttt{make report} prints it)\n";
    out << "\\end{itemize}\n";

    out << "\n\\paragraph{Chapters.} Wall time, seed and every flag value of each chapter "
           "(total "
        << fmt::format("{:.2f}", total) << "\\,s).\n"
        << "\\begin{description}\\sloppy\n"
        << chapters.str() << "\\end{description}\n";

    // The table under its heading, not beside it, and long version strings wrapped
    // within the margin.
    out << "\n\\paragraph{Libraries and tools.}\\mbox{}\n\n"
           "{\\small\\begin{tabular}{@{}l>{\\raggedright\\arraybackslash}p{12cm}@{}}\n";
    if (!versions.is_null())
        for (const auto& [k, v] : versions.items())
            out << tex_escape(k) << " & " << texttt(v.get<std::string>()) << "\\\\\n";
    std::istringstream tools(toolchain);
    for (std::string line; std::getline(tools, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        out << tex_escape(line.substr(0, colon)) << " & "
            << texttt(line.substr(colon + 1 + (line.size() > colon + 1 && line[colon + 1] == ' ')))
            << "\\\\\n";
    }
    out << "\\end{tabular}}\n";
    return out.str();
}

}  // namespace flow::report
