#pragma once
// Strict reading of a JSON object: every key read is marked known, and
// finish() rejects the rest. Errors are InputErrors naming the file, the
// JSON pointer, what was expected and what was found.
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace nibble::train {

class JsonReader {
 public:
  JsonReader(const nlohmann::json& j, std::string file, std::string pointer = "");
  bool has(const std::string& key) const { return j_.contains(key); }
  double number(const std::string& key, double def, double min, double max);
  int integer(const std::string& key, int def, int min, int max);
  bool boolean(const std::string& key, bool def);
  std::string string(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed = {});
  int required_integer(const std::string& key, int min, int max);
  std::string required_string(const std::string& key);
  JsonReader object(const std::string& key);  // {} when absent
  // An array of objects (or of integers via integers()).
  std::vector<JsonReader> objects(const std::string& key, bool required);
  std::vector<int> integers(const std::string& key, size_t count, int min, int max);
  std::vector<std::string> keys() const;  // for free-form maps
  void finish() const;
  [[noreturn]] void fail(const std::string& key, const std::string& expected,
                         const std::string& found) const;
  std::string where(const std::string& key) const;
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json* at(const std::string& key, const char* type,
                           bool (nlohmann::json::*is)() const);
  nlohmann::json j_;
  std::string file_, pointer_;
  std::set<std::string> known_;
};

// Reads a JSON file; parse errors name the file and position.
nlohmann::json read_json_file(const std::string& path);
// Applies `/pointer=value` (value parsed as JSON, else taken as a string).
void apply_override(nlohmann::json& j, const std::string& assignment, const std::string& file);

}  // namespace nibble::train
