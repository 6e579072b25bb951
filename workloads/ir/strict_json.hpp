#pragma once
// Minimal strict JSON reading for workload files. workloads/ may not depend on
// sim/config (whose Diagnostics layer does this for chip configs), so this
// keeps the same message shape — "FILE: /json/pointer: expected X, found Y" —
// with a few helpers: unknown keys, wrong types and out-of-range numbers are
// InputErrors, never silently defaulted.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <string>

namespace nibble::workload {

using Json = nlohmann::json;

// Reads and parses a JSON file; syntax errors name the line and column.
Json read_json_document(const std::filesystem::path& path, const std::string& what);

// Short description of a JSON value for "found ..." in messages.
std::string describe_json(const Json& j);

class StrictObject {
 public:
  // Throws unless `j` is an object.
  StrictObject(const Json& j, std::string file, std::string pointer);

  bool has(const std::string& key) const { return j_.contains(key); }
  uint64_t uint(const std::string& key, uint64_t min = 0,
                uint64_t max = std::numeric_limits<uint32_t>::max());
  uint64_t uint_or(const std::string& key, uint64_t fallback, uint64_t min = 0,
                   uint64_t max = std::numeric_limits<uint32_t>::max());
  std::string string(const std::string& key);
  std::string string_or(const std::string& key, std::string fallback);
  bool boolean_or(const std::string& key, bool fallback);
  // The raw member (marks it known); throws if missing.
  const Json& member(const std::string& key);
  // Throws naming the first key nobody asked for.
  void reject_unknown_keys() const;

  std::string pointer_of(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& expected,
                         const std::string& found) const;
  const std::string& file() const { return file_; }

 private:
  const Json& j_;
  std::string file_;
  std::string pointer_;
  std::set<std::string> known_;
};

}  // namespace nibble::workload
