#include "registry.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/files.hpp"
#include "report/provenance.hpp"

namespace flow::chapters {

// Defined in the chapter files.
std::vector<config::FlagSpec> cfm_q1_input_flags();
std::vector<config::FlagSpec> fm_nf_flags();
std::vector<config::FlagSpec> fm_q5_flags();
std::vector<config::FlagSpec> fm_bonus_flags();
void fm_q1_loss(Context&);
void fm_q2_progression(Context&);
void fm_q3_trajectories(Context&);
void fm_q4_time_quantization(Context&);
void fm_q5_reverse(Context&);
void cfm_q2_class_trajectories(Context&);
void cfm_q3_sampling(Context&);
void fm_bonus_target(Context&);
void cfm_q1_input(Context&);
std::vector<config::FlagSpec> nf_q5_flags();
void nf_q1_loss(Context&);
void nf_q2_sampling(Context&);
void nf_q3_layers(Context&);
void nf_q4_trajectories(Context&);
void nf_q5_likelihood(Context&);

namespace {

std::vector<config::FlagSpec> with_common(const std::string& id, std::vector<config::FlagSpec> f) {
    auto all = config::common_flags("build/chapters/" + id);
    all.insert(all.end(), f.begin(), f.end());
    return all;
}

// A chapter's flags that are exactly its model's hyper-parameters.
template <const char* Model>
std::vector<config::FlagSpec> model_flags() {
    return config::model_flags(Model);
}
constexpr char kNf[] = "nf";
constexpr char kFm[] = "fm";
constexpr char kCfm[] = "cfm";

}  // namespace

const std::vector<Chapter>& all() {
    static const std::vector<Chapter> list = [] {
        std::vector<Chapter> c{
            {"nf-q1-loss", "Normalizing flow -- Q1: Loss", "nf", model_flags<kNf>, nf_q1_loss},
            {"nf-q2-sampling", "Normalizing flow -- Q2: Sampling", "nf", model_flags<kNf>, nf_q2_sampling},
            {"nf-q3-layers", "Normalizing flow -- Q3: Sampling over time", "nf", model_flags<kNf>, nf_q3_layers},
            {"nf-q4-trajectories", "Normalizing flow -- Q4: Sampling trajectories", "nf", model_flags<kNf>, nf_q4_trajectories},
            {"nf-q5-likelihood", "Normalizing flow -- Q5: Probability estimation", "nf", nf_q5_flags, nf_q5_likelihood},
            {"fm-q1-loss", "Flow matching -- Q1: Loss", "fm", model_flags<kFm>, fm_q1_loss},
            {"fm-q2-progression", "Flow matching -- Q2: Flow progression", "fm", fm_nf_flags, fm_q2_progression},
            {"fm-q3-trajectories", "Flow matching -- Q3: Point trajectories", "fm", fm_nf_flags, fm_q3_trajectories},
            {"fm-q4-time-quantization", "Flow matching -- Q4: Time quantization", "fm", model_flags<kFm>, fm_q4_time_quantization},
            {"fm-q5-reverse", "Flow matching -- Q5: Reversing the flow", "fm", fm_q5_flags, fm_q5_reverse},
            {"cfm-q1-input", "Conditional flow matching -- Q1: Plotting the input", "",
             cfm_q1_input_flags, cfm_q1_input},
            {"cfm-q2-class-trajectories", "Conditional flow matching -- Q2: A point from each class", "cfm", model_flags<kCfm>, cfm_q2_class_trajectories},
            {"cfm-q3-sampling", "Conditional flow matching -- Q3: Sampling", "cfm", model_flags<kCfm>, cfm_q3_sampling},
            {"fm-bonus-target", "Flow matching -- Bonus: sampling the point (4, 5)", "fm", fm_bonus_flags, fm_bonus_target},
        };
        return c;
    }();
    return list;
}

const Chapter* find(const std::string& id) {
    for (const auto& c : all())
        if (c.id == id) return &c;
    return nullptr;
}

std::vector<config::FlagSpec> chapter_flags(const Chapter& c) { return with_common(c.id, c.flags()); }

Context::Context(const Chapter& chapter, config::Values flags)
    : chapter_(chapter), flags_(std::move(flags)), out_(flags_.path("out")),
      start_(std::chrono::steady_clock::now()) {
    fs::create_directories(out_);
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

std::string Context::figure_pdf(const std::string& name) const {
    return "figures/" + chapter_.id + "-" + name + ".pdf";
}

void Context::finish() {
    const std::string& id = chapter_.id;
    write_atomic(out_ / "chapter.tex", text);

    // The figure rules for Makefile.report: each PDF depends on its source and data.
    std::string mk = fmt::format("# written by flowreport {}\nFIGURES_{} :=", id, id);
    for (const auto& f : figures_) mk += " " + figure_pdf(f.first);
    mk += "\n";
    const std::string dir = "build/chapters/" + id;
    for (const auto& [name, files] : figures_) {
        mk += fmt::format("{}: {}/{}.tex", figure_pdf(name), dir, name);
        for (const auto& f : files) mk += " " + dir + "/" + f;
        mk += fmt::format(" $(FIGURE_DEPS)\n\t$(call compile-figure,{},{})\n", id, name);
    }
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

}  // namespace flow::chapters
