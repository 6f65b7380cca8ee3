#pragma once
// Small helpers for the LaTeX and the figure data a chapter writes.
#include <string>
#include <string_view>
#include <vector>

namespace flow::report {

// Escapes the characters LaTeX treats specially in running text.
std::string tex_escape(std::string_view s);

// A whitespace-separated table with a header row, as pgfplots' \addplot table reads it.
// columns[j] names column j; data[j] holds its values (all of equal length).
std::string dat_table(const std::vector<std::string>& columns,
                      const std::vector<std::vector<double>>& data, int precision = 5);

// A number with `digits` significant digits, usable in text and in math (signs and
// exponents go through \ensuremath): 0.0123, -1.2, 3.4\times10^{-5}.
std::string tex_num(double x, int digits = 3);
// A number with a fixed count of decimals (no "-0.00").
std::string tex_fixed(double x, int decimals);
// An integer with thin-space thousands separators: 250\,000.
std::string tex_count(long long n);
// A count as a reader writes it in prose: "one" to "ten" in words, digits above.
std::string count_words(std::size_t n);
// An ordinal in words' place: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st.
std::string ordinal(long long n);
// A share as a percentage with `decimals` decimals and the escaped percent sign.
std::string tex_percent(double share, int decimals = 1);

}  // namespace flow::report
