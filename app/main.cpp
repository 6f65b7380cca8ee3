// flowreport: the driver. Every exercise's chapters and models come from its manifest
// (chapters/<exercise>/manifest.json, compiled in). Errors are caught here once: one line
// on stderr, exit status 2 for bad usage, 1 for a failure while running.
#include <malloc.h>

#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/options.hpp"
#include "core/files.hpp"
#include "exercise/chapter.hpp"
#include "exercise/graph.hpp"
#include "model/registry.hpp"
#include "nn/blas.hpp"
#include "report/provenance.hpp"

namespace flow {
int bench(const std::vector<std::string>& args);
}

namespace {

using namespace flow;
using exercise::Manifest;

const char* kUsage = R"(usage: flowreport <command> [arguments]

commands:
  list                      the exercises, one a line
  list EXERCISE [--headings | --models | --title | --pages | --words | --document]
                            the exercise's chapter ids in the report's order (with
                            --headings: id, a tab, the heading); its models (name, kind,
                            data set, the chapters that read it); its title; its page limit; its word budget;
                            how it is typeset (report or slides)
  chapter EXERCISE ID [flags]
                            run one chapter into build/chapters/EXERCISE/ID/
  train EXERCISE MODEL [flags] [--force]
                            train a model of the manifest, or reuse the checkpoint whose
                            configuration hash matches; prints the checkpoint's folder
  makefile                  the make graph of every exercise (used by Makefile.report)
  bench [flags]             the speed figures
  provenance EXERCISE --out FILE --companion FILE --git FILE --toolchain FILE --timing DIR
                            write an exercise's short provenance appendix (LaTeX) and
                            its full record (Markdown) from its chapter folders (used by
                            Makefile.report)

'flowreport <command> ... --help' lists a command's flags and their defaults.
)";

std::string rest_value(const std::vector<std::string>& args, std::size_t& i) {
    if (i + 1 >= args.size()) throw config::UsageError(args[i] + " needs a value");
    return args[++i];
}

int provenance(const std::vector<std::string>& args) {
    if (args.empty()) throw config::UsageError("provenance needs an exercise");
    const Manifest& m = exercise::manifest(args[0]);
    std::string out, companion, git, toolchain, timing;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--out") out = rest_value(args, i);
        else if (args[i] == "--companion") companion = rest_value(args, i);
        else if (args[i] == "--git") git = rest_value(args, i);
        else if (args[i] == "--toolchain") toolchain = rest_value(args, i);
        else if (args[i] == "--timing") timing = rest_value(args, i);
        else throw config::UsageError("unexpected argument '" + args[i] + "' for 'provenance'");
    }
    if (out.empty() || companion.empty()) throw config::UsageError("provenance needs --out FILE and --companion FILE");
    std::vector<fs::path> dirs;
    for (const auto& c : m.chapters) dirs.push_back(exercise::chapter_dir(m.exercise, c.id));
    std::vector<std::string> models;
    for (const auto& d : m.models) models.push_back(d.name);
    const std::string g = git.empty() ? "" : read_file(git);
    const std::string t = toolchain.empty() ? "" : read_file(toolchain);
    const auto times = timing.empty() ? report::StageTimes{} : report::StageTimes::read(timing, models);
    // The companion first: the appendix names it.
    write_if_changed(companion, report::provenance_markdown(m.title, dirs, g, t, times));
    write_if_changed(out, report::provenance_tex(dirs, g, times, fs::path(companion).filename().string(), !m.slides()));
    return 0;
}

// A model's flags: its kind's, with the manifest's defaults.
std::vector<config::FlagSpec> model_specs(const exercise::ModelDecl& d) {
    auto specs = model::flags_with_seed(model::kind(d.kind));
    const auto parsed = config::parse("the manifest's defaults of " + d.name, specs, d.defaults);
    for (auto& s : specs) s.default_value = parsed.values.text(s.name);
    return specs;
}

