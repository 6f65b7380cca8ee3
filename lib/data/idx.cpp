#include "data/idx.hpp"

#include <zlib.h>

#include <fmt/format.h>

namespace flow::data {

namespace {

std::size_t big_endian_u32(const std::uint8_t* p) {
    return (std::size_t(p[0]) << 24) | (std::size_t(p[1]) << 16) | (std::size_t(p[2]) << 8) | std::size_t(p[3]);
}

}  // namespace

Idx parse_idx(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const auto fail = [&](const std::string& what) { throw IdxError(fmt::format("{}: {}", name, what)); };
    if (bytes.size() < 4) fail(fmt::format("not an IDX file: {} bytes, shorter than its magic number", bytes.size()));
    if (bytes[0] != 0 || bytes[1] != 0 || bytes[3] < 1 || bytes[3] > 4)
        fail(fmt::format("not an IDX file: magic number {:02x} {:02x} {:02x} {:02x}, expected 00 00 08 and 1 to 4 "
                         "dimensions",
                         bytes[0], bytes[1], bytes[2], bytes[3]));
    if (bytes[2] != 0x08) fail(fmt::format("element type {:#04x}; only unsigned bytes (0x08) are read", bytes[2]));
    Idx idx;
    const std::size_t ndims = bytes[3], header = 4 + 4 * ndims;
    if (bytes.size() < header)
        fail(fmt::format("truncated header: {} bytes, {} dimensions need {}", bytes.size(), ndims, header));
    std::size_t count = 1;
    for (std::size_t d = 0; d < ndims; ++d) {
        idx.dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * d));
        count *= idx.dims.back();
    }
    if (bytes.size() - header < count)
        fail(fmt::format("truncated: {} bytes of data, its sizes need {}", bytes.size() - header, count));
    if (bytes.size() - header > count)
        fail(fmt::format("{} bytes after the {} its sizes give", bytes.size() - header - count, count));
    idx.data.assign(bytes.begin() + long(header), bytes.end());
    return idx;
}

Idx read_idx(const std::filesystem::path& path) {
    const std::string name = path.string();
    gzFile f = gzopen(name.c_str(), "rb");
    if (!f) throw IdxError(fmt::format("{}: cannot open", name));
    std::vector<std::uint8_t> bytes;
    std::uint8_t buffer[1 << 16];
    int got = 0;
    while ((got = gzread(f, buffer, sizeof buffer)) > 0) bytes.insert(bytes.end(), buffer, buffer + got);
    int code = Z_OK;
    std::string why = gzerror(f, &code);
    if (why.rfind(name + ": ", 0) == 0) why.erase(0, name.size() + 2);  // zlib names the file too
    gzclose(f);
    if (got < 0 || (code != Z_OK && code != Z_STREAM_END))
        throw IdxError(fmt::format("{}: damaged or cut gzip data ({})", name, why));
    return parse_idx(name, bytes);
}

LabelledImages read_fashion_mnist(const std::filesystem::path& dir, bool train) {
    const std::string prefix = train ? "train" : "t10k";
    const auto images_path = dir / (prefix + "-images-idx3-ubyte.gz");
    const auto labels_path = dir / (prefix + "-labels-idx1-ubyte.gz");
    const Idx im = read_idx(images_path), lab = read_idx(labels_path);
    if (im.dims.size() != 3)
        throw IdxError(fmt::format("{}: {} dimensions, images need 3 (count, rows, columns)", images_path.string(),
                                   im.dims.size()));
    if (lab.dims.size() != 1)
        throw IdxError(fmt::format("{}: {} dimensions, labels need 1", labels_path.string(), lab.dims.size()));
    if (lab.dims[0] != im.dims[0])
        throw IdxError(fmt::format("{}: {} labels for the {} images of {}", labels_path.string(), lab.dims[0],
                                   im.dims[0], images_path.filename().string()));
    LabelledImages out;
    out.rows = im.dims[1], out.cols = im.dims[2];
    const std::size_t n = im.dims[0], pixels = out.rows * out.cols;
    out.images = xt::xtensor<float, 2>::from_shape({n, pixels});
    float* dst = out.images.data();
    for (std::size_t k = 0; k < n * pixels; ++k) dst[k] = float(im.data[k]) / 255.0f;
    out.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (lab.data[i] >= fashion_mnist_classes().size())
            throw IdxError(fmt::format("{}: label {} of row {}, the classes are 0 to 9", labels_path.string(),
                                       int(lab.data[i]), i + 1));
        out.labels[i] = lab.data[i];
    }
    return out;
}

const std::vector<std::string>& fashion_mnist_classes() {
    static const std::vector<std::string> names{"T-shirt/top", "trouser", "pullover", "dress", "coat",
                                                "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};
    return names;
}

}  // namespace flow::data
