#pragma once
// The energy model: turns the blocks' event counters (hw_models/stats.hpp
// registry, read once at dump time) into energy per block,
//   E_block = (V/V_ref)^2 x sum_events count x pJ/event (tech table)
//           + area_block x leakage density x V/V_ref x time the block leaks,
// plus totals, TOPS and TOPS/W. Scratchpad pJ/bit follow the size-aware
// SRAM rule (sram_model.hpp), areas the area model (area_model.hpp); with
// power_gating idle_blocks the array, LGU, scale unit and SFU leak only over
// their busy cycles and a core that did nothing not at all. Zero-gated MACs
// cost no MAC energy when the array gates (their operand and partial-sum
// registers still switch, counted as register-file accesses). docs/energy.md
// lists every event and entry.
#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/chip_params.hpp"
#include "hw_models/stats.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::energy {

struct BlockEnergy {
  std::string block;  // "core0.array", ..., "dram", "ring"
  double dynamic_pj = 0;
  double leakage_pj = 0;
  double total_pj() const { return dynamic_pj + leakage_pj; }
};

struct EnergyReport {
  std::vector<BlockEnergy> blocks;  // per block instance, in registry order
  std::vector<BlockEnergy>
      by_kind;  // summed over cores: "array", "scratchpad", ..., "leakage" folded in per kind
  double total_pj = 0;
  double leakage_pj = 0;  // its leakage part
  double seconds = 0;
  uint64_t ops = 0;       // 2 per real MAC, all precision modes
  double tops = 0;        // ops / seconds / 1e12
  double tops_per_w = 0;  // ops / total energy: (ops/pJ) = TOPS/W
};

// cycles: the run's length at the chip clock (leakage accrues over it for
// every core, busy or not).
EnergyReport compute_energy(const hw::StatRegistry& stats, const hw::ChipParams& chip,
                            const config::TechParams& tech, uint64_t cycles);

}  // namespace nibble::energy
