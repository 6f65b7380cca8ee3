#pragma once
// Every flag of the driver, with its default, in one place.
//
// Flags keep one name wherever they apply: --seed, --points, --epochs,
// --batch, --lr, --hidden, --depth, --couplings, --dt, --solver, --out. A command
// takes the groups it uses; parse() checks every value before anything is written and
// reports the first bad one in one line (UsageError, exit status 2).
#include <array>
#include <utility>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace flow::config {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Kind {
    Count,         // a whole number >= 1
    Whole,         // a whole number >= 0
    Seed,          // a whole number in [0, 2^64)
    PositiveReal,  // a finite number > 0, at most `max`
    NonNegativeReal,  // a finite number >= 0, at most `max`
    Choice,        // one of `choices`
    Path,          // a file system path
    Points,        // 1 to 20 points "x,y", separated by spaces or semicolons
};

struct FlagSpec {
    std::string name;  // without the leading dashes
    Kind kind;
    std::string default_value;
    std::string help;
    double max = 0.0;                  // PositiveReal, NonNegativeReal: upper bound when > 0
    std::vector<std::string> choices = {};  // Choice
};

// --seed and --out.
std::vector<FlagSpec> common_flags(std::string_view default_out);
// Parses "x,y x,y ..." (spaces or semicolons between points); throws UsageError.
std::vector<std::array<double, 2>> parse_points(const std::string& flag, const std::string& text);

// Flag values after validation, kept as the text given so that they can be recorded
// and hashed exactly as the user wrote them.
class Values {
public:
    long long count(const std::string& name) const;
    std::uint64_t seed() const;
    double real(const std::string& name) const;
    const std::string& text(const std::string& name) const;
    std::filesystem::path path(const std::string& name) const { return text(name); }
    std::vector<std::array<double, 2>> points(const std::string& name) const;
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    nlohmann::json to_json() const;  // every flag and its value

    void set(const std::string& name, std::string value) { values_[name] = std::move(value); }

private:
    std::map<std::string, std::string> values_;
};

struct Parsed {
    Values values;
    bool help = false;
};

// Parses args (the words after the command) against specs.
Parsed parse(const std::string& command, const std::vector<FlagSpec>& specs,
             const std::vector<std::string>& args);

// The --help text: usage line, then every flag with its default, then `switches` (name,
// help) that take no value.
std::string help_text(const std::string& usage, const std::vector<FlagSpec>& specs,
                      const std::vector<std::pair<std::string, std::string>>& switches = {});

}  // namespace flow::config
