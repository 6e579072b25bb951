#include "sim/config/chip_config.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sim/config/json_file.hpp"
#include "sim/config/json_loader.hpp"
#include "sim/config/json_writer.hpp"
#include "sim/config/pe_synth_table.hpp"

namespace nibble::config {

namespace fs = std::filesystem;

OrderedJson ChipConfig::effective() const {
  OrderedJson out = OrderedJson::object();
  out["chip_file"] = chip_file.generic_string();
  out["tech_file"] = tech_file.generic_string();
  OrderedJson sets = OrderedJson::array();
  for (const auto& o : overrides) sets.push_back(o.pointer + "=" + o.value.dump());
  out["overrides"] = std::move(sets);
  out["chip"] = to_effective_json(chip);
  out["tech"] = to_effective_json(tech);
  return out;
}

TechParams load_tech_config(const fs::path& tech_file) {
  const Json doc = read_json_file(tech_file, "technology table");
  TechParams tech;
  Diagnostics diag;
  load_struct(doc, "", tech, diag);
  throw_if_any(tech_file.string(), diag);
  // The Yosys PE table is optional: until the RTL's table exists the area
  // model uses the cited per-lane figures alone.
  if (!tech.area.pe_area_synth.empty()) {
    const fs::path synth = tech_file.parent_path() / tech.area.pe_area_synth;
    std::error_code ec;
    if (fs::exists(synth, ec)) {
      tech.pe_synth = load_pe_synth_table(synth);
      tech.pe_synth_file = synth.generic_string();
    }
  }
  return tech;
}

ChipConfig load_chip_config(const fs::path& chip_file, const std::vector<Override>& overrides) {
  Json doc = read_json_file(chip_file, "chip config");
  const std::string name = chip_file.string();
  if (!doc.is_object())
    throw ConfigError(
        name, {{"", "wrong type", "a JSON object (a chip config)", describe_found(doc), ""}});
  Diagnostics diag = apply_overrides(doc, overrides);
  throw_if_any(name, diag);

  ChipConfig cfg;
  cfg.chip_file = chip_file;
  cfg.overrides = overrides;
  load_struct(doc, "", cfg.chip, diag);
  if (diag.empty() && !cfg.chip.tech.empty()) {
    cfg.tech_file = chip_file.parent_path() / cfg.chip.tech;
    std::error_code ec;
    if (!fs::is_regular_file(cfg.tech_file, ec))
      diag.add("/tech", "missing file", "a technology table path relative to the chip file",
               fmt::format("\"{}\" (resolved to {}, which is not a file)", cfg.chip.tech,
                           cfg.tech_file.string()));
  } else if (diag.empty()) {
    diag.add("/tech", "missing file", "a technology table path relative to the chip file", "\"\"");
  }
  attribute_to_overrides(diag, overrides);
  throw_if_any(name, diag);
  cfg.chip.select_operating_point();  // the name was checked by ChipParams::check
  cfg.chip.config_file = name;
  try {
    cfg.tech = load_tech_config(cfg.tech_file);
  } catch (const ConfigError& e) {
    // Say which chip led here: a shared table may be named by many chips.
    throw ConfigError(fmt::format("{} (technology table of {})", e.file(), name), e.issues());
  }
  spdlog::info("chip \"{}\" loaded from {} ({} override(s)); tech \"{}\" from {}", cfg.chip.name,
               name, overrides.size(), cfg.tech.name, cfg.tech_file.string());
  return cfg;
}

ConfigKind detect_config_kind(const fs::path& file) {
  const Json doc = read_json_file(file, "config");
  if (doc.is_object() && doc.value("format", Json()) == "nibble-pe-area-synth")
    return ConfigKind::pe_area_synth;
  return doc.is_object() && (doc.contains("node_nm") || doc.contains("energy")) ? ConfigKind::tech
                                                                                : ConfigKind::chip;
}

}  // namespace nibble::config
