#pragma once
// Loading a chip: its config file (plus --set overrides) and the technology
// table it names, both strictly, into the typed parameter structs.
#include <filesystem>
#include <string>
#include <vector>

#include "hw_models/chip_params.hpp"
#include "sim/config/overrides.hpp"
#include "sim/config/param_traits.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::config {

struct ChipConfig {
  std::filesystem::path chip_file;
  std::filesystem::path tech_file;  // resolved against chip_file's folder
  hw::ChipParams chip;
  TechParams tech;
  std::vector<Override> overrides;

  // Every parameter's effective value, defaults included:
  // {"chip": {...}, "tech": {...}, "overrides": ["/a=1", ...]}
  OrderedJson effective() const;
};

// Throws InputError (ConfigError for content problems, all collected).
ChipConfig load_chip_config(const std::filesystem::path& chip_file,
                            const std::vector<Override>& overrides = {});
TechParams load_tech_config(const std::filesystem::path& tech_file);

// What a JSON config file holds, judged from its top-level keys: a tech
// table has "node_nm" or "energy", a Yosys PE area table (which sits beside
// the tech tables) has "format": "nibble-pe-area-synth"; anything else is
// taken as a chip.
enum class ConfigKind { chip, tech, pe_area_synth };
ConfigKind detect_config_kind(const std::filesystem::path& file);

}  // namespace nibble::config
