#include "sim/config/schema_writer.hpp"

#include <cmath>

namespace nibble::config {

OrderedJson bound_json(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) return OrderedJson(static_cast<int64_t>(v));
  return OrderedJson(v);
}

std::string with_unit(const char* desc, const char* unit) {
  std::string s = desc;
  if (unit != nullptr && *unit != '\0') s += std::string(" [") + unit + "]";
  return s;
}

}  // namespace nibble::config
