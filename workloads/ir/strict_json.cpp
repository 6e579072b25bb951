#include "workloads/ir/strict_json.hpp"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/strict_json.hpp"

namespace nibble::workload {
Json read_json_document(const std::filesystem::path& path, const std::string& what) {
  // Workloads are at most a few MiB (ten thousand ops); larger is a wrong file.
  return io::read_json_file(path, what, io::kMaxDocumentBytes);
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
  return pointer_ + "/" + io::pointer_token(key);
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
