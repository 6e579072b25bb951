#pragma once
// The compiler's GEMM mapper: splits one GEMM op across a chip's cores and
// tiles each core's share so that one tile set fits in half of the
// scratchpad (the other half holds the next tile set: double buffering),
// producing one CoreProgram per core. An op that cannot be mapped is an
// InputError naming the op, the tile it tried and the limit it exceeded.
//
// Policy (docs/microarch.md section 9):
//  - cores split the N (output column) dimension in multiples of the array
//    width, so no cross-core reduction is needed;
//  - tiles are aligned to the array per dataflow: WS tile_k a multiple of
//    rows * k (MACs per PE) and tile_n of cols; IS tile_k of rows * k and
//    tile_m of cols; OS tile_m of rows, tile_n of cols, tile_k of k. Start
//    from the whole share and halve the dimension holding the most bytes (in
//    those units) until the tile fits;
//  - k innermost (the FP32/INT32 partial-sum tile stays on chip across k and
//    is stored once as FP16); outside it, the loop over the resident
//    operand's tiles is outer (WS: n then m, keeping B; IS: m then n, keeping
//    A; OS: whichever tile is bigger stays). A step whose A or B tile equals
//    the previous step's does not reload it: load_bytes counts only what
//    changes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hw_models/chip_params.hpp"
#include "hw_models/program.hpp"

namespace nibble::compiler {

struct GemmOp {
  std::string name;
  uint32_t m = 0, n = 0, k = 0;
  Precision precision = Precision::int4_int4;
  // The SCALE-Sim conv layer the GEMM lowers (hw::CoreProgram), copied to
  // every program.
  std::optional<hw::ScaleSimLayerGeometry> scalesim_layer = std::nullopt;
};

struct TileShape {
  uint32_t m = 0, n = 0, k = 0;
};

struct GemmPlan {
  std::vector<TileShape> core_tiles;      // the tile each core uses (empty share: all zero)
  std::vector<hw::CoreProgram> programs;  // one per core (possibly without steps)
};

// Scratchpad bytes one tile set occupies: A and B tiles plus the 4-byte partial sums.
uint64_t tile_bytes(Precision precision, const TileShape& t);
// Block-scaled FP4 operands (mxfp4, nvfp4) also carry one 8-bit scale per
// K block on each of their `lines` (E8M0 per 32, UE4M3 per 16: the formats'
// block sizes); 0 for the other modes. Counted in tile sizes and loads.
uint64_t block_scale_bytes(Precision precision, uint64_t lines, uint64_t k);

GemmPlan plan_gemm(const GemmOp& op, const hw::ChipParams& chip);
// The same, with every core's program referencing the op's operand data (so
// the cores' arrays can run FAST or DETAILED). The data's shape and format
// must match the op.
GemmPlan plan_gemm(const GemmOp& op, const hw::ChipParams& chip,
                   std::shared_ptr<const hw::GemmOperands> operands);

}  // namespace nibble::compiler
