#pragma once
// Everything wrong with one input file, collected before anything is thrown,
// so a user fixes all mistakes of a config in one edit instead of one per run.
#include <string>
#include <string_view>
#include <vector>

#include "hw_models/numerics/errors.hpp"

namespace nibble::config {

// One problem at one place: the JSON pointer, what the declaration expects
// and what the file holds. `what` names the kind ("unknown key", ...).
struct ConfigIssue {
  std::string pointer;  // RFC 6901, "" is the document root
  std::string what;
  std::string expected;
  std::string found;
  std::string note;  // e.g. a "did you mean" hint or the --set it came from

  std::string message() const;  // "/ptr: what: expected X, found Y (note)"
};

class Diagnostics {
 public:
  void add(ConfigIssue issue) { issues_.push_back(std::move(issue)); }
  void add(std::string pointer, std::string what, std::string expected, std::string found,
           std::string note = {});
  size_t size() const { return issues_.size(); }
  bool empty() const { return issues_.empty(); }
  std::vector<ConfigIssue>& issues() { return issues_; }
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

// Bad input in a config file (exit code 2). Keeps the structured issues for
// tests and tools; what() is the full human-readable report.
class ConfigError : public InputError {
 public:
  ConfigError(std::string file, std::vector<ConfigIssue> issues);
  const std::string& file() const { return file_; }
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::string file_;
  std::vector<ConfigIssue> issues_;
};

// Throws ConfigError when `diag` holds any issue.
void throw_if_any(const std::string& file, const Diagnostics& diag);

// The closest candidate within a small edit distance, or "" when none is
// close enough to be a plausible typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Levenshtein distance (insert, delete, substitute; case-insensitive).
size_t edit_distance(std::string_view a, std::string_view b);

// JSON pointer escaping of one reference token (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_token(std::string_view key);

}  // namespace nibble::config
