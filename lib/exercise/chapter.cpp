#include "exercise/chapter.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/files.hpp"
#include "model/registry.hpp"
#include "report/latex.hpp"
#include "report/provenance.hpp"

namespace flow::exercise {

namespace {
std::vector<ChapterCode>& registry() {
    static std::vector<ChapterCode> r;
    return r;
}
}  // namespace

bool register_chapter(const ChapterCode& code) {
    registry().push_back(code);
    return true;
}

const ChapterCode& code_of(const std::string& exercise, const std::string& id) {
    for (const auto& c : registry())
        if (c.exercise == exercise && c.id == id) return c;
    throw std::runtime_error(fmt::format("chapter {} of exercise {} has no code", id, exercise));
}

void check_registry() {
    for (const auto& c : registry()) {
        const Manifest& m = manifest(c.exercise);
        if (!m.chapter(c.id))
            throw std::runtime_error(fmt::format("chapter {} has code but is not in the manifest of {}",
                                                 c.id, c.exercise));
        const auto n = std::count_if(registry().begin(), registry().end(), [&](const ChapterCode& o) {
            return o.exercise == c.exercise && o.id == c.id;
        });
        if (n > 1) throw std::runtime_error(fmt::format("chapter {} of {} is registered twice", c.id, c.exercise));
    }
    for (const auto& m : manifests())
        for (const auto& c : m.chapters) code_of(m.exercise, c.id);
}

fs::path chapter_dir(const std::string& exercise, const std::string& id) {
    return fs::path("build/chapters") / exercise / id;
}

fs::path model_path_file(const std::string& exercise, const std::string& model) {
    return fs::path("build/models") / exercise / (model + ".path");
}

std::vector<config::FlagSpec> chapter_flags(const Manifest& m, const ChapterDecl& c) {
    auto all = config::common_flags(chapter_dir(m.exercise, c.id).string());
    for (const auto& u : c.models)
        all.push_back({"model-" + u, config::Kind::Path, "",
                       fmt::format("checkpoint folder of model {} (default: the one make last trained, "
                                   "named in {})", u, model_path_file(m.exercise, u).string())});
    const auto& code = code_of(m.exercise, c.id);
    if (code.flags) {
        const auto own = code.flags();
        all.insert(all.end(), own.begin(), own.end());
    }
    return all;
}

Context::Context(const Manifest& manifest, const ChapterDecl& chapter, config::Values flags)
    : manifest_(manifest), chapter_(chapter), flags_(std::move(flags)), out_(flags_.path("out")),
      start_(std::chrono::steady_clock::now()) {
    fs::create_directories(out_);
}

model::Trained& Context::load(const std::string& name) {
    auto& slot = models_[name];
    if (!slot) {
        slot = model::kind(manifest_.model(name).kind).load(model_dir(name));
        stats["models"][name] = slot->to_json();
    }
    return *slot;
}

fs::path Context::model_dir(const std::string& name) const {
    if (std::find(chapter_.models.begin(), chapter_.models.end(), name) == chapter_.models.end())
        throw std::logic_error(fmt::format("chapter {} reads model {} but does not declare it", chapter_.id, name));
    const std::string given = flags_.text("model-" + name);
    if (!given.empty()) return given;
    const fs::path file = model_path_file(manifest_.exercise, name);
    if (!fs::exists(file))
        throw config::UsageError(fmt::format("model {} is not trained: give --model-{} or run make "
                                             "(it writes {})", name, name, file.string()));
    std::string dir = read_file(file);
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    return dir;
}

void Context::record_verdict(const std::string& name, const std::string& test, const nlohmann::json& compared,
                             const nlohmann::json& outcome) {
    if (stats["verdicts"].contains(name))
        throw std::logic_error(fmt::format("chapter {} states verdict {} twice", chapter_.id, name));
    stats["verdicts"][name] = {{"test", test}, {"compared", compared}, {"outcome", outcome}};
}

bool Context::verdict(const std::string& name, const std::string& test, const nlohmann::json& compared,
                      bool outcome) {
    record_verdict(name, test, compared, outcome);
    return outcome;
}

std::string Context::verdict(const std::string& name, const std::string& test, const nlohmann::json& compared,
                             const std::string& outcome) {
    record_verdict(name, test, compared, outcome);
    return outcome;
}

std::string Context::claim(const std::string& name, double value, int decimals) {
    stats["claims"][name] = value;
    return report::tex_fixed(value, decimals);
}

Rng Context::shared_rng(const std::string& stream) {
    const std::string name = manifest_.exercise + "/" + stream;
    if (std::find(streams_.begin(), streams_.end(), name) == streams_.end()) streams_.push_back(name);
    return Rng(flags_.seed(), name);
}

Rng Context::rng(const std::string& stream) {
    if (std::find(streams_.begin(), streams_.end(), stream) == streams_.end())
        streams_.push_back(stream);
    return Rng(flags_.seed(), chapter_.id + "/" + stream);
}

void Context::figure(const std::string& name, const std::string& tikz,
                     const std::vector<std::pair<std::string, std::string>>& data) {
    std::vector<std::string> files;
    for (const auto& [file, content] : data) {
        write_atomic(out_ / file, content);
        files.push_back(file);
    }
    write_atomic(out_ / (name + ".tex"), tikz);
    figures_.emplace_back(name, files);
}

void Context::animation(const std::string& name, const std::string& bytes) {
    write_atomic(out_ / (name + ".gif"), bytes);
    animations_.push_back(name);
}

std::string Context::animation_path(const std::string& name) const {
    return "report/" + manifest_.exercise + "-gifs/" + chapter_.id + "-" + name + ".gif";
}

std::string Context::figure_pdf(const std::string& name) const {
    return "figures/" + manifest_.exercise + "/" + chapter_.id + "-" + name + ".pdf";
}

std::string Context::section() const {
    if (manifest_.slides())
        throw std::logic_error("chapter " + chapter_.id + ": a slides exercise's chapter is a slide (Context::slide)");
    return "\\section{" + chapter_.heading + "}\\label{sec:" + chapter_.id + "}\n\n";
}

std::string Context::frame(const std::string& body) const {
    if (!manifest_.slides())
        throw std::logic_error("chapter " + chapter_.id + ": a frame belongs to a slides exercise");
    return "\\begin{frame}{" + chapter_.heading + "}\\label{sec:" + chapter_.id + "}\n" + body + "\\end{frame}\n";
}

std::string Context::slide(const std::string& claim, const std::string& figure,
                           const std::vector<std::string>& evidence) const {
    if (evidence.size() > 2)
        throw std::logic_error("chapter " + chapter_.id + ": a slide holds a claim and at most two lines of evidence");
    std::string body = "\\SlideLine{" + claim + "}\n\\SlideFigure{" + figure + "}\n";
    for (const auto& e : evidence) body += "\\SlideLine{" + e + "}\n";
    return frame(body);
}

std::string Context::figure_float(const std::string& body, const std::string& caption) const {
    return "\\begin{figure}[htbp]\n  \\centering\n" + body + "  \\caption{" + caption +
           "}\n  \\label{fig:" + chapter_.id + "}\n\\end{figure}\n";
}

void Context::finish() {
    const std::string& id = chapter_.id;
    write_atomic(out_ / "chapter.tex", text);

    // The chapter's figures and the data files each reads, for Makefile.report (which
    // holds the rule that compiles them).
    const std::string key = manifest_.exercise + "/" + id;
    std::string mk = fmt::format("# written by flowreport for {}\nFIGURES_{} :=", key, key);
    for (const auto& f : figures_) mk += " " + f.first;
    mk += "\n";
    for (const auto& [name, files] : figures_) {
        mk += fmt::format("FIGURE_DATA_{}/{} :=", key, name);
        for (const auto& f : files) mk += " " + f;
        mk += "\n";
    }
    mk += fmt::format("ANIMATIONS_{} :=", key);
    for (const auto& a : animations_) mk += " " + a;
    mk += "\n";
    write_atomic(out_ / "figures.mk", mk);

    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    nlohmann::json prov = {{"chapter", id},
                           {"flags", flags_.to_json()},
                           {"seed", flags_.text("seed")},
                           {"streams", streams_},
                           {"wall_seconds", wall},
                           {"versions", report::library_versions()}};
    write_atomic(out_ / "provenance.json", prov.dump(2) + "\n");

    nlohmann::json s = stats;
    s["chapter"] = id;
    write_atomic(out_ / "stats.json", s.dump(2) + "\n");
}

}  // namespace flow::exercise
