// flowreport: the driver. One command per chapter, plus list, bench and the report's
// provenance appendix. Errors are caught here once: one line on stderr, exit status 2
// for bad usage, 1 for a failure while running.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/options.hpp"
#include "core/files.hpp"
#include "fm/train.hpp"
#include "nf/train.hpp"
#include "nn/blas.hpp"
#include "registry.hpp"
#include "report/provenance.hpp"

namespace flow {
int bench(const std::vector<std::string>& args);
}

namespace {

using namespace flow;

const char* kUsage = R"(usage: flowreport <command> [flags]

commands:
  list                     the chapter ids, one a line, in the report's order
  <chapter-id> [flags]     run one chapter into build/chapters/<chapter-id>/
  train nf|fm|cfm [flags] [--force]
                           train a model, or reuse the checkpoint whose configuration
                           hash matches; prints the checkpoint's folder
  bench [flags]            the speed figures
  provenance --out FILE --git FILE --toolchain FILE --timing DIR DIR...
                           write the report's provenance appendix from chapter folders
                           (used by Makefile.report)

'flowreport <command> --help' lists a command's flags and their defaults.
)";

int provenance(const std::vector<std::string>& args) {
    std::string out, git, toolchain, timing;
    std::vector<fs::path> dirs;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&](std::string& dst) {
            if (i + 1 >= args.size()) throw config::UsageError(args[i] + " needs a value");
            dst = args[++i];
        };
        if (args[i] == "--out") value(out);
        else if (args[i] == "--git") value(git);
        else if (args[i] == "--toolchain") value(toolchain);
        else if (args[i] == "--timing") value(timing);
        else if (args[i].rfind("--", 0) == 0) throw config::UsageError("unknown flag " + args[i] + " for 'provenance'");
        else dirs.emplace_back(args[i]);
    }
    if (out.empty()) throw config::UsageError("provenance needs --out FILE");
    const std::string g = git.empty() ? "" : read_file(git);
    const std::string t = toolchain.empty() ? "" : read_file(toolchain);
    const auto times = timing.empty() ? report::StageTimes{} : report::StageTimes::read(timing);
    write_if_changed(out, report::provenance_tex(dirs, g, t, times));
    return 0;
}

int train(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help") {
        std::cout << "usage: flowreport train nf|fm|cfm [flags] [--force]\n\n"
                     "'flowreport train <model> --help' lists the model's flags.\n";
        return args.empty() ? 2 : 0;
    }
    const std::string model = args[0];
    if (model != "nf" && model != "fm" && model != "cfm")
        throw config::UsageError("unknown model '" + model + "' (nf, fm or cfm)");
    std::vector<std::string> rest(args.begin() + 1, args.end());
    bool force = false;
    for (auto it = rest.begin(); it != rest.end();)
        if (*it == "--force") {
            force = true;
            it = rest.erase(it);
        } else {
            ++it;
        }
    const auto specs = config::model_flags_with_seed(model);
    const auto parsed = config::parse("train " + model, specs, rest);
    if (parsed.help) {
        std::cout << config::help_text("flowreport train " + model + " [flags] [--force]", specs,
                                       {{"force", "train even when a matching checkpoint exists"}});
        return 0;
    }
    if (model == "nf") {
        const auto m = nf::obtain(nf::Config::from_flags(parsed.values), force);
        std::cout << m.dir.string() << "\n";
        return 0;
    }
    const auto m = fm::obtain(fm::Config::from_flags(model, parsed.values), force);
    std::cout << m.dir.string() << "\n";
    return 0;
}

int run_chapter(const chapters::Chapter& c, const std::vector<std::string>& args) {
    const auto specs = chapters::chapter_flags(c);
    const auto parsed = config::parse(c.id, specs, args);
    if (parsed.help) {
        std::cout << c.heading << "\n\n" << config::help_text("flowreport " + c.id + " [flags]", specs);
        return 0;
    }
    if (!c.run) throw std::runtime_error("chapter " + c.id + " is not written yet");
    chapters::Context ctx(c, parsed.values);
    c.run(ctx);
    ctx.finish();
    return 0;
}

int dispatch(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string& cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "list") {
        if (!rest.empty() && rest[0] == "--help") {
            std::cout << "usage: flowreport list [--headings]\n\nPrints the chapter ids, one a line; with "
                         "--headings, each id, a tab and the heading it has in the report.\n";
            return 0;
        }
        const bool headings = !rest.empty() && rest[0] == "--headings";
        if (rest.size() > (headings ? 1u : 0u))
            throw config::UsageError("'list' takes no arguments but --headings");
        for (const auto& c : chapters::all())
            std::cout << c.id << (headings ? "\t" + c.heading : std::string()) << "\n";
        return 0;
    }
    if (cmd == "bench") return bench(rest);
    if (cmd == "train") return train(rest);
    if (cmd == "provenance") return provenance(rest);
    if (const auto* c = chapters::find(cmd)) return run_chapter(*c, rest);
    throw config::UsageError("unknown command or chapter '" + cmd + "' (flowreport list shows the chapters)");
}

}  // namespace

int main(int argc, char** argv) {
    flow::nn::use_single_thread_blas();
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
