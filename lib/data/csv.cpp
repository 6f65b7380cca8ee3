#include "data/csv.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace flow::data {

namespace {

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
        const auto comma = line.find(',', start);
        f.push_back(trimmed(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos) return f;
        start = comma + 1;
    }
}

}  // namespace

xt::xtensor<double, 2> parse_csv(const std::string& name, const std::string& text,
                                 const std::vector<std::string>& columns) {
    const auto fail = [&](std::size_t line, const std::string& what) {
        throw CsvError(line ? fmt::format("{}, line {}: {}", name, line, what) : fmt::format("{}: {}", name, what));
    };
    std::vector<std::string> lines;
    {
        std::istringstream in(text);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    while (!lines.empty() && trimmed(lines.back()).empty()) lines.pop_back();
    if (lines.empty()) fail(0, "the file is empty");
    const auto header = fields(lines[0]);
    if (header != columns)
        fail(1, fmt::format("the header is '{}', expected '{}'", fmt::join(header, ","), fmt::join(columns, ",")));
    if (lines.size() == 1) fail(0, "the file has a header and no rows");
    const std::size_t n = lines.size() - 1, d = columns.size();
    xt::xtensor<double, 2> out = xt::xtensor<double, 2>::from_shape({n, d});
    for (std::size_t r = 0; r < n; ++r) {
        const std::size_t line = r + 2;
        const auto f = fields(lines[r + 1]);
        if (f.size() != d)
            fail(line, fmt::format("{} field{} where the header has {}", f.size(), f.size() == 1 ? "" : "s", d));
        for (std::size_t c = 0; c < d; ++c) {
            char* end = nullptr;
            const double v = std::strtod(f[c].c_str(), &end);
            if (f[c].empty()) fail(line, fmt::format("{} is empty", columns[c]));
            if (*end != '\0')
                fail(line, fmt::format("{} is '{}', not a number", columns[c], f[c]));
            if (!std::isfinite(v)) fail(line, fmt::format("{} is '{}', not a finite number", columns[c], f[c]));
            out(r, c) = v;
        }
    }
    return out;
}

xt::xtensor<double, 2> read_csv(const std::filesystem::path& path, const std::vector<std::string>& columns) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CsvError(fmt::format("{}: cannot be read", path.string()));
    std::ostringstream s;
    s << in.rdbuf();
    return parse_csv(path.string(), s.str(), columns);
}

}  // namespace flow::data
