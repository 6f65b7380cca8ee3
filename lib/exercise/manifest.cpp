#include "exercise/manifest.hpp"

#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "model/registry.hpp"
#include "data/dataset.hpp"
#include <nlohmann/json.hpp>

namespace flow::exercise {

// Written by the build from chapters/*/manifest.json: (exercise, JSON text) pairs.
std::vector<std::pair<std::string, std::string>> embedded_manifests();

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> w;
    for (std::string x; in >> x;) w.push_back(x);
    return w;
}

const ModelDecl& Manifest::model(const std::string& name) const {
    for (const auto& m : models)
        if (m.name == name) return m;
    throw config::UsageError(fmt::format("exercise {} declares no model '{}'", exercise, name));
}

std::vector<std::string> Manifest::fits(const std::string& family) const {
    std::vector<std::string> v;
    for (const auto& m : models)
        if (m.family == family) v.push_back(m.name);
    if (v.empty()) throw config::UsageError(fmt::format("exercise {} declares no family of fits '{}'", exercise, family));
    return v;
}

std::vector<const ModelDecl*> Manifest::sweep(const std::string& family) const {
    std::vector<const ModelDecl*> v;
    for (const auto& m : models)
        if (m.swept == family) v.push_back(&m);
    return v;
}

const ChapterDecl* Manifest::chapter(const std::string& id) const {
    for (const auto& c : chapters)
        if (c.id == id) return &c;
    return nullptr;
}

namespace {

std::string text_or(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
    return j.contains(key) ? j.at(key).get<std::string>() : fallback;
}

// The fits of a family (ModelDecl): md with "fits": {"seeds": S, "splits": K}.
std::vector<ModelDecl> expand_fits(const ModelDecl& md, const nlohmann::json& fits, const nlohmann::json* sweep,
                                   const std::function<void(const std::string&)>& fail) {
    const auto count = [&](const char* key) {
        const int n = fits.at(key).get<int>();
        if (n < 1 || n > 100) fail("model '" + md.name + "': fits." + key + " must be from 1 to 100");
        return std::size_t(n);
    };
    // Without "splits", the fits differ by seed only, on the data set itself.
    const bool split = fits.contains("splits");
    const std::size_t seeds = count("seeds"), splits = split ? count("splits") : 1;
    if (!md.like.empty() || !md.base.empty()) fail("model '" + md.name + "' has fits and is not fitted on a data set");
    if (split && (!data::dataset(md.data).finite() || data::dataset(md.data).all_rows.empty()))
        fail("model '" + md.name + "' has fits on splits, but data set '" + md.data + "' is not a data file with splits");
    std::vector<ModelDecl> v;
    for (std::size_t i = 1; i <= seeds; ++i)
        for (std::size_t k = 1; k <= splits; ++k) {
            ModelDecl f = md;
            f.name = split ? fmt::format("{}-seed{}-split{}", md.name, i, k) : fmt::format("{}-seed{}", md.name, i);
            f.family = md.name;
            f.data = split ? data::split_name(md.data, k) : md.data;
            f.seeds = seeds;
            f.seed_index = i - 1;
            f.split = split ? k : 0;
            v.push_back(f);
        }
    if (sweep && sweep->contains("lr"))
        for (const auto& lr : sweep->at("lr").get<std::vector<std::string>>()) {
            ModelDecl f = v.front();
            f.name = fmt::format("{}-lr{}", md.name, lr);
            f.family.clear();
            f.swept = md.name;
            f.sweep_lr = lr;
            f.set.insert(f.set.end(), {"--lr", lr});
            v.push_back(f);
        }
    return v;
}

}  // namespace

