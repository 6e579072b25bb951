#pragma once
// Reading a JSON input file without trusting it: missing paths, directories,
// devices, huge files, binary data, syntax errors (with line and column),
// duplicate keys and absurd nesting all become InputErrors naming the file.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace nibble::config {

// Chip and tech configs are a few KiB; anything this large is a mistake
// (a data file passed as a config), refused before reading a byte of it.
inline constexpr uint64_t kMaxConfigBytes = 4ull << 20;
// Deeper nesting than any config needs; bounds recursion on hostile input.
inline constexpr size_t kMaxJsonDepth = 64;

// Reads and parses a file. `what` names the expected content in messages
// ("chip config"). Throws InputError/ConfigError.
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what,
                              uint64_t max_bytes = kMaxConfigBytes);

// Parses text strictly (no comments, no duplicate keys, bounded depth).
// `source` names the origin in messages (a file name, "--set /a/b").
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// 1-based line and column of a byte offset, as editors count them.
struct TextPosition {
  size_t line;
  size_t column;
};
TextPosition position_of(const std::string& text, size_t byte_offset);

}  // namespace nibble::config
