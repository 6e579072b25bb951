#pragma once
// The one strict JSON reader for every JSON input (chip and tech configs,
// workloads, arch-nets, trainer nets, recipes, sweep specs and manifests,
// trace manifests, --set values): no comments, no trailing commas, no
// duplicate keys, bounded nesting, syntax errors with line and column, and
// every error an InputFileError naming the file and the JSON pointer.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "workloads/io/input_file.hpp"

namespace nibble::io {

// Deeper than any input needs (a trainer net with residual blocks nests
// about 8 levels); bounds recursion on hostile input.
inline constexpr size_t kMaxJsonDepth = 64;

// Parses text strictly. `source` names the origin in messages (a file name,
// "--set /a/b").
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// Reads and parses a regular file of at most `max_bytes`. `what` names the
// expected content in messages ("chip config").
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what,
                              uint64_t max_bytes = kMaxDocumentBytes);

// 1-based line and column of a byte offset, as editors count them.
struct TextPosition {
  size_t line;
  size_t column;
};
TextPosition position_of(const std::string& text, size_t byte_offset);

// "~" and "/" escaped as a JSON pointer reference token (RFC 6901).
std::string pointer_token(const std::string& key);

}  // namespace nibble::io
