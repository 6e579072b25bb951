#include "sim/config/param_traits.hpp"

#include <fmt/format.h>

#include <cmath>

namespace nibble::config {

const char* json_type_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::boolean:
      return "boolean";
    case ParamKind::integer:
      return "integer";
    case ParamKind::number:
      return "number";
    case ParamKind::string:
      return "string";
    case ParamKind::enumeration:
      return "string";
  }
  return "?";
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

std::string describe_range(Bounds b) {
  const bool has_min = std::isfinite(b.min), has_max = std::isfinite(b.max);
  if (has_min && has_max)
    return fmt::format(" in [{}, {}]", format_number(b.min), format_number(b.max));
  if (has_min) return fmt::format(" >= {}", format_number(b.min));
  if (has_max) return fmt::format(" <= {}", format_number(b.max));
  return "";
}

std::string describe_expected(ParamKind kind, Bounds b, const char* unit,
                              const std::vector<std::string>& enum_values) {
  std::string s;
  if (kind == ParamKind::enumeration) {
    s = "one of";
    for (size_t i = 0; i < enum_values.size(); ++i)
      s += fmt::format("{}\"{}\"", i ? ", " : " ", enum_values[i]);
    return s;
  }
  s = json_type_name(kind);
  if (kind == ParamKind::integer || kind == ParamKind::number) s += describe_range(b);
  if (unit != nullptr && *unit != '\0') s += fmt::format(" ({})", unit);
  return s;
}

std::string describe_found(const nlohmann::json& v) {
  using nlohmann::json;
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::object:
      return fmt::format("an object with {} keys", v.size());
    case json::value_t::array:
      return fmt::format("an array of {} elements", v.size());
    case json::value_t::string: {
      std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
      if (s.size() > 60) s = fmt::format("{}...\"", s.substr(0, 57));
      return fmt::format("string {}", s);
    }
    default:
      return v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace nibble::config
