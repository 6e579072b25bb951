#pragma once
// Chip and tech configs are read by the one hardened input layer
// (workloads/io/strict_json.hpp): regular files only, a size cap, strict
// syntax, no duplicate keys, bounded nesting, errors naming the file and the
// JSON pointer. This header keeps the config-side names and the config cap.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "workloads/io/strict_json.hpp"

namespace nibble::config {

// Chip and tech configs are a few KiB; anything this large is a mistake
// (a data file passed as a config), refused before reading a byte of it.
inline constexpr uint64_t kMaxConfigBytes = io::kMaxConfigBytes;
inline constexpr size_t kMaxJsonDepth = io::kMaxJsonDepth;

inline nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what,
                                     uint64_t max_bytes = kMaxConfigBytes) {
  return io::read_json_file(path, what, max_bytes);
}

using io::parse_json_text;
using io::position_of;
using io::TextPosition;

}  // namespace nibble::config
