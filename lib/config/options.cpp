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
// The flags every command shares. A model kind's flags and their defaults are in its
// kind's file (model/registry.hpp); a chapter's own flags in the chapter's file.

std::vector<FlagSpec> common_flags(std::string_view default_out) {
    return {
        {"seed", Kind::Seed, "0", "seed of every random stream of the run"},
        {"out", Kind::Path, std::string(default_out), "folder the outputs are written to"},
    };
}

// ----------------------------------------------------------------------------------

namespace {

[[noreturn]] void bad(const FlagSpec& s, const std::string& value, const std::string& want) {
    throw UsageError(fmt::format("--{} must be {}, got '{}'", s.name, want, value));
}

void validate(const FlagSpec& s, const std::string& v) {
    switch (s.kind) {
        case Kind::Count:
        case Kind::Whole: {
            char* end = nullptr;
            errno = 0;
            const long long n = std::strtoll(v.c_str(), &end, 10), least = s.kind == Kind::Count ? 1 : 0;
            if (v.empty() || *end != '\0' || errno == ERANGE || n < least || n > 2'000'000'000LL)
                bad(s, v, fmt::format("a whole number from {} to 2000000000", least));
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
        case Kind::PositiveReal:
        case Kind::NonNegativeReal: {
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            const bool zero_ok = s.kind == Kind::NonNegativeReal;
            const char* least = zero_ok ? ">= 0" : "> 0";
            const std::string want = s.max > 0 ? fmt::format("a finite number {} and <= {}", least, s.max)
                                               : fmt::format("a finite number {}", least);
            if (v.empty() || *end != '\0' || !std::isfinite(x) || x < 0.0 || (x == 0.0 && !zero_ok)) bad(s, v, want);
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
