#include "config/options.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

namespace flow::config {

namespace po = boost::program_options;

// ----------------------------------------------------------------------------------
// The defaults. They are the exercise's recommended values (section 3.3 for the
// normalizing flow, section 4.3 for flow matching) unless a measured better value is
// documented here.

std::vector<FlagSpec> common_flags(std::string_view default_out) {
    return {
        {"seed", Kind::Seed, "0", "seed of every random stream of the run"},
        {"out", Kind::Path, std::string(default_out), "folder the outputs are written to"},
    };
}

FlagSpec points_flag() {
    return {"points", Kind::Count, "250000", "number of training points"};
}

std::vector<FlagSpec> model_flags(std::string_view model) {
    if (model == "new-class")
        return {{"base", Kind::Path, "", "checkpoint folder of the conditional model it is fitted on "
                                         "(make passes the manifest's base)"},
                {"target", Kind::Points, "", "the new class's one point x,y, in the base's standardised frame"},
                {"fit", Kind::Choice, "embedding", "what is trained: the class's embedding row, or every parameter "
                                                   "on batches that mix in the old classes' data", 0.0,
                 {"embedding", "all"}},
                {"steps", Kind::Count, "2000", "Adam steps (cosine decay)"},
                {"batch", Kind::Count, "256", "points of the new class per step"},
                {"old-batch", Kind::Count, "256", "points of the old classes per step (--fit all)"},
                {"lr", Kind::PositiveReal, "0.01", "Adam learning rate (cosine decay)"}};
    std::vector<FlagSpec> f{points_flag(),
                            {"epochs", Kind::Count, model == "nf" ? "20" : model == "planar" ? "500" : "100", "training epochs"},
                            {"batch", Kind::Count, "128", "mini-batch size"},
                            {"lr", Kind::PositiveReal, "0.001", "Adam learning rate (cosine decay)"}};
    if (model == "nf") {
        f.push_back({"couplings", Kind::Count, "30", "affine coupling layers"});
        f.push_back({"depth", Kind::Count, "5", "linear layers per coupling network"});
        f.push_back({"hidden", Kind::Count, "16", "units per hidden layer"});
        f.push_back({"init", Kind::Choice, "default", "coupling networks' start", 0.0,
                     {"default", "identity"}});
    } else if (model == "tri") {
        f.push_back({"couplings", Kind::Count, "1", "triangular couplings (the halves alternate)"});
        f.push_back({"depth", Kind::Count, "2", "linear layers per coupling network"});
        f.push_back({"hidden", Kind::Count, "32", "units per hidden layer"});
        f.push_back({"kept", Kind::Choice, "lower", "the kept half's map: a learned lower-triangular A, or the "
                                                    "identity (the plain coupling)", 0.0, {"lower", "identity"}});
    } else if (model == "planar") {
        f.push_back({"layers", Kind::Count, "16", "planar layers"});
    } else if (model == "cnf") {
        f.push_back({"depth", Kind::Count, "3", "linear layers of the vector field (tanh between)"});
        f.push_back({"hidden", Kind::Count, "32", "units per hidden layer"});
        f.push_back({"steps", Kind::Count, "10", "RK4 steps on [0, 1] (4 field evaluations each)"});
    } else if (model == "fm" || model == "cfm") {
        f.push_back({"depth", Kind::Count, "5", "linear layers of the vector field"});
        f.push_back({"hidden", Kind::Count, "64", "units per hidden layer"});
        f.push_back({"time-sampling", Kind::Choice, "log", "how training draws t (log: 1-t log-uniform)",
                     0.0, {"log", "uniform"}});
        f.push_back({"time-floor", Kind::PositiveReal, "0.003", "smallest 1-t drawn by --time-sampling log", 0.5});
    } else {
        throw std::logic_error("unknown model group " + std::string(model));
    }
    return f;
}

std::vector<FlagSpec> model_flags_with_seed(std::string_view model) {
    auto f = model_flags(model);
    f.insert(f.begin(), common_flags("").front());  // --seed
    return f;
}

std::vector<FlagSpec> integration_flags() {
    return {{"dt", Kind::PositiveReal, "0.001", "integration step", 1.0},
            {"solver", Kind::Choice, "euler", "ODE stepper", 0.0, {"euler", "midpoint", "rk4"}}};
}

// ----------------------------------------------------------------------------------

namespace {

[[noreturn]] void bad(const FlagSpec& s, const std::string& value, const std::string& want) {
    throw UsageError(fmt::format("--{} must be {}, got '{}'", s.name, want, value));
}

void validate(const FlagSpec& s, const std::string& v) {
    switch (s.kind) {
        case Kind::Count: {
            char* end = nullptr;
            errno = 0;
            const long long n = std::strtoll(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || errno == ERANGE || n < 1 || n > 2'000'000'000LL)
                bad(s, v, "a whole number from 1 to 2000000000");
            break;
        }
        case Kind::Seed: {
            if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
                bad(s, v, "a whole number >= 0");
            errno = 0;
            std::strtoull(v.c_str(), nullptr, 10);
            if (errno == ERANGE) bad(s, v, "a whole number below 2^64");
            break;
        }
        case Kind::PositiveReal: {
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            const std::string want =
                s.max > 0 ? fmt::format("a finite number > 0 and <= {}", s.max)
                          : std::string("a finite number > 0");
            if (v.empty() || *end != '\0' || !std::isfinite(x) || x <= 0.0) bad(s, v, want);
            if (s.max > 0 && x > s.max) bad(s, v, want);
            break;
        }
        case Kind::Choice: {
            bool ok = false;
            std::string list;
            for (const auto& c : s.choices) {
                ok = ok || c == v;
                list += (list.empty() ? "" : ", ") + c;
            }
            if (!ok) bad(s, v, "one of " + list);
            break;
        }
        case Kind::Path:
            // An empty default means "the folder make recorded" (--model-<name>).
            if (v.empty() && !s.default_value.empty()) bad(s, v, "a path");
            break;
        case Kind::Points:
            parse_points(s.name, v);
            break;
    }
}

}  // namespace

std::vector<std::array<double, 2>> parse_points(const std::string& flag, const std::string& text) {
    std::vector<std::array<double, 2>> pts;
    std::string t = text;
    for (char& c : t)
        if (c == ';') c = ' ';
    std::istringstream in(t);
    const std::string want = "points 'x,y' of two finite numbers, separated by spaces or semicolons";
    for (std::string word; in >> word;) {
        const auto comma = word.find(',');
        if (comma == std::string::npos || word.find(',', comma + 1) != std::string::npos)
            throw UsageError(fmt::format("--{} takes {}; '{}' is not a point", flag, want, word));
        std::array<double, 2> p{};
        for (int c = 0; c < 2; ++c) {
            const std::string part = c == 0 ? word.substr(0, comma) : word.substr(comma + 1);
            char* end = nullptr;
            p[c] = std::strtod(part.c_str(), &end);
            if (part.empty() || *end != '\0' || !std::isfinite(p[c]))
                throw UsageError(fmt::format("--{} takes {}; '{}' is not a point", flag, want, word));
        }
        pts.push_back(p);
    }
    if (pts.empty() || pts.size() > 20)
        throw UsageError(fmt::format("--{} takes 1 to 20 {}, got {}", flag, want, pts.size()));
    return pts;
}

std::vector<std::array<double, 2>> Values::points(const std::string& name) const {
    return parse_points(name, text(name));
}

long long Values::count(const std::string& name) const { return std::stoll(text(name)); }
std::uint64_t Values::seed() const { return std::stoull(text("seed")); }
double Values::real(const std::string& name) const { return std::strtod(text(name).c_str(), nullptr); }

const std::string& Values::text(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw std::logic_error("flag --" + name + " was not declared");
    return it->second;
}

nlohmann::json Values::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : values_) j[k] = v;
    return j;
}

