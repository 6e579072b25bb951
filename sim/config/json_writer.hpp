#pragma once
// Writes the effective value of every declared parameter (defaults included)
// in declaration order, so a report alone is enough to reproduce a run.
#include <vector>

#include "sim/config/param_traits.hpp"

namespace nibble::config {

template <class T>
OrderedJson to_effective_json(T value);  // by value: declare() is non-const

class WriteVisitor {
 public:
  explicit WriteVisitor(OrderedJson& out) : out_(out) {}

  template <class T>
  void param(const char* key, T& member, const hw::ParamMeta&) {
    out_[key] = to_json_value(member);
  }
  template <class T>
  void group(const char* key, T& member, const char*) {
    out_[key] = to_effective_json(member);
  }
  template <class T>
  void list(const char* key, std::vector<T>& member, const hw::ParamMeta&) {
    OrderedJson a = OrderedJson::array();
    for (const auto& e : member) a.push_back(to_effective_json(e));
    out_[key] = std::move(a);
  }

 private:
  OrderedJson& out_;
};

template <class T>
OrderedJson to_effective_json(T value) {
  OrderedJson out = OrderedJson::object();
  WriteVisitor v(out);
  value.declare(v);
  return out;
}

}  // namespace nibble::config
