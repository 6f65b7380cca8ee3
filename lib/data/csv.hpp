#pragma once
// Tables of numbers in CSV files: a header row of column names, then rows of exactly
// that many fields, each a finite number (spaces around a field and CRLF line ends are
// allowed; blank lines at the end are ignored). Anything else is refused with one line
// that names the file and the line: an empty file, a header without the expected
// columns, a row with a field missing or too many, a value that is not a number, NaN or
// an infinity, a file with no rows.
#include <filesystem>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace flow::data {

struct CsvError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The rows of a CSV text whose header is exactly `columns`; `name` is the file's name
// in the errors.
xt::xtensor<double, 2> parse_csv(const std::string& name, const std::string& text,
                                 const std::vector<std::string>& columns);
// The same for a file on disk (an unreadable file is refused in one line too).
xt::xtensor<double, 2> read_csv(const std::filesystem::path& path, const std::vector<std::string>& columns);

}  // namespace flow::data
