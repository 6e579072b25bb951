#include "sim/config/generated_docs.hpp"

#include "hw_models/chip_params.hpp"
#include "hw_models/numerics/errors.hpp"
#include "sim/config/reference_writer.hpp"
#include "sim/config/schema_writer.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::config {

std::string chip_schema_text() {
  return schema_document<hw::ChipParams>(
             "https://nibble.invalid/schema/chip.schema.json", "Nibble chip config",
             "A chip: clock, core groups (array, scratchpad, LGU, scale unit, SFU, DMA), ring, "
             "DRAM and the technology table it uses. Generated from the parameter declarations "
             "in hw_models/*_params.hpp; regenerate with `nibble schema --kind chip`.")
             .dump(2) +
         "\n";
}

std::string tech_schema_text() {
  return schema_document<TechParams>(
             "https://nibble.invalid/schema/tech.schema.json", "Nibble technology table",
             "Energy per event and leakage, each with its source. Generated from "
             "sim/config/tech_params.hpp; regenerate with `nibble schema --kind tech`.")
             .dump(2) +
         "\n";
}

std::string reference_markdown() {
  std::string out = "## Chip config reference (`configs/chips/*.json`)\n\n";
  write_reference<hw::ChipParams>("", "chip", out);
  out += "## Technology table reference (`configs/tech/*.json`)\n\n";
  write_reference<TechParams>("", "technology table", out);
  return out;
}

std::string generated_region(const std::string& document) {
  const auto b = document.find(kGeneratedBegin);
  const auto e = document.find(kGeneratedEnd);
  if (b == std::string::npos || e == std::string::npos || e < b) return "";
  const auto start = document.find('\n', b);
  if (start == std::string::npos || start + 1 > e) return "";
  return document.substr(start + 1, e - start - 1);
}

std::string replace_generated_region(const std::string& document, const std::string& generated) {
  const auto b = document.find(kGeneratedBegin);
  const auto e = document.find(kGeneratedEnd);
  if (b == std::string::npos || e == std::string::npos || e < b)
    throw InputError(std::string("docs: markers '") + kGeneratedBegin + "' and '" + kGeneratedEnd +
                     "' not found");
  const auto start = document.find('\n', b) + 1;
  return document.substr(0, start) + generated + document.substr(e);
}

}  // namespace nibble::config
