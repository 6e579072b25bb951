#pragma once
// The per-op cycle account of `nibble run --explain` (always on in SCALE-Sim
// runs): it starts from the op's cycles under SCALE-Sim v2's convention
// (hw_models/scalesim_timing.hpp) and adds one named difference per point
// where Nibble's microarchitecture differs (docs/microarch.md 12.4); the
// differences sum exactly to the op's cycles under Nibble's own timing
// ("unexplained" is their remainder and is 0 by construction of the
// controller; a test checks it on random layers).
#include <array>
#include <cstdint>
#include <string_view>

#include "hw_models/controller.hpp"
#include "hw_models/mac_array_params.hpp"
#include "hw_models/program.hpp"

namespace nibble::runner {

enum AccountTerm : uint8_t {
  acc_scalesim_ofmap_stalls,   // SCALE-Sim's Stall Cycles: OFMAP buffer (USER: + read buffers)
  acc_fold_fill_drain,         // per-fold fill/drain geometry (preload and fold-to-fold)
  acc_core_split,              // the op's N split over the cores
  acc_tiling,                  // scratchpad tiles: more, shorter folds
  acc_pe_pipeline_depth,       // PE MAC latency above 1
  acc_fold_setup,              // fold_setup_cycles per fold
  acc_first_load,              // the first tile's DMA before the array starts
  acc_last_store,              // the last output tile's DMA after the array ends
  acc_dram_stalls,             // later tiles waiting for DRAM
  acc_issue_and_dependencies,  // command issue, buffers not yet released
  acc_bank_conflicts,          // operand feed waiting for scratchpad banks
  acc_vector_quantize_ops,     // SFU / scale unit / LGU work SCALE-Sim does not simulate
  acc_unexplained,             // remainder: 0 unless the account is broken
  kNumAccountTerms
};

constexpr std::array<std::string_view, kNumAccountTerms> kAccountTermNames{"scalesim_ofmap_stalls",
                                                                           "fold_fill_drain",
                                                                           "core_split",
                                                                           "tiling",
                                                                           "pe_pipeline_depth",
                                                                           "fold_setup",
                                                                           "first_load",
                                                                           "last_store",
                                                                           "dram_stalls",
                                                                           "issue_and_dependencies",
                                                                           "bank_conflicts",
                                                                           "vector_quantize_ops",
                                                                           "unexplained"};

struct CycleAccount {
  bool valid = false;
  uint64_t scalesim_cycles = 0;  // the op under SCALE-Sim v2's convention
  uint64_t scalesim_stalls = 0;
  std::array<int64_t, kNumAccountTerms> terms{};
  uint64_t nibble_cycles = 0;  // = scalesim_cycles + sum(terms)
};

// An array op: `array` is the critical core's array (its Nibble timing),
// `program`/`record` that core's program and pass, `op_cycles` the op's
// measured cycles (count instances included).
CycleAccount array_account(const hw::MacArrayParams& array, Precision precision,
                           const hw::GemmShape& op_shape, const hw::CoreProgram& program,
                           const hw::PassRecord& record, uint64_t issue_latency_cycles,
                           uint64_t count, uint64_t op_cycles);

// A vector / quantize op: SCALE-Sim has no such op.
CycleAccount unit_account(uint64_t op_cycles);

}  // namespace nibble::runner
