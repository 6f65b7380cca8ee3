#include "report_checks.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace flow::test {

namespace fs = std::filesystem;

std::vector<Tolerance> read_tolerances(const nlohmann::json& j) {
    std::vector<Tolerance> rules;
    for (const auto& r : j.at("rules")) {
        Tolerance t;
        t.match = r.at("match").get<std::string>();
        t.pattern = std::regex(t.match);
        t.ignore = r.value("ignore", false);
        t.clock = r.value("clock", false);
        if (t.clock && !t.ignore) throw std::runtime_error("tolerance rule '" + t.match + "' is a clock's but not ignored");
        t.abs = r.value("abs", 0.0);
        t.rel = r.value("rel", 0.0);
        t.why = r.at("why").get<std::string>();
        if (t.why.empty()) throw std::runtime_error("tolerance rule '" + t.match + "' does not say why");
        rules.push_back(t);
    }
    return rules;
}

std::vector<std::pair<std::string, nlohmann::json>> leaves(const nlohmann::json& j, const std::string& root) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            auto sub = leaves(it.value(), root + "/" + it.key());
            out.insert(out.end(), sub.begin(), sub.end());
        }
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto sub = leaves(j[i], root + "/" + std::to_string(i));
            out.insert(out.end(), sub.begin(), sub.end());
        }
    } else {
        out.push_back({root, j});
    }
    return out;
}

namespace {

const Tolerance* rule_for(const std::string& path, const std::vector<Tolerance>& rules) {
    for (const auto& r : rules)
        if (std::regex_match(path, r.pattern)) return &r;
    return nullptr;
}

std::string shown(const nlohmann::json& v) {
    if (v.is_number_float()) return fmt::format("{:.10g}", v.get<double>());
    return v.dump();
}

}  // namespace

std::vector<std::string> compare_to_golden(const std::string& chapter, const nlohmann::json& expected,
                                           const nlohmann::json& actual, const std::vector<Tolerance>& rules) {
    std::vector<std::string> problems;
    std::map<std::string, nlohmann::json> got;
    for (auto& [p, v] : leaves(actual, chapter)) got[p] = v;
    const auto wanted = leaves(expected, chapter);
    std::set<std::string> known;
    for (const auto& [path, want] : wanted) {
        known.insert(path);
        const Tolerance* r = rule_for(path, rules);
        if (r && r->ignore) continue;
        const auto it = got.find(path);
        if (it == got.end()) {
            problems.push_back(fmt::format("{}: missing (expected {})", path, shown(want)));
            continue;
        }
        const auto& have = it->second;
        if (want.is_number() && have.is_number()) {
            if (!r) {
                problems.push_back(fmt::format("{}: no tolerance rule matches this statistic", path));
                continue;
            }
            const double e = want.get<double>(), a = have.get<double>();
            const double allowed = r->abs + r->rel * std::fabs(e);
            if (!std::isfinite(a) || std::fabs(a - e) > allowed)
                problems.push_back(fmt::format("{}: expected {}, got {} (|difference| {:.3g} > allowed {:.3g}: {})",
                                               path, shown(want), shown(have), std::fabs(a - e), allowed, r->why));
        } else if (want != have) {
            problems.push_back(fmt::format("{}: expected {}, got {}", path, shown(want), shown(have)));
        }
    }
    // A statistic the golden file does not know is a change too: the golden set is stale.
    for (const auto& [p, v] : got)
        if (!known.count(p)) {
            const Tolerance* r = rule_for(p, rules);
            if (!(r && r->ignore))
                problems.push_back(fmt::format("{}: new statistic {} not in the golden set "
                                               "(refresh it with make golden-update)", p, shown(v)));
        }
    return problems;
}

std::vector<std::string> compare_same(const std::string& chapter, const nlohmann::json& expected,
                                      const nlohmann::json& actual, const std::vector<Tolerance>& rules) {
    std::vector<std::string> problems;
    std::map<std::string, nlohmann::json> want, have;
    for (auto& [p, v] : leaves(expected, chapter)) want[p] = v;
    for (auto& [p, v] : leaves(actual, chapter)) have[p] = v;
    for (const auto& [path, w] : want) {
        const auto it = have.find(path);
        if (it == have.end()) {
            problems.push_back(fmt::format("{}: missing (expected {})", path, shown(w)));
            continue;
        }
        const Tolerance* r = rule_for(path, rules);
        if (r && r->clock) continue;
        if (it->second != w)
            problems.push_back(fmt::format("{}: expected {}, got {}", path, shown(w), shown(it->second)));
    }
    for (const auto& [path, v] : have)
        if (!want.count(path)) problems.push_back(fmt::format("{}: not in the other run ({})", path, shown(v)));
    return problems;
}

namespace {

void check_numbers(const std::string& chapter, const nlohmann::json& stats, std::vector<std::string>& out) {
    for (const auto& [path, v] : leaves(stats, chapter)) {
        // nlohmann::json writes a NaN or an infinity as null.
        if (v.is_null() || (v.is_number_float() && !std::isfinite(v.get<double>())))
            out.push_back(path + ": not a finite number (" + v.dump() + ")");
        const auto leaf = path.substr(path.rfind('/') + 1);
        const bool share = leaf.rfind("share", 0) == 0 || path.find("/share_per_ring/") != std::string::npos;
        if (share && v.is_number() && !(v.get<double>() >= 0.0 && v.get<double>() <= 1.0))
            out.push_back(fmt::format("{}: a share of {} is outside [0, 1]", path, shown(v)));
        if (leaf == "count" && !(v.is_number_integer() && v.get<long long>() > 0))
            out.push_back(fmt::format("{}: a count of {} is not a positive whole number", path, shown(v)));
    }
}

// Every object with a "cov" member: a symmetric 2x2 matrix with non-negative variances.
void check_covariances(const std::string& path, const nlohmann::json& j, std::vector<std::string>& out) {
    if (j.is_object()) {
        if (j.contains("cov")) {
            const auto& c = j["cov"];
            const bool shape = c.is_array() && c.size() == 2 && c[0].size() == 2 && c[1].size() == 2;
            if (!shape)
                out.push_back(path + "/cov: not a 2x2 matrix");
            else if (!(c[0][0].get<double>() >= 0 && c[1][1].get<double>() >= 0) ||
                     std::fabs(c[0][1].get<double>() - c[1][0].get<double>()) > 1e-12)
                out.push_back(path + "/cov: not symmetric with non-negative variances: " + c.dump());
        }
        for (auto it = j.begin(); it != j.end(); ++it) check_covariances(path + "/" + it.key(), it.value(), out);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) check_covariances(path + "/" + std::to_string(i), j[i], out);
    }
}

