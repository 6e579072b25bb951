#pragma once
// The parameter reference of docs/config.md, generated from the same
// declarations as the loader and the schema: one table per struct, in
// declaration order, nested structs in their own section below.
#include <fmt/format.h>

#include <functional>
#include <string>
#include <vector>

#include "sim/config/param_traits.hpp"
#include "sim/config/schema_writer.hpp"

namespace nibble::config {

template <class T>
void write_reference(const std::string& pointer, const std::string& title, std::string& out);

struct ReferenceRow {
  std::string key, type, unit, range, default_value, desc;
};

// Renders a section heading and its table.
std::string render_reference_table(const std::string& pointer, const std::string& title,
                                   const std::vector<ReferenceRow>& rows);

class ReferenceVisitor {
 public:
  explicit ReferenceVisitor(std::string pointer) : pointer_(std::move(pointer)) {}

  template <class T>
  void param(const char* key, T& member, const hw::ParamMeta& meta) {
    constexpr ParamKind kind = kind_of<T>();
    ReferenceRow r{key, json_type_name(kind), meta.unit, "", "", meta.desc};
    if constexpr (kind == ParamKind::enumeration) {
      for (const auto& n : enum_names<T>())
        r.range += fmt::format("{}`{}`", r.range.empty() ? "" : ", ", n);
    }
    if constexpr (kind == ParamKind::integer || kind == ParamKind::number) {
      const Bounds b = bounds_of<T>(meta);
      r.range = describe_range(b);
      if (!r.range.empty() && r.range[0] == ' ') r.range.erase(0, 1);
    }
    r.default_value = meta.required ? std::string("*required*")
                                    : fmt::format("`{}`", default_text(to_json_value(member)));
    rows_.push_back(std::move(r));
  }
  template <class T>
  void group(const char* key, T&, const char* desc) {
    const std::string sub = fmt::format("{}/{}", pointer_, key);
    rows_.push_back({key, "object", "", "", "", fmt::format("{} (see `{}`)", desc, sub)});
    nested_.push_back(
        [sub, d = std::string(desc)](std::string& out) { write_reference<T>(sub, d, out); });
  }
  template <class T>
  void list(const char* key, std::vector<T>&, const hw::ParamMeta& meta) {
    const std::string sub = fmt::format("{}/{}/<i>", pointer_, key);
    const Bounds b = bounds_of<size_t>(meta);
    std::string range = describe_range(b);
    if (!range.empty() && range[0] == ' ') range.erase(0, 1);
    rows_.push_back({key, "array", meta.unit, fmt::format("length {}", range),
                     meta.required ? "*required*" : "`[]`",
                     fmt::format("{} (see `{}`)", meta.desc, sub)});
    nested_.push_back(
        [sub, d = std::string(meta.desc)](std::string& out) { write_reference<T>(sub, d, out); });
  }

  void finish(const std::string& title, std::string& out) {
    out += render_reference_table(pointer_, title, rows_);
    for (auto& n : nested_) n(out);
  }

 private:
  static std::string default_text(const OrderedJson& v) {
    return v.is_number() ? format_number(v.get<double>()) : v.dump();
  }

  std::string pointer_;
  std::vector<ReferenceRow> rows_;
  std::vector<std::function<void(std::string&)>> nested_;
};

template <class T>
void write_reference(const std::string& pointer, const std::string& title, std::string& out) {
  T defaults{};
  ReferenceVisitor v(pointer);
  defaults.declare(v);
  v.finish(title, out);
}

}  // namespace nibble::config
