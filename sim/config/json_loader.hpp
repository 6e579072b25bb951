#pragma once
// Strict loading of a parameter struct from JSON, driven by its declare():
// every declared key is type- and range-checked, required keys must be
// present, undeclared keys are errors (with a "did you mean"), and the
// struct's check() runs once its own fields are sound. All problems are
// collected in a Diagnostics, none is thrown here.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/param_traits.hpp"

namespace nibble::config {

using Json = nlohmann::json;

template <class T>
void load_struct(const Json& node, const std::string& pointer, T& out, Diagnostics& diag);

// Receives a struct's check(): c.expect(ok, key, expected, found).
class CheckVisitor {
 public:
  CheckVisitor(std::string pointer, Diagnostics& diag)
      : pointer_(std::move(pointer)), diag_(diag) {}
  void expect(bool ok, std::string_view key, std::string_view expected, const std::string& found) {
    if (!ok)
      diag_.add(fmt::format("{}/{}", pointer_, pointer_token(key)), "inconsistent design",
                std::string(expected), found);
  }

 private:
  std::string pointer_;
  Diagnostics& diag_;
};

class LoadVisitor {
 public:
  LoadVisitor(const Json& object, std::string pointer, Diagnostics& diag)
      : object_(object), pointer_(std::move(pointer)), diag_(diag) {}

  template <class T>
  void param(const char* key, T& member, const hw::ParamMeta& meta) {
    declared_.emplace_back(key);
    constexpr ParamKind kind = kind_of<T>();
    std::vector<std::string> names;
    if constexpr (kind == ParamKind::enumeration) names = enum_names<T>();
    const Bounds bounds = bounds_of<T>(meta);
    const std::string expected = describe_expected(kind, bounds, meta.unit, names);
    const std::string ptr = child(key);
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (meta.required) diag_.add(ptr, "missing required key", expected, "nothing");
      return;
    }
    const Json& v = *it;
    if constexpr (kind == ParamKind::boolean) {
      if (!v.is_boolean()) return wrong_type(ptr, expected, v);
      member = v.get<bool>();
    } else if constexpr (kind == ParamKind::integer) {
      const bool integral = v.is_number_integer() ||
                            (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()));
      if (!v.is_number() || !integral) return wrong_type(ptr, expected, v);
      if (!in_range(v, bounds)) return out_of_range(ptr, expected, v);
      if (v.is_number_unsigned())
        member = static_cast<T>(v.get<uint64_t>());
      else if (v.is_number_integer())
        member = static_cast<T>(v.get<int64_t>());
      else
        member = static_cast<T>(v.get<double>());
    } else if constexpr (kind == ParamKind::number) {
      if (!v.is_number()) return wrong_type(ptr, expected, v);
      if (!in_range(v, bounds)) return out_of_range(ptr, expected, v);
      member = static_cast<T>(v.get<double>());
    } else if constexpr (kind == ParamKind::string) {
      if (!v.is_string()) return wrong_type(ptr, expected, v);
      member = v.get<std::string>();
    } else {
      if (!v.is_string()) return wrong_type(ptr, expected, v);
      const auto s = v.get<std::string>();
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == s) {
          member = static_cast<T>(i);
          return;
        }
      }
      diag_.add(ptr, "unknown value", expected, describe_found(v), suggestion(s, names));
    }
  }

  template <class T>
  void group(const char* key, T& member, const char* /*desc*/) {
    declared_.emplace_back(key);
    auto it = object_.find(key);
    // An absent group is an empty one: its defaults apply and its required
    // keys are reported one by one, with their full pointers.
    static const Json kEmpty = Json::object();
    load_struct(it == object_.end() ? kEmpty : *it, child(key), member, diag_);
  }

  template <class T>
  void list(const char* key, std::vector<T>& member, const hw::ParamMeta& meta) {
    declared_.emplace_back(key);
    const std::string ptr = child(key);
    const Bounds b = bounds_of<size_t>(meta);
    const std::string expected = fmt::format("array of{} objects", describe_range(b));
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (meta.required) diag_.add(ptr, "missing required key", expected, "nothing");
      return;
    }
    if (!it->is_array()) return wrong_type(ptr, expected, *it);
    const auto n = static_cast<double>(it->size());
    if (n < b.min || n > b.max)
      return diag_.add(ptr, "wrong number of elements", expected, describe_found(*it));
    std::vector<T> loaded(it->size());
    for (size_t i = 0; i < it->size(); ++i)
      load_struct((*it)[i], fmt::format("{}/{}", ptr, i), loaded[i], diag_);
    member = std::move(loaded);
  }

  // Reports every key of the object that no declaration consumed.
  void finish() {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(declared_.begin(), declared_.end(), key) != declared_.end()) continue;
      std::string expected = "one of the keys";
      for (size_t i = 0; i < declared_.size(); ++i) expected += (i ? ", " : " ") + declared_[i];
      diag_.add(child(key), "unknown key", expected, fmt::format("\"{}\"", key),
                suggestion(key, declared_));
    }
  }

 private:
  std::string child(std::string_view key) const {
    return fmt::format("{}/{}", pointer_, pointer_token(key));
  }

  static bool in_range(const Json& v, Bounds b) {
    const double x = v.get<double>();
    return x >= b.min && x <= b.max;
  }
  void wrong_type(const std::string& ptr, const std::string& expected, const Json& v) {
    diag_.add(ptr, "wrong type", expected, describe_found(v));
  }
  void out_of_range(const std::string& ptr, const std::string& expected, const Json& v) {
    diag_.add(ptr, "out of range", expected, describe_found(v));
  }
  static std::string suggestion(const std::string& word, const std::vector<std::string>& options) {
    const std::string m = closest_match(word, options);
    return m.empty() ? std::string() : fmt::format("did you mean \"{}\"?", m);
  }

  const Json& object_;
  std::string pointer_;
  Diagnostics& diag_;
  std::vector<std::string> declared_;
};

template <class T>
void load_struct(const Json& node, const std::string& pointer, T& out, Diagnostics& diag) {
  if (!node.is_object()) {
    diag.add(pointer, "wrong type", "object", describe_found(node));
    return;
  }
  const size_t before = diag.size();
  LoadVisitor v(node, pointer, diag);
  out.declare(v);
  v.finish();
  // Cross-field checks only make sense once every field parsed cleanly.
  if (diag.size() == before) {
    CheckVisitor c(pointer, diag);
    out.check(c);
  }
}

}  // namespace nibble::config
