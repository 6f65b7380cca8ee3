#include "exercise/graph.hpp"

#include <fmt/format.h>

namespace flow::exercise {

namespace {
std::string joined(const std::vector<std::string>& w) { return fmt::format("{}", fmt::join(w, " ")); }
}  // namespace

std::string make_graph(const std::vector<Manifest>& manifests) {
    std::string out = "# Written by `flowreport makefile` from the exercises' manifests; do not edit.\n";
    std::vector<std::string> names;
    for (const auto& m : manifests) names.push_back(m.exercise);
    out += "EXERCISES := " + joined(names) + "\n";
    for (const auto& m : manifests) {
        const std::string& e = m.exercise;
        std::vector<std::string> chapters, models;
        for (const auto& c : m.chapters) chapters.push_back(c.id);
        for (const auto& d : m.models) models.push_back(d.name);
        out += fmt::format("\n# {}\nCHAPTERS_{} := {}\nMODELS_{} := {}\nPAGES_{} := {}\n", m.title, e,
                           joined(chapters), e, joined(models), e, m.pages);
        for (const auto& d : m.models) {
            // A fit takes the flags given to its family, as a copy takes its original's.
            const std::string& like = !d.like.empty() ? d.like : !d.family.empty() ? d.family : d.swept;
            if (!like.empty()) out += fmt::format("LIKE_{}/{} := {}\n", e, d.name, like);
            if (!d.base.empty()) out += fmt::format("BASE_{}/{} := {}\n", e, d.name, d.base);
            if (!d.quick.empty()) out += fmt::format("QUICK_{}/{} := {}\n", e, d.name, joined(d.quick));
        }
        for (const auto& c : m.chapters) {
            if (!c.models.empty()) out += fmt::format("USES_{}/{} := {}\n", e, c.id, joined(c.models));
            if (!c.quick.empty()) out += fmt::format("QUICK_{}/{} := {}\n", e, c.id, joined(c.quick));
        }
    }
    return out;
}

}  // namespace flow::exercise
