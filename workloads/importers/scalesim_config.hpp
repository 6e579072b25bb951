#pragma once
// SCALE-Sim .cfg files to a Nibble chip config (JSON, same keys as
// configs/chips/*.json). The chip reproduces SCALE-Sim's assumptions: one
// core, 1 MAC per PE per cycle in every precision mode, 1-cycle PEs, no fold
// setup, no controller/DMA overheads, and with InterfaceBandwidth CALC an
// ideal DRAM (maximum bandwidth, zero latency). SCALE-Sim's three SRAMs
// (ifmap, filter, ofmap) become one scratchpad of their summed size.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nibble::workload {

struct ScaleSimConfig {
  std::string run_name;
  uint64_t array_height = 0, array_width = 0;
  uint64_t ifmap_sram_kb = 0, filter_sram_kb = 0, ofmap_sram_kb = 0;
  std::string dataflow;        // "os", "ws" or "is"
  double bandwidth_words = 0;  // words per cycle to DRAM (USER mode)
  uint64_t memory_banks = 1;
  bool calc_bandwidth = true;  // InterfaceBandwidth CALC: SCALE-Sim assumes ideal memory
  // Keys read but without a Nibble counterpart (address offsets, layout and
  // sparsity options): reported, never silently dropped.
  std::vector<std::string> ignored;
};

ScaleSimConfig parse_scalesim_config(const std::string& text, const std::string& source);
ScaleSimConfig read_scalesim_config(const std::filesystem::path& path);

// The chip config. `tech` is written as given (a path relative to where the
// chip JSON will live, or absolute); `clock_mhz` converts words/cycle to GB/s.
nlohmann::json scalesim_chip_json(const ScaleSimConfig& cfg, const std::string& tech,
                                  double clock_mhz = 1000);

}  // namespace nibble::workload
