#pragma once
// The program a core's controller runs: a list of tile steps produced by the
// compiler (sim/compiler). Step j loads its operand tiles from DRAM into one
// half of the double-buffered scratchpad, runs one GEMM pass on the array,
// and stores its output tile; the controller overlaps load(j+1) and
// store(j-1) with compute(j).
//
// A program may reference the op's operand data (GemmOperands, shared by
// every core's program): the controller then cuts each step's tiles out of
// it at (m0, k0) / (k0, n_offset + n0), so a FAST or DETAILED array computes
// real outputs inside the core. Without it the array must be TIMING-mode.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hw_models/mac_array_timing.hpp"
#include "hw_models/mac_datapath.hpp"
#include "hw_models/numerics/precision.hpp"
#include "hw_models/scalesim_read_buffer.hpp"

namespace nibble::hw {

struct TileStep {
  GemmShape shape;           // the GEMM this step runs on the array
  uint64_t load_bytes = 0;   // operand bytes DMA'd in before it (0: reuses the resident tiles)
  uint64_t store_bytes = 0;  // output bytes DMA'd out after it (0: partial sums stay on chip)
  uint32_t m0 = 0, n0 = 0, k0 = 0;  // the tile's origin in the core's share of the op
};

// The whole op's operands, row-major codes: A is M x K, B is K x N.
struct GemmOperands {
  MacFormat format;
  GemmShape shape;
  std::vector<OperandCode> a, b;
};

struct CoreProgram {
  std::string op_name;  // the workload op this program belongs to (for reports and errors)
  Precision precision = Precision::int4_int4;
  std::vector<TileStep> steps;
  std::shared_ptr<const GemmOperands> operands;  // null: shapes only (TIMING arrays)
  uint32_t n_offset = 0;                         // first op column of this core's share
  // The SCALE-Sim conv layer the op comes from (timing_model scalesim_v2
  // with USER bandwidth replays its IFMAP addresses); none for a GEMM.
  std::optional<ScaleSimLayerGeometry> scalesim_layer = std::nullopt;
};

}  // namespace nibble::hw
