#pragma once
// What each C++ member type means as a JSON parameter: its JSON kind, its
// effective range (the declared range narrowed to what the type can hold)
// and how to spell expectations in messages, the schema and the docs. All
// the visitors share this, so the loader, the schema and the reference can
// never disagree about a parameter.
#include <nlohmann/json.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "hw_models/param_decl.hpp"

namespace nibble::config {

using OrderedJson = nlohmann::ordered_json;

enum class ParamKind { boolean, integer, number, string, enumeration };

template <class T>
concept DeclaredEnum = std::is_enum_v<T> && requires {
  hw::EnumNames<T>::names;
};

template <class T>
constexpr ParamKind kind_of() {
  if constexpr (std::is_same_v<T, bool>)
    return ParamKind::boolean;
  else if constexpr (std::is_integral_v<T>)
    return ParamKind::integer;
  else if constexpr (std::is_floating_point_v<T>)
    return ParamKind::number;
  else if constexpr (std::is_same_v<T, std::string>)
    return ParamKind::string;
  else {
    static_assert(DeclaredEnum<T>, "parameter type needs hw::EnumNames<T> or a scalar type");
    return ParamKind::enumeration;
  }
}

// JSON Schema type name of a kind.
const char* json_type_name(ParamKind kind);

template <class E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (auto n : hw::EnumNames<E>::names) out.emplace_back(n);
  return out;
}

// The declared range narrowed to the member type (an uint32 is never
// negative, whatever the declaration says).
struct Bounds {
  double min;
  double max;
};

template <class T>
Bounds bounds_of(const hw::ParamMeta& m) {
  Bounds b{m.min, m.max};
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    b.min = std::max(b.min, static_cast<double>(std::numeric_limits<T>::min()));
    b.max = std::min(b.max, static_cast<double>(std::numeric_limits<T>::max()));
  }
  return b;
}

// Formats a bound or default for people: 4096, 0.001, 1e+05 (never "4096.0").
std::string format_number(double v);

// " in [1, 64]", " >= 0", or "" when unbounded.
std::string describe_range(Bounds b);

// "integer in [1, 4096] PEs", "one of \"ws\", \"os\", \"is\"", "boolean", ...
std::string describe_expected(ParamKind kind, Bounds b, const char* unit,
                              const std::vector<std::string>& enum_values);

// A JSON value as a message shows it: short, one line, its type evident.
std::string describe_found(const nlohmann::json& v);

// The JSON spelling of a member's value (enums by name).
template <class T>
OrderedJson to_json_value(const T& value) {
  if constexpr (DeclaredEnum<T>) {
    const auto i = static_cast<size_t>(value);
    const auto& names = hw::EnumNames<T>::names;
    return i < names.size() ? OrderedJson(std::string(names[i])) : OrderedJson(nullptr);
  } else {
    return OrderedJson(value);
  }
}

}  // namespace nibble::config
