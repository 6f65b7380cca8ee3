#pragma once
// Text on a Canvas in a fixed 5 x 7 bitmap font, for labels the GIFs carry themselves
// (axis names, tick numbers, the time): digits, ' ', '+', '-', '.', '=', '%' and the letters
// t, x, y, z. Each glyph is drawn as scale x scale blocks, one blank column between glyphs.
#include <cstdint>
#include <string_view>

#include "report/gif.hpp"

namespace flow::report {

constexpr long kGlyphWidth = 5, kGlyphHeight = 7, kGlyphAdvance = 6;

// The box a string fills at a scale: width = (6 n - 1) scale (0 for ""), height = 7 scale.
long text_width(std::string_view s, int scale);
long text_height(int scale);

// Draws s with its top left corner at pixel (x, y), clipped to the canvas. Throws
// std::invalid_argument naming the first character the font lacks (before drawing
// anything) or a scale below 1.
void draw_text(Canvas& c, long x, long y, std::string_view s, std::uint8_t colour, int scale);

}  // namespace flow::report
