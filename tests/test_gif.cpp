// Animated GIFs: what gif_animation writes, giflib reads back exactly (size, frames,
// pixels, palette, delay, the loop); per-frame delays read back frame by frame; bad
// frames are refused; point clouds land where the window puts them.
#include <cstring>

#include <catch2/catch.hpp>
#include <gif_lib.h>

#include "report/gif.hpp"

using namespace flow;

namespace {

struct Reader {
    const std::string* bytes;
    std::size_t at = 0;
};

int read_bytes(GifFileType* gif, GifByteType* out, int n) {
    auto* r = static_cast<Reader*>(gif->UserData);
    const std::size_t k = std::min<std::size_t>(std::size_t(n), r->bytes->size() - r->at);
    std::memcpy(out, r->bytes->data() + r->at, k);
    r->at += k;
    return int(k);
}

// The delay of each frame of a GIF's bytes, as giflib decodes them.
std::vector<int> decoded_delays(const std::string& bytes) {
    Reader r{&bytes};
    int err = 0;
    GifFileType* gif = DGifOpen(&r, read_bytes, &err);
    REQUIRE(gif);
    REQUIRE(DGifSlurp(gif) == GIF_OK);
    std::vector<int> d;
    for (int k = 0; k < gif->ImageCount; ++k) {
        GraphicsControlBlock gcb;
        REQUIRE(DGifSavedExtensionToGCB(gif, k, &gcb) == GIF_OK);
        d.push_back(gcb.DelayTime);
    }
    DGifCloseFile(gif, &err);
    return d;
}

}  // namespace

TEST_CASE("an animated GIF reads back frame by frame, pixel by pixel", "[report][gif][fast]") {
    std::vector<report::Canvas> frames;
    for (int k = 0; k < 3; ++k) {
        report::Canvas c(40, 30, 0);
        c.rect(5 * k, 2, 5 * k + 6, 8, 1);
        c.disc(20, 15, 4, 2);
        frames.push_back(c);
    }
    const std::vector<std::uint32_t> palette = {0xffffff, 0x1f77b4, 0xd62728};
    const std::string bytes = report::gif_animation(frames, palette, 7);
    CHECK(bytes.rfind("GIF89a", 0) == 0);

    Reader r{&bytes};
    int err = 0;
    GifFileType* gif = DGifOpen(&r, read_bytes, &err);
    REQUIRE(gif);
    REQUIRE(DGifSlurp(gif) == GIF_OK);
    CHECK(gif->SWidth == 40);
    CHECK(gif->SHeight == 30);
    REQUIRE(gif->ImageCount == 3);
    const ColorMapObject* map = gif->SColorMap;
    REQUIRE(map);
    CHECK(map->Colors[1].Red == 0x1f);
    CHECK(map->Colors[1].Green == 0x77);
    CHECK(map->Colors[1].Blue == 0xb4);
    bool loops = false;
    for (int k = 0; k < 3; ++k) {
        const SavedImage& im = gif->SavedImages[k];
        bool same = true;
        for (std::size_t i = 0; i < frames[std::size_t(k)].pixels.size(); ++i)
            same = same && im.RasterBits[i] == frames[std::size_t(k)].pixels[i];
        CHECK(same);
        GraphicsControlBlock gcb;
        REQUIRE(DGifSavedExtensionToGCB(gif, k, &gcb) == GIF_OK);
        CHECK(gcb.DelayTime == 7);
        for (int e = 0; e < im.ExtensionBlockCount; ++e)
            if (im.ExtensionBlocks[e].ByteCount == 11 &&
                std::memcmp(im.ExtensionBlocks[e].Bytes, "NETSCAPE2.0", 11) == 0)
                loops = true;
    }
    CHECK(loops);
    DGifCloseFile(gif, &err);

    CHECK_THROWS(report::gif_animation({}, palette, 5));
    CHECK_THROWS(report::gif_animation({report::Canvas(4, 4, 3)}, palette, 5));  // colour 3 of 3
    CHECK_THROWS(report::gif_animation({report::Canvas(4, 4), report::Canvas(5, 4)}, palette, 5));
}

TEST_CASE("points are drawn where the window puts them", "[report][gif][fast]") {
    report::Canvas c(100, 50, 0);
    const xt::xtensor<float, 2> pts = {{0.0f, 0.0f}, {-1.0f, 1.0f}, {5.0f, 0.0f}};
    CHECK(report::draw_points(c, pts, {-1, 1, -1, 1}, 1.5, 1) == 2);  // (5, 0) is outside
    CHECK(c.at(50, 25) == 1);  // the origin: the centre
    CHECK(c.at(0, 0) == 1);    // (-1, 1): the top left corner
    CHECK(c.at(99, 49) == 0);
}

TEST_CASE("each frame keeps its own delay, and the last pauses at least a second", "[report][gif][fast]") {
    const std::vector<int> delays = report::frame_delays(5, 8, 60, 150);
    CHECK(delays == std::vector<int>{60, 8, 8, 8, 150});
    std::vector<report::Canvas> frames;
    for (int k = 0; k < 5; ++k) {
        report::Canvas c(16, 12, 0);
        c.rect(k, 0, k + 3, 3, 1);
        frames.push_back(c);
    }
    const auto read = decoded_delays(report::gif_animation(frames, {0xffffff, 0xb01c1c}, delays));
    CHECK(read == delays);
    REQUIRE(!read.empty());
    CHECK(read.back() >= 100);
    CHECK(decoded_delays(report::gif_animation(frames, {0xffffff, 0xb01c1c}, 9)) == std::vector<int>(5, 9));
    CHECK_THROWS_AS(report::gif_animation(frames, {0xffffff, 0xb01c1c}, std::vector<int>{8, 8}),
                    std::invalid_argument);
    CHECK_THROWS_AS(report::gif_animation(frames, {0xffffff, 0xb01c1c}, std::vector<int>(5, -1)),
                    std::invalid_argument);
    CHECK_THROWS(report::frame_delays(0, 8, 60, 150));
}
