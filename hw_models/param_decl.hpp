#pragma once
// Parameter declarations for hardware blocks.
//
// Each block's parameter struct declares every field ONCE, beside the block,
// with its JSON key, unit, description, range and default-or-required:
//
//   struct ScratchpadParams {
//     uint32_t size_kib = 256;
//     template <class V> void declare(V& v) {
//       v.param("size_kib", size_kib, {.unit = "KiB", .desc = "capacity", .min = 1, .max = 65536});
//     }
//     template <class C> void check(C& c) const {
//       c.expect(banks > 0 && (size_kib * 1024) % banks == 0, "banks",
//                "a divisor of size_kib*1024", std::to_string(banks));
//     }
//   };
//
// The visitor V is JSON-agnostic here: sim/config provides the visitors that
// load strictly from JSON, write the effective config, and emit the JSON
// Schema and the parameter reference, all from this one declaration.
//
// Visitor interface (what declare() may call):
//   v.param(key, member, ParamMeta)       scalar: bool, integers, double,
//                                          std::string, or an enum with
//                                          EnumNames<E> specialised
//   v.group(key, member, desc)            nested struct with its own declare()
//   v.list(key, vector_member, ParamMeta) array of nested structs; min/max
//                                          bound the length
// Checker interface (what check() may call):
//   c.expect(bool ok, key, expected, found)   key is relative to the struct
#include <array>
#include <limits>
#include <string_view>

namespace nibble::hw {

struct ParamMeta {
  const char* unit = "";  // e.g. "MHz", "KiB", "cycles", "pJ"; "" for unitless
  const char* desc = "";
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool required = false;  // otherwise the member's initial value is the default
};

// Specialise for each enum used as a parameter: names[i] is the JSON spelling
// of the enumerator whose underlying value is i.
template <class E>
struct EnumNames;

}  // namespace nibble::hw