Manifest parse_manifest(const std::string& exercise, const std::string& json_text) {
    const auto fail = [&](const std::string& what) {
        throw std::runtime_error(fmt::format("manifest of exercise {}: {}", exercise, what));
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::exception& e) {
        fail(e.what());
    }
    Manifest m;
    m.exercise = exercise;
    try {
        m.title = j.at("title").get<std::string>();
        m.document = j.value("document", std::string("report"));
        if (m.document != "report" && m.document != "slides")
            fail("'document' must be \"report\" or \"slides\", not \"" + m.document + "\"");
        m.pages = j.at("pages").get<int>();
        m.words = j.at("words").get<int>();
        if (m.pages <= 0 || m.words <= 0) fail("'pages' and 'words' must be positive");
        std::set<std::string> names, families;
        for (const auto& d : j.at("models")) {
            ModelDecl md;
            md.name = d.at("name").get<std::string>();
            md.like = text_or(d, "like");
            md.set = words(text_or(d, "set"));
            if (!names.insert(md.name).second) fail("model '" + md.name + "' is declared twice");
            const auto declared = [&](const std::string& name) -> const ModelDecl* {
                for (const auto& o : m.models)
                    if (o.name == name) return &o;
                return nullptr;
            };
            if (md.like.empty()) {
                md.kind = d.at("kind").get<std::string>();
                md.defaults = words(text_or(d, "defaults"));
                md.quick = words(text_or(d, "quick"));
                const model::Kind* kind = model::find_kind(md.kind);
                if (!kind) fail("model '" + md.name + "' has unknown kind '" + md.kind + "'");
                if (kind->source == model::Source::Base) {
                    if (d.contains("data")) fail("model '" + md.name + "' takes its data set from its base");
                    md.base = d.at("base").get<std::string>();
                    const ModelDecl* base = declared(md.base);
                    if (!base)
                        fail("model '" + md.name + "' has base '" + md.base + "', which is not declared before it");
                    md.data = base->data;
                } else {
                    if (d.contains("base")) fail("model '" + md.name + "' of kind " + md.kind + " takes no base");
                    md.data = d.at("data").get<std::string>();
                    if (kind->source == model::Source::OwnData) {
                        if (md.data != kind->own_data)
                            fail("model '" + md.name + "' of kind " + md.kind + " draws data set '" +
                                 kind->own_data + "'");
                    } else {
                        try {
                            data::dataset(md.data);
                        } catch (const std::exception& e) {
                            fail("model '" + md.name + "': " + e.what());
                        }
                    }
                }
            } else {
                if (d.contains("kind") || d.contains("data") || d.contains("defaults") || d.contains("quick") ||
                    d.contains("base"))
                    fail("model '" + md.name + "' is like '" + md.like + "' and takes only set");
                const ModelDecl* base = declared(md.like);
                if (!base) fail("model '" + md.name + "' is like '" + md.like + "', which is not declared before it");
                if (!base->like.empty()) fail("model '" + md.name + "' is like a model that is itself a copy");
                md.kind = base->kind;
                md.data = base->data;
                md.base = base->base;
                md.defaults = base->defaults;
                md.quick = base->quick;
            }
            if (d.contains("fits")) {
                families.insert(md.name);
                for (auto& f : expand_fits(md, d.at("fits"), d.contains("sweep") ? &d.at("sweep") : nullptr, fail)) {
                    if (!names.insert(f.name).second) fail("model '" + f.name + "' is declared twice");
                    m.models.push_back(f);
                }
            } else {
                m.models.push_back(md);
            }
        }
        std::set<std::string> ids;
        for (const auto& d : j.at("chapters")) {
            ChapterDecl c;
            c.id = d.at("id").get<std::string>();
            c.heading = d.at("heading").get<std::string>();
            // A family stands for its fits.
            if (d.contains("models"))
                for (const auto& u : d.at("models").get<std::vector<std::string>>()) {
                    if (!families.count(u)) {
                        c.models.push_back(u);
                        continue;
                    }
                    const auto fits = m.fits(u);
                    c.models.insert(c.models.end(), fits.begin(), fits.end());
                    for (const auto* s : m.sweep(u)) c.models.push_back(s->name);
                }
            c.quick = words(text_or(d, "quick"));
            if (!ids.insert(c.id).second) fail("chapter '" + c.id + "' is declared twice");
            if (names.count(c.id)) fail("'" + c.id + "' names both a model and a chapter");
            for (const auto& u : c.models)
                if (!names.count(u)) fail("chapter '" + c.id + "' uses model '" + u + "', which is not declared");
            m.chapters.push_back(c);
        }
    } catch (const nlohmann::json::exception& e) {
        fail(e.what());
    }
    if (m.chapters.empty()) fail("no chapters");
    if (m.pages < 1) fail("pages must be at least 1");
    return m;
}

const std::vector<Manifest>& manifests() {
    static const std::vector<Manifest> all = [] {
        std::vector<Manifest> v;
        for (const auto& [name, text] : embedded_manifests()) v.push_back(parse_manifest(name, text));
        return v;
    }();
    return all;
}

const Manifest& manifest(const std::string& exercise) {
    std::string known;
    for (const auto& m : manifests()) {
        if (m.exercise == exercise) return m;
        known += (known.empty() ? "" : ", ") + m.exercise;
    }
    throw config::UsageError(fmt::format("unknown exercise '{}' (exercises: {})", exercise, known));
}

}  // namespace flow::exercise
