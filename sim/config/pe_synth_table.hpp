#pragma once
// Reading a Yosys PE area table (configs/tech/pe_area_synth.json, written by
// tools/synth_area from the RTL): format "nibble-pe-area-synth", version 1,
// one entry per synthesised PE variant with its transistor count. The area
// model takes relative PE areas from it (sim/energy/area_model.hpp).
#include <filesystem>
#include <vector>

#include "sim/config/tech_params.hpp"

namespace nibble::config {

// Throws ConfigError naming the file and the JSON pointer of every problem.
std::vector<PeSynthVariant> load_pe_synth_table(const std::filesystem::path& file);

}  // namespace nibble::config
