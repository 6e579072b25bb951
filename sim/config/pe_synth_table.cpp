#include "sim/config/pe_synth_table.hpp"

#include <fmt/format.h>

#include "sim/config/diagnostics.hpp"
#include "sim/config/json_file.hpp"
#include "sim/config/param_traits.hpp"

namespace nibble::config {

namespace {

using nlohmann::json;

// The variant keys the area model reads; others (cells, command lines) are
// provenance and are allowed.
bool read_variant(const json& v, const std::string& ptr, PeSynthVariant& out, Diagnostics& diag) {
  if (!v.is_object()) {
    diag.add(ptr, "wrong type", "object (a synthesised PE variant)", describe_found(v));
    return false;
  }
  const size_t before = diag.size();
  auto need = [&](const char* key) -> const json* {
    const auto it = v.find(key);
    if (it == v.end()) {
      diag.add(ptr + "/" + key, "missing key", "present", "absent");
      return nullptr;
    }
    return &*it;
  };
  if (const json* n = need("name"); n && !n->is_string())
    diag.add(ptr + "/name", "wrong type", "string", describe_found(*n));
  else if (n)
    out.name = n->get<std::string>();
  if (const json* p = need("paths")) {
    if (!p->is_array() || p->empty()) {
      diag.add(ptr + "/paths", "wrong type", "non-empty array of \"int4_int4\"/\"int4_fp4\"",
               describe_found(*p));
    } else {
      for (size_t i = 0; i < p->size(); ++i) {
        const json& e = (*p)[i];
        if (!e.is_string() || (e != "int4_int4" && e != "int4_fp4"))
          diag.add(fmt::format("{}/paths/{}", ptr, i), "unknown value",
                   "\"int4_int4\" or \"int4_fp4\"", describe_found(e));
        else
          out.paths.push_back(e.get<std::string>());
      }
    }
  }
  auto positive = [&](const char* key, double max) -> double {
    const json* n = need(key);
    if (!n) return 0;
    if (!n->is_number() || n->get<double>() <= 0 || n->get<double>() > max) {
      diag.add(ptr + "/" + key, "out of range", fmt::format("a number in (0, {}]", max),
               describe_found(*n));
      return 0;
    }
    return n->get<double>();
  };
  out.accumulator_bits = static_cast<uint32_t>(positive("accumulator_bits", 256));
  out.pipeline_depth = static_cast<uint32_t>(positive("pipeline_depth", 64));
  out.transistors = positive("transistors", 1e12);
  return diag.size() == before;
}

}  // namespace

std::vector<PeSynthVariant> load_pe_synth_table(const std::filesystem::path& file) {
  const json doc = read_json_file(file, "PE area table");
  Diagnostics diag;
  std::vector<PeSynthVariant> out;
  if (!doc.is_object()) {
    diag.add("", "wrong type", "a JSON object (nibble-pe-area-synth)", describe_found(doc));
    throw_if_any(file.string(), diag);
  }
  const auto format = doc.find("format");
  if (format == doc.end() || *format != "nibble-pe-area-synth")
    diag.add("/format", "unknown value", "\"nibble-pe-area-synth\"",
             format == doc.end() ? "absent" : describe_found(*format));
  const auto version = doc.find("version");
  if (version == doc.end() || *version != 1)
    diag.add("/version", "unknown value", "1",
             version == doc.end() ? "absent" : describe_found(*version));
  const auto variants = doc.find("variants");
  if (variants == doc.end() || !variants->is_array() || variants->empty()) {
    diag.add("/variants", "wrong type", "a non-empty array of PE variants",
             variants == doc.end() ? "absent" : describe_found(*variants));
  } else {
    for (size_t i = 0; i < variants->size(); ++i) {
      PeSynthVariant v;
      if (read_variant((*variants)[i], fmt::format("/variants/{}", i), v, diag))
        out.push_back(std::move(v));
    }
  }
  throw_if_any(file.string(), diag);
  return out;
}

}  // namespace nibble::config
