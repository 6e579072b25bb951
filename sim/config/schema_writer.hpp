#pragma once
// JSON Schema (draft 2020-12) generated from the same declarations the
// loader reads, so editors and external tools see exactly the rules Nibble
// enforces. Cross-field checks (check()) cannot be expressed in a schema;
// they are the loader's alone.
#include <cmath>
#include <string>
#include <vector>

#include "sim/config/param_traits.hpp"

namespace nibble::config {

template <class T>
OrderedJson schema_of(const std::string& description);

// A bound as JSON: integral bounds print without a fraction.
OrderedJson bound_json(double v);
std::string with_unit(const char* desc, const char* unit);

class SchemaVisitor {
 public:
  template <class T>
  void param(const char* key, T& member, const hw::ParamMeta& meta) {
    constexpr ParamKind kind = kind_of<T>();
    OrderedJson p = OrderedJson::object();
    p["description"] = with_unit(meta.desc, meta.unit);
    p["type"] = json_type_name(kind);
    if constexpr (kind == ParamKind::enumeration) p["enum"] = enum_names<T>();
    if constexpr (kind == ParamKind::integer || kind == ParamKind::number) {
      const Bounds b = bounds_of<T>(meta);
      if (std::isfinite(b.min)) p["minimum"] = bound_json(b.min);
      if (std::isfinite(b.max)) p["maximum"] = bound_json(b.max);
    }
    if (meta.required)
      required_.push_back(key);
    else
      p["default"] = to_json_value(member);
    properties_[key] = std::move(p);
  }
  template <class T>
  void group(const char* key, T&, const char* desc) {
    OrderedJson sub = schema_of<T>(desc);
    // A group holding required keys must itself be present.
    if (sub.contains("required")) required_.push_back(key);
    properties_[key] = std::move(sub);
  }
  template <class T>
  void list(const char* key, std::vector<T>&, const hw::ParamMeta& meta) {
    OrderedJson p = OrderedJson::object();
    p["description"] = with_unit(meta.desc, meta.unit);
    p["type"] = "array";
    const Bounds b = bounds_of<size_t>(meta);
    if (std::isfinite(b.min)) p["minItems"] = bound_json(b.min);
    if (std::isfinite(b.max)) p["maxItems"] = bound_json(b.max);
    p["items"] = schema_of<T>("");
    if (meta.required) required_.push_back(key);
    properties_[key] = std::move(p);
  }

  OrderedJson finish(const std::string& description) {
    OrderedJson s = OrderedJson::object();
    if (!description.empty()) s["description"] = description;
    s["type"] = "object";
    s["properties"] = std::move(properties_);
    if (!required_.empty()) s["required"] = required_;
    s["additionalProperties"] = false;
    return s;
  }

 private:
  OrderedJson properties_ = OrderedJson::object();
  std::vector<std::string> required_;
};

template <class T>
OrderedJson schema_of(const std::string& description) {
  T defaults{};
  SchemaVisitor v;
  defaults.declare(v);
  return v.finish(description);
}

// The top-level schema document of a config file kind.
template <class T>
OrderedJson schema_document(const std::string& id, const std::string& title,
                            const std::string& description) {
  OrderedJson doc = OrderedJson::object();
  doc["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  doc["$id"] = id;
  doc["title"] = title;
  const OrderedJson body = schema_of<T>(description);
  for (const auto& [k, v] : body.items()) doc[k] = v;
  return doc;
}

}  // namespace nibble::config
