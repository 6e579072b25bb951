#include "workloads/ir/strict_json.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "hw_models/numerics/errors.hpp"

namespace nibble::workload {
namespace {

// Workloads are at most a few MiB (ten thousand ops); larger is a wrong file.
constexpr std::uintmax_t kMaxWorkloadBytes = 64ull << 20;

std::string escape_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace

Json read_json_document(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(fmt::format("{}: cannot read {}: not a regular file", path.string(), what));
  if (std::filesystem::file_size(path, ec) > kMaxWorkloadBytes)
    throw InputError(fmt::format("{}: too large for a {} (limit {} bytes)", path.string(), what,
                                 kMaxWorkloadBytes));
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  if (!in) throw InputError(fmt::format("{}: cannot read {}", path.string(), what));
  const std::string text = buf.str();
  // nlohmann keeps the last of duplicate keys silently; a workload with two
  // "m" keys is a mistake, so track the keys of every open object.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  const Json::parser_callback_t check_keys = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == Json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == Json::parse_event_t::key && !open_objects.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    Json doc = Json::parse(text, check_keys);
    if (!duplicate.empty())
      throw InputError(fmt::format("{}: {} has the key \"{}\" twice in one object", path.string(),
                                   what, duplicate));
    return doc;
  } catch (const Json::parse_error& e) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw InputError(fmt::format("{}:{}:{}: {} is not valid JSON: {}", path.string(), line, col,
                                 what, e.what()));
  }
}

std::string describe_json(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return fmt::format("{} {}", j.type_name(), s);
}

StrictObject::StrictObject(const Json& j, std::string file, std::string pointer)
    : j_(j), file_(std::move(file)), pointer_(std::move(pointer)) {
  if (!j_.is_object())
    throw InputError(fmt::format("{}: {}: expected an object, found {}", file_,
                                 pointer_.empty() ? "/" : pointer_, describe_json(j_)));
}

std::string StrictObject::pointer_of(const std::string& key) const {
  return pointer_ + "/" + escape_token(key);
}

void StrictObject::fail(const std::string& key, const std::string& expected,
                        const std::string& found) const {
  throw InputError(
      fmt::format("{}: {}: expected {}, found {}", file_, pointer_of(key), expected, found));
}

const Json& StrictObject::member(const std::string& key) {
  known_.insert(key);
  if (!j_.contains(key)) fail(key, "a value (required key)", "nothing");
  return j_.at(key);
}

uint64_t StrictObject::uint(const std::string& key, uint64_t min, uint64_t max) {
  const Json& v = member(key);
  const std::string expected = fmt::format("an integer in [{}, {}]", min, max);
  // nlohmann stores non-negative literals as unsigned when parsed but as
  // signed when built in code: accept both, reject negatives and floats.
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0))
    fail(key, expected, describe_json(v));
  const uint64_t x = v.get<uint64_t>();
  if (x < min || x > max) fail(key, expected, std::to_string(x));
  return x;
}

uint64_t StrictObject::uint_or(const std::string& key, uint64_t fallback, uint64_t min,
                               uint64_t max) {
  known_.insert(key);
  return j_.contains(key) ? uint(key, min, max) : fallback;
}

std::string StrictObject::string(const std::string& key) {
  const Json& v = member(key);
  if (!v.is_string()) fail(key, "a string", describe_json(v));
  return v.get<std::string>();
}

std::string StrictObject::string_or(const std::string& key, std::string fallback) {
  known_.insert(key);
  return j_.contains(key) ? string(key) : fallback;
}

bool StrictObject::boolean_or(const std::string& key, bool fallback) {
  known_.insert(key);
  if (!j_.contains(key)) return fallback;
  const Json& v = j_.at(key);
  if (!v.is_boolean()) fail(key, "true or false", describe_json(v));
  return v.get<bool>();
}

void StrictObject::reject_unknown_keys() const {
  for (const auto& [key, value] : j_.items())
    if (!known_.contains(key)) {
      std::string allowed;
      for (const auto& k : known_) allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", k);
      fail(key, fmt::format("one of the known keys ({})", allowed), "unknown key");
    }
}

}  // namespace nibble::workload