int train(const std::vector<std::string>& args) {
    if (args.size() < 2 || args[0] == "--help") {
        std::cout << "usage: flowreport train EXERCISE MODEL [flags] [--force]\n\n"
                     "'flowreport train EXERCISE MODEL --help' lists the model's flags.\n";
        return args.empty() || args[0] != "--help" ? 2 : 0;
    }
    const Manifest& m = exercise::manifest(args[0]);
    const auto& d = m.model(args[1]);
    std::vector<std::string> rest;
    bool force = false;
    for (auto it = args.begin() + 2; it != args.end(); ++it)
        if (*it == "--force") force = true;
        else rest.push_back(*it);
    rest.insert(rest.end(), d.set.begin(), d.set.end());  // the model's fixed settings win
    const auto specs = model_specs(d);
    const std::string command = "train " + m.exercise + " " + d.name;
    auto parsed = config::parse(command, specs, rest);
    // A family's fit i of S draws with seed S0 * S + i (manifest.hpp): its own streams.
    if (d.seeds > 0) parsed.values.set("seed", std::to_string(parsed.values.seed() * d.seeds + d.seed_index));
    if (parsed.help) {
        std::cout << fmt::format("model {} of {}: kind {}, data set {}{}{}\n\n", d.name, m.exercise, d.kind, d.data,
                                 d.base.empty() ? "" : ", fitted on model " + d.base,
                                 d.set.empty() ? "" : ", always with " + fmt::format("{}", fmt::join(d.set, " ")))
                  << config::help_text("flowreport " + command + " [flags] [--force]", specs,
                                       {{"force", "train even when a matching checkpoint exists"}});
        return 0;
    }
    std::cout << model::kind(d.kind).obtain(parsed.values, d.data, force).string() << "\n";
    return 0;
}

int run_chapter(const std::vector<std::string>& args) {
    if (args.size() < 2) throw config::UsageError("usage: flowreport chapter EXERCISE ID [flags]");
    const Manifest& m = exercise::manifest(args[0]);
    const auto* c = m.chapter(args[1]);
    if (!c)
        throw config::UsageError(fmt::format("exercise {} has no chapter '{}' (flowreport list {} shows them)",
                                             m.exercise, args[1], m.exercise));
    const auto specs = exercise::chapter_flags(m, *c);
    const std::string command = "chapter " + m.exercise + " " + c->id;
    const auto parsed = config::parse(command, specs, {args.begin() + 2, args.end()});
    if (parsed.help) {
        std::cout << c->heading << "\n\n" << config::help_text("flowreport " + command + " [flags]", specs);
        return 0;
    }
    exercise::Context ctx(m, *c, parsed.values);
    exercise::code_of(m.exercise, c->id).run(ctx);
    ctx.finish();
    return 0;
}

int list(const std::vector<std::string>& args) {
    if (args.empty()) {
        for (const auto& m : exercise::manifests()) std::cout << m.exercise << "\n";
        return 0;
    }
    if (args[0] == "--help") {
        std::cout << "usage: flowreport list [EXERCISE [--headings | --models | --title | --pages | --words | --document]]\n";
        return 0;
    }
    const Manifest& m = exercise::manifest(args[0]);
    const std::string what = args.size() > 1 ? args[1] : "";
    if (args.size() > 2 || (!what.empty() && what != "--headings" && what != "--models" && what != "--title" &&
                            what != "--pages" && what != "--words" && what != "--document"))
        throw config::UsageError("'list EXERCISE' takes one of --headings, --models, --title, --pages, --words, --document");
    if (what == "--title") std::cout << m.title << "\n";
    else if (what == "--pages") std::cout << m.pages << "\n";
    else if (what == "--words") std::cout << m.words << "\n";
    else if (what == "--document") std::cout << m.document << "\n";
    else if (what == "--models")
        for (const auto& d : m.models) {
            std::string readers;
            for (const auto& c : m.chapters)
                for (const auto& u : c.models)
                    if (u == d.name) readers += (readers.empty() ? "" : " ") + c.id;
            std::cout << d.name << "\t" << d.kind << "\t" << d.data << "\t" << readers << "\n";
        }
    else
        for (const auto& c : m.chapters) std::cout << c.id << (what == "--headings" ? "\t" + c.heading : "") << "\n";
    return 0;
}

int dispatch(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    exercise::check_registry();
    const std::string& cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "list") return list(rest);
    if (cmd == "chapter") return run_chapter(rest);
    if (cmd == "train") return train(rest);
    if (cmd == "makefile") {
        std::cout << exercise::make_graph(exercise::manifests());
        return 0;
    }
    if (cmd == "bench") return bench(rest);
    if (cmd == "provenance") return provenance(rest);
    throw config::UsageError("unknown command '" + cmd + "' (flowreport --help lists them)");
}

}  // namespace

int main(int argc, char** argv) {
    flow::nn::use_single_thread_blas();
    // Large blocks from the heap, kept when freed: by default glibc maps every block over
    // 128 kB afresh and unmaps it when freed, so that a buffer allocated per batch or per
    // epoch (activations of a validation pass, a grid of densities) costs the kernel a
    // fresh zeroed page at every touch. The process is short-lived; its peak is what it
    // would be anyway.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    try {
        return dispatch(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const flow::config::UsageError& e) {
        std::cerr << "flowreport: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "flowreport: " << e.what() << "\n";
        return 1;
    }
}
