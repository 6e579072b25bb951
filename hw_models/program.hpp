#pragma once
// The program a core's controller runs: a list of tile steps produced by the
// compiler (sim/compiler). Step j loads its operand tiles from DRAM into one
// half of the double-buffered scratchpad, runs one GEMM pass on the array,
// and stores its output tile; the controller overlaps load(j+1) and
// store(j-1) with compute(j).
#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/mac_array_timing.hpp"
#include "hw_models/numerics/precision.hpp"

namespace nibble::hw {

struct TileStep {
  GemmShape shape;             // the GEMM this step runs on the array
  uint64_t load_bytes = 0;     // operand bytes DMA'd in before it (0: reuses the resident tiles)
  uint64_t store_bytes = 0;    // output bytes DMA'd out after it (0: partial sums stay on chip)
};

struct CoreProgram {
  std::string op_name;  // the workload op this program belongs to (for reports and errors)
  Precision precision = Precision::int4_int4;
  std::vector<TileStep> steps;
};

}  // namespace nibble::hw
