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
}  // namespace

std::string provenance_tex(const std::vector<std::filesystem::path>& chapter_dirs,
                           const std::string& git_state, const std::string& toolchain) {
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
    out << "\n\\paragraph{Chapters.} Wall time, seed and every flag value of each chapter "
           "(total "
        << fmt::format("{:.2f}", total) << "\\,s).\n"
        << "\\begin{description}\\sloppy\n"
        << chapters.str() << "\\end{description}\n";

    out << "\n\\paragraph{Libraries and tools.}\n\n{\\small\\begin{tabular}{@{}ll@{}}\n";
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