Parsed parse(const std::string& command, const std::vector<FlagSpec>& specs,
             const std::vector<std::string>& args) {
    po::options_description desc;
    desc.add_options()("help", "");
    for (const auto& s : specs)
        desc.add_options()(s.name.c_str(), po::value<std::string>()->default_value(s.default_value),
                           s.help.c_str());
    po::variables_map vm;
    try {
        // Long options only: without short options a value such as "-1" is taken as
        // the value it is (and then rejected by validation) rather than as a flag.
        const int style = po::command_line_style::allow_long |
                          po::command_line_style::long_allow_adjacent |
                          po::command_line_style::long_allow_next;
        auto parsed = po::command_line_parser(args).options(desc).style(style).run();
        const auto stray = po::collect_unrecognized(parsed.options, po::include_positional);
        if (!stray.empty())
            throw UsageError(fmt::format("unexpected argument '{}' for '{}' (flags are --name value)",
                                         stray.front(), command));
        // A flag given more than once takes its last value (so that a model's flags can
        // override the flags for all); every value given must still be valid.
        std::vector<po::option> last;
        for (auto it = parsed.options.rbegin(); it != parsed.options.rend(); ++it) {
            for (const auto& s : specs)
                if (s.name == it->string_key && !it->value.empty()) validate(s, it->value.front());
            const bool seen = std::any_of(last.begin(), last.end(),
                                          [&](const po::option& o) { return o.string_key == it->string_key; });
            if (!seen) last.push_back(*it);
        }
        parsed.options.assign(last.rbegin(), last.rend());
        po::store(parsed, vm);
        po::notify(vm);
    } catch (const po::unknown_option& e) {
        throw UsageError(fmt::format("unknown flag {} for '{}' (see flowreport {} --help)",
                                     e.get_option_name(), command, command));
    } catch (const po::error& e) {
        throw UsageError(fmt::format("{} (see flowreport {} --help)", e.what(), command));
    }
    Parsed p;
    p.help = vm.count("help") > 0;
    for (const auto& s : specs) {
        const std::string v = vm[s.name].as<std::string>();
        validate(s, v);
        p.values.set(s.name, v);
    }
    return p;
}

std::string help_text(const std::string& usage, const std::vector<FlagSpec>& specs,
                      const std::vector<std::pair<std::string, std::string>>& switches) {
    std::ostringstream out;
    out << "usage: " << usage << "\n\nflags:\n";
    std::size_t width = 4;  // "help"
    for (const auto& s : specs) width = std::max(width, s.name.size());
    for (const auto& [name, help] : switches) width = std::max(width, name.size());
    for (const auto& s : specs) {
        std::string help = s.help;
        if (s.kind == Kind::Choice) {
            help += " (";
            for (std::size_t i = 0; i < s.choices.size(); ++i)
                help += (i ? "|" : "") + s.choices[i];
            help += ")";
        }
        // An empty default (a flag that make passes, or one whose help says what it falls back to) is not shown.
        const std::string d = s.default_value.empty() ? "" : " (default: " + s.default_value + ")";
        out << fmt::format("  --{:<{}} {}{}\n", s.name, width, help, d);
    }
    for (const auto& [name, help] : switches) out << fmt::format("  --{:<{}} {}\n", name, width, help);
    out << fmt::format("  --{:<{}} {}\n", "help", width, "print this text");
    return out.str();
}

}  // namespace flow::config
