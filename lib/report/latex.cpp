#include "report/latex.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace flow::report {

std::string tex_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '\\': out += "\\textbackslash{}"; break;
            case '{': case '}': case '$': case '&': case '#': case '_': case '%':
                out += '\\';
                out += c;
                break;
            case '^': out += "\\^{}"; break;
            case '~': out += "\\~{}"; break;
            default: out += c;
        }
    }
    return out;
}

std::string dat_table(const std::vector<std::string>& columns,
                      const std::vector<std::vector<double>>& data, int precision) {
    if (columns.size() != data.size()) throw std::logic_error("dat_table: column count mismatch");
    const std::size_t rows = data.empty() ? 0 : data[0].size();
    for (const auto& c : data)
        if (c.size() != rows) throw std::logic_error("dat_table: ragged columns");
    std::string out;
    for (std::size_t j = 0; j < columns.size(); ++j) out += (j ? " " : "") + columns[j];
    out += '\n';
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < data.size(); ++j) {
            const double v = data[j][i];
            if (j) out += ' ';
            if (v == std::floor(v) && std::fabs(v) < 1e9)
                out += fmt::format("{}", static_cast<long long>(v));
            else
                out += fmt::format("{:.{}f}", v, precision);
        }
        out += '\n';
    }
    return out;
}

std::string tex_num(double x, int digits) {
    if (!std::isfinite(x)) return std::isnan(x) ? "NaN" : (x > 0 ? "\\ensuremath{\\infty}" : "\\ensuremath{-\\infty}");
    if (x == 0.0) return "0";
    const int exp10 = static_cast<int>(std::floor(std::log10(std::fabs(x))));
    if (exp10 < -3 || exp10 >= 6) {
        const double mant = x / std::pow(10.0, exp10);
        return fmt::format("\\ensuremath{{{:.{}f}\\times10^{{{}}}}}", mant, std::max(0, digits - 1),
                           exp10);
    }
    return tex_fixed(x, std::max(0, digits - 1 - exp10));
}

std::string tex_fixed(double x, int decimals) {
    std::string s = fmt::format("{:.{}f}", x, decimals);
    if (s.find_first_not_of("-0.") == std::string::npos) s = s.substr(s[0] == '-');  // no "-0.00"
    return s[0] == '-' ? "\\ensuremath{" + s + "}" : s;
}

std::string tex_count(long long n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    const int len = static_cast<int>(digits.size());
    for (int i = 0; i < len; ++i) {
        out += digits[i];
        const int left = len - 1 - i;
        if (left > 0 && left % 3 == 0 && len > 4) out += "\\,";
    }
    return n < 0 ? "\\ensuremath{-" + out + "}" : out;
}

std::string ordinal(long long n) {
    const long long last2 = std::llabs(n) % 100, last = std::llabs(n) % 10;
    const char* suffix = (last2 >= 11 && last2 <= 13) ? "th" : last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
    return std::to_string(n) + suffix;
}

std::string tex_percent(double share, int decimals) {
    return fmt::format("{:.{}f}\\,\\%", 100.0 * share, decimals);
}

std::string count_words(std::size_t n) {
    static const char* const words[] = {"zero", "one", "two", "three", "four", "five",
                                        "six",  "seven", "eight", "nine", "ten"};
    return n <= 10 ? words[n] : std::to_string(n);
}

}  // namespace flow::report
