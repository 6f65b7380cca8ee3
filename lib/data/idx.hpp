#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a magic number 00 00 TT DD (TT the
// element type, 0x08 for unsigned bytes, the only type read here; DD the number of
// dimensions, 1 to 4), DD sizes as big-endian 32-bit integers, then the elements in
// row-major order and nothing after them. A gzip-compressed file is decompressed as it is
// read (zlib passes an uncompressed file through unchanged). Anything else is refused
// with one line that names the file: a file that cannot be opened, a damaged or cut gzip
// stream, a wrong magic number, another element type, a header or body shorter than its
// sizes say, bytes after the body.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace flow::data {

struct IdxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Idx {
    std::vector<std::size_t> dims;
    std::vector<std::uint8_t> data;  // row-major, the product of dims entries
};

// The IDX held in `bytes`; `name` is the file's name in the errors.
Idx parse_idx(const std::string& name, const std::vector<std::uint8_t>& bytes);
// The same for a file on disk, gzip-compressed or not.
Idx read_idx(const std::filesystem::path& path);

// Where Debian's dataset-fashion-mnist installs the four files.
inline const std::filesystem::path kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// One split of Fashion-MNIST: N images as an (N, rows x cols) matrix of pixel / 255 in
// [0, 1], row by row, and their classes 0-9 (class_names). The split's two files
// (<prefix>-images-idx3-ubyte.gz and <prefix>-labels-idx1-ubyte.gz, prefix "train" or
// "t10k") must agree: as many labels as images, every label below 10.
struct LabelledImages {
    xt::xtensor<float, 2> images;
    std::vector<int> labels;
    std::size_t rows = 0, cols = 0;
};
LabelledImages read_fashion_mnist(const std::filesystem::path& dir, bool train);
// The ten classes in label order: "T-shirt/top", "trouser", ...
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace flow::data
