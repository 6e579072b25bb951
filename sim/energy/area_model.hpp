#pragma once
// Area of a chip from its config and tech table (docs/energy.md section 6):
// per core the MPE array (PEs x PE area), the scratchpad macro
// (sim/energy/sram_model.hpp), the LGU, scale unit and SFU (lanes x lane
// area) and the fixed DMA, controller and ring stop; chip area = the sum.
// A PE's area is the sum of the MAC lanes of every precision path it has
// (k lanes of a path with k MACs per PE per cycle), one accumulator and its
// registers. With a Yosys PE table (configs/tech/pe_area_synth.json) the
// INT datapath's relative area comes from the table's transistor counts,
// anchored to the cited figures at the table's first variant.
#include <string>
#include <vector>

#include "hw_models/chip_params.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::energy {

enum class Fabric { logic, sram };  // which leakage density applies

struct BlockArea {
  std::string block;  // "core0.array", "core0.scratchpad", ...
  double um2 = 0;
  Fabric fabric = Fabric::logic;
};

struct PeArea {
  double int_um2 = 0;  // INT4 paths, accumulator and registers
  double fp_um2 = 0;   // HFP8 and FP16 lanes
  double um2() const { return int_um2 + fp_um2; }
  std::string source;  // "cited" or "synth:<variant>" (docs/energy.md)
};

struct ChipArea {
  std::vector<BlockArea> blocks;   // per block instance, cores in order
  std::vector<BlockArea> by_kind;  // summed over cores, first-appearance order
  double total_um2 = 0;
  PeArea pe;  // of the first core group (the report states its source)
  double total_mm2() const { return total_um2 * 1e-6; }
};

PeArea pe_area(const hw::MacArrayParams& array, const config::TechParams& tech);
ChipArea compute_area(const hw::ChipParams& chip, const config::TechParams& tech);

// Leakage power of an area at the tech reference voltage, in mW.
double leakage_mw(const BlockArea& b, const config::TechParams& tech);

}  // namespace nibble::energy
