#include "sim/config/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>

namespace nibble::config {

std::string ConfigIssue::message() const {
  std::string where = pointer.empty() ? std::string("/") : pointer;
  std::string m = fmt::format("{}: {}: expected {}, found {}", where, what, expected, found);
  if (!note.empty()) m += " (" + note + ")";
  return m;
}

void Diagnostics::add(std::string pointer, std::string what, std::string expected,
                      std::string found, std::string note) {
  issues_.push_back({std::move(pointer), std::move(what), std::move(expected), std::move(found),
                     std::move(note)});
}

static std::string render(const std::string& file, const std::vector<ConfigIssue>& issues) {
  if (issues.size() == 1) return file + ": " + issues.front().message();
  // A generated or mangled file can hold thousands of mistakes; the first
  // few dozen are enough to see the pattern.
  constexpr size_t kShown = 50;
  std::string m = fmt::format("{}: {} errors", file, issues.size());
  for (size_t i = 0; i < issues.size() && i < kShown; ++i)
    m += fmt::format("\n  {}: {}", file, issues[i].message());
  if (issues.size() > kShown) m += fmt::format("\n  ... and {} more", issues.size() - kShown);
  return m;
}

ConfigError::ConfigError(std::string file, std::vector<ConfigIssue> issues)
    : InputError(render(file, issues)), file_(std::move(file)), issues_(std::move(issues)) {}

void throw_if_any(const std::string& file, const Diagnostics& diag) {
  if (!diag.empty()) throw ConfigError(file, diag.issues());
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // A third of the word (at least 2 edits) catches typos and swapped letters
  // without suggesting unrelated keys for short words.
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char ch : key) {
    if (ch == '~')
      out += "~0";
    else if (ch == '/')
      out += "~1";
    else
      out += ch;
  }
  return out;
}

}  // namespace nibble::config
