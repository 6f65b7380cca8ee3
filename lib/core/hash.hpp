#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace flow {

// 64-bit FNV-1a: a stable, dependency-free hash for configurations and file checksums.
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ULL);
std::string hex64(std::uint64_t h);  // 16 lower-case hex digits

}  // namespace flow