std::size_t data_rows(const fs::path& dat) {
    std::ifstream in(dat);
    std::string line;
    std::size_t rows = 0;
    bool header = true;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (header) {
            header = false;
            continue;
        }
        ++rows;
    }
    return rows;
}

}  // namespace

std::vector<std::string> sanity_problems(const fs::path& chapter_dir, const fs::path& figures_dir) {
    std::vector<std::string> out;
    const std::string chapter = chapter_dir.filename().string();
    const fs::path stats_path = chapter_dir / "stats.json";
    if (!fs::exists(stats_path)) return {chapter + ": no stats.json"};
    nlohmann::json stats;
    try {
        std::ifstream in(stats_path);
        stats = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        return {chapter + ": stats.json does not parse: " + e.what()};
    }
    check_numbers(chapter, stats, out);
    check_covariances(chapter, stats, out);
    for (const char* f : {"chapter.tex", "figures.mk", "provenance.json"})
        if (!fs::exists(chapter_dir / f) || fs::file_size(chapter_dir / f) == 0)
            out.push_back(fmt::format("{}: {} is missing or empty", chapter, f));

    // The figures the chapter lists (FIGURES_<exercise>/<id> := name ...), each compiled
    // to figures/<exercise>/<id>-<name>.pdf.
    const std::string exercise = chapter_dir.parent_path().filename().string();
    std::ifstream mk(chapter_dir / "figures.mk");
    std::vector<std::string> mk_lines;
    for (std::string line; std::getline(mk, line);) mk_lines.push_back(line);
    // The value of "<name>_<exercise>/<chapter> := ..." in figures.mk.
    const auto listed = [&](const std::string& name) {
        const std::string key = name + "_" + exercise + "/" + chapter + " :=";
        std::string value;
        for (const auto& line : mk_lines)
            if (line.rfind(key, 0) == 0) value = line.substr(key.size());
        return value;
    };
    std::istringstream names(listed("FIGURES"));
    std::string name;
    std::size_t n = 0;
    while (names >> name) {
        ++n;
        const std::string file = chapter + "-" + name + ".pdf";
        if (!fs::exists(figures_dir / file) || fs::file_size(figures_dir / file) == 0)
            out.push_back(fmt::format("{}: figure {} was not built ({})", chapter, name, (figures_dir / file).string()));
        if (!fs::exists(chapter_dir / (name + ".tex")))
            out.push_back(fmt::format("{}: figure {} has no {}.tex", chapter, name, name));
        // A cloud's statistics count the points its .dat file draws.
        if (stats.contains("figures") && stats["figures"].contains(name)) {
            const auto& fig = stats["figures"][name];
            if (fig.contains("count") && fig.contains("mean") && fs::exists(chapter_dir / (name + ".dat"))) {
                const std::size_t rows = data_rows(chapter_dir / (name + ".dat"));
                if (rows != fig["count"].get<std::size_t>())
                    out.push_back(fmt::format("{}: figure {} draws {} points, its statistics count {}", chapter,
                                              name, rows, fig["count"].get<std::size_t>()));
            }
        }
    }
    // Every figure the chapter's text includes is one it lists (a chapter of tables and text lists none).
    std::ifstream tex_in(chapter_dir / "chapter.tex");
    const std::string tex((std::istreambuf_iterator<char>(tex_in)), std::istreambuf_iterator<char>());
    const std::string prefix = "figures/" + exercise + "/" + chapter + "-";
    for (std::size_t at = tex.find(prefix); at != std::string::npos; at = tex.find(prefix, at + 1)) {
        const std::size_t end = tex.find(".pdf", at);
        const std::string used = tex.substr(at + prefix.size(), end - at - prefix.size());
        if (!fs::exists(figures_dir / (chapter + "-" + used + ".pdf")))
            out.push_back(fmt::format("{}: the text includes figure {}, which was not built", chapter, used));
    }
    if (n == 0 && tex.find("\\includegraphics") != std::string::npos)
        out.push_back(chapter + ": the text includes figures, but figures.mk lists none");
    // The animations it lists (ANIMATIONS_<exercise>/<id> := name ...), copied beside the PDF
    // as report/<exercise>-gifs/<id>-<name>.gif: GIF files.
    std::istringstream anim_names(listed("ANIMATIONS"));
    const fs::path gifs = figures_dir.parent_path().parent_path() / "report" / (exercise + "-gifs");
    while (anim_names >> name) {
        const fs::path gif = gifs / (chapter + "-" + name + ".gif");
        std::ifstream in(gif, std::ios::binary);
        std::string head(6, '\0');
        if (!in || !in.read(head.data(), 6) || head != "GIF89a")
            out.push_back(fmt::format("{}: animation {} is not a GIF at {}", chapter, name, gif.string()));
    }
    return out;
}

}  // namespace flow::test
