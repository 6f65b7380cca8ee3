#include "core/files.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace flow {

fs::path temporary_sibling(const fs::path& path) {
    static std::atomic<unsigned> counter{0};
    return path.parent_path() /
           ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
}

void write_atomic(const fs::path& path, std::string_view content) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    const fs::path tmp = temporary_sibling(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw std::runtime_error("cannot write " + path.string() + " (disk full?)");
        }
    }
    fs::rename(tmp, path);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_if_changed(const fs::path& path, std::string_view content) {
    std::error_code ec;
    if (fs::exists(path, ec) && read_file(path) == content) return;
    write_atomic(path, content);
}

}  // namespace flow
