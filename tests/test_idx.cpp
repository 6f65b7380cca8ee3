// IDX files (lib/data/idx.hpp): written here byte by byte, plain and gzip-compressed,
// read back; every damaged form refused in one line naming the file; Fashion-MNIST's two
// files of a split read together; and, where Debian's dataset-fashion-mnist is installed
// (scripts/install-deps installs it), its test split as published: 10,000 images of
// 28 x 28, 1,000 of each class.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "data/idx.hpp"

using namespace flow;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims,
                                    const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> b{0, 0, type, std::uint8_t(dims.size())};
    for (const std::uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(std::uint8_t(d >> shift));
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

struct Folder {
    fs::path path = fs::temp_directory_path() / ("flowreport-idx-" + std::to_string(::getpid()));
    Folder() { fs::create_directories(path); }
    ~Folder() { fs::remove_all(path); }
};

void write_plain(const fs::path& p, const std::vector<std::uint8_t>& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
}

void write_gz(const fs::path& p, const std::vector<std::uint8_t>& b) {
    gzFile f = gzopen(p.string().c_str(), "wb");
    REQUIRE(f);
    REQUIRE(gzwrite(f, b.data(), unsigned(b.size())) == int(b.size()));
    gzclose(f);
}

// The message of the IdxError that reading p throws, or "" if it reads.
std::string refusal(const fs::path& p) {
    try {
        data::read_idx(p);
    } catch (const data::IdxError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("IDX files read back, plain or gzip-compressed", "[data][fast]") {
    Folder dir;
    std::vector<std::uint8_t> pixels(2 * 3 * 4);
    for (std::size_t k = 0; k < pixels.size(); ++k) pixels[k] = std::uint8_t(10 * k + 1);
    const auto bytes = idx_bytes(0x08, {2, 3, 4}, pixels);
    write_plain(dir.path / "a.idx", bytes);
    write_gz(dir.path / "a.idx.gz", bytes);
    for (const char* name : {"a.idx", "a.idx.gz"}) {
        const data::Idx idx = data::read_idx(dir.path / name);
        CHECK(idx.dims == std::vector<std::size_t>{2, 3, 4});
        CHECK(idx.data == pixels);
    }
    // A size above 2^24 is read from all four of its bytes.
    const data::Idx big = data::parse_idx("big", idx_bytes(0x08, {0x01000002, 0}, {}));
    CHECK(big.dims == std::vector<std::size_t>{0x01000002, 0});
}

TEST_CASE("Damaged IDX files are refused in one line that names the file", "[data][fast]") {
    Folder dir;
    const std::vector<std::uint8_t> data(12, 7);
    const auto good = idx_bytes(0x08, {3, 4}, data);
    const auto check = [&](const std::string& name, const std::vector<std::uint8_t>& b, const std::string& says,
                           bool gz) {
        const fs::path p = dir.path / name;
        gz ? write_gz(p, b) : write_plain(p, b);
        const std::string why = refusal(p);
        INFO(name << ": " << why);
        CHECK(why.rfind(p.string() + ": ", 0) == 0);
        CHECK(why.find(says) != std::string::npos);
        CHECK(why.find('\n') == std::string::npos);
    };
    check("cut.idx", std::vector<std::uint8_t>(good.begin(), good.end() - 1), "truncated: 11 bytes of data", false);
    check("cut.idx.gz", std::vector<std::uint8_t>(good.begin(), good.end() - 5), "truncated: 7 bytes", true);
    check("header.idx", std::vector<std::uint8_t>(good.begin(), good.begin() + 9), "truncated header", false);
    auto magic = good;
    magic[0] = 0x1f;
    check("magic.idx", magic, "not an IDX file: magic number 1f 00 08 02", false);
    check("png.idx", {0x89, 'P', 'N', 'G', 0x0d, 0x0a}, "not an IDX file", false);
    check("short.idx", {0, 0}, "shorter than its magic number", false);
    check("float.idx", idx_bytes(0x0d, {3}, std::vector<std::uint8_t>(12, 0)), "only unsigned bytes", false);
    auto longer = good;
    longer.push_back(0);
    check("long.idx", longer, "1 bytes after the 12", false);
    CHECK(refusal(dir.path / "absent.idx.gz") == (dir.path / "absent.idx.gz").string() + ": cannot open");

    // A gzip stream cut in the middle: the compressed bytes of a good file, halved.
    write_gz(dir.path / "whole.gz", idx_bytes(0x08, {4000}, std::vector<std::uint8_t>(4000, 3)));
    std::ifstream in(dir.path / "whole.gz", std::ios::binary);
    std::vector<char> z((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir.path / "half.gz", std::ios::binary).write(z.data(), long(z.size() / 2));
    const std::string why = refusal(dir.path / "half.gz");
    INFO(why);
    CHECK(why == (dir.path / "half.gz").string() + ": damaged or cut gzip data (unexpected end of file)");
}

TEST_CASE("A Fashion-MNIST split is its images scaled to [0, 1] and their labels", "[data][fast]") {
    Folder dir;
    std::vector<std::uint8_t> pixels(3 * 28 * 28);
    for (std::size_t k = 0; k < pixels.size(); ++k) pixels[k] = std::uint8_t(k % 256);
    write_gz(dir.path / "t10k-images-idx3-ubyte.gz", idx_bytes(0x08, {3, 28, 28}, pixels));
    write_gz(dir.path / "t10k-labels-idx1-ubyte.gz", idx_bytes(0x08, {3}, {9, 0, 4}));
    const data::LabelledImages s = data::read_fashion_mnist(dir.path, false);
    REQUIRE(s.images.shape(0) == 3);
    REQUIRE(s.images.shape(1) == 784);
    CHECK(s.rows == 28);
    CHECK(s.labels == std::vector<int>{9, 0, 4});
    CHECK(s.images(0, 0) == 0.0f);
    CHECK(s.images(0, 255) == 1.0f);
    CHECK(s.images(1, 1) == float(785 % 256) / 255.0f);
    CHECK(data::fashion_mnist_classes().at(9) == "ankle boot");

    // Labels that disagree with the images are refused.
    write_gz(dir.path / "t10k-labels-idx1-ubyte.gz", idx_bytes(0x08, {2}, {9, 0}));
    CHECK_THROWS_WITH(data::read_fashion_mnist(dir.path, false),
                      Catch::Contains("2 labels for the 3 images of t10k-images-idx3-ubyte.gz"));
    write_gz(dir.path / "t10k-labels-idx1-ubyte.gz", idx_bytes(0x08, {3}, {9, 10, 4}));
    CHECK_THROWS_WITH(data::read_fashion_mnist(dir.path, false), Catch::Contains("label 10 of row 2"));
    CHECK_THROWS_AS(data::read_fashion_mnist(dir.path, true), data::IdxError);  // no train files here
}

TEST_CASE("Debian's Fashion-MNIST test split holds 10,000 images, 1,000 a class", "[data]") {
    if (!fs::exists(data::kFashionMnistDir / "t10k-images-idx3-ubyte.gz")) {
        WARN("dataset-fashion-mnist is not installed (scripts/install-deps installs it); skipped");
        return;
    }
    const data::LabelledImages s = data::read_fashion_mnist(data::kFashionMnistDir, false);
    CHECK(s.images.shape(0) == 10000);
    CHECK(s.rows == 28);
    CHECK(s.cols == 28);
    for (int c = 0; c < 10; ++c) CHECK(std::count(s.labels.begin(), s.labels.end(), c) == 1000);
    const auto [lo, hi] = std::minmax_element(s.images.begin(), s.images.end());
    CHECK(*lo == 0.0f);
    CHECK(*hi == 1.0f);
}
