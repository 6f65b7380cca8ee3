#pragma once
// Files are written atomically: to a temporary name beside the target, then renamed,
// so that an interrupted run never leaves a half-written file that looks finished.
#include <filesystem>
#include <string>
#include <string_view>

namespace flow {

namespace fs = std::filesystem;

// Writes content to path through a temporary file and a rename; creates parent folders.
void write_atomic(const fs::path& path, std::string_view content);
// Writes only when the content differs, so that make sees no change when there is none.
void write_if_changed(const fs::path& path, std::string_view content);
std::string read_file(const fs::path& path);
// A unique temporary name beside path (same folder, so that rename is atomic).
fs::path temporary_sibling(const fs::path& path);

}  // namespace flow
