#pragma once
// The scratchpad traffic of the MPE array's operand feed: which bits one GEMM
// step reads from and writes to the L1 scratchpad under the core's dataflow,
// and the stall cycles the array sees when one streamed vector needs more
// bank accesses than the scratchpad serves per clock (docs/microarch.md 4.3).
//
// Per streamed cycle (the array consumes one operand vector per clock):
//   WS  reads R*k*b (A row slice) [+ C*a psum reads when K folds], writes C*a
//   IS  reads R*k*b (B column slice) [+ C*a psum reads], writes C*a
//   OS  reads R*k*b + C*k*b (A and B slices); outputs written once at drain
// with b the operand width, a the partial-sum width, k MACs per PE.
// Each vector lies in consecutive bank words and the compiler places the
// vectors of one clock in disjoint banks, so one clock's W words take
//   F = ceil(W / (banks * ports)) clocks,  stall = streamed_cycles * (F - 1).
#include <cstdint>

#include "hw_models/mac_array_params.hpp"
#include "hw_models/mac_array_timing.hpp"
#include "hw_models/scratchpad_params.hpp"

namespace nibble::hw {

uint32_t operand_width_bits(Precision precision);                            // 4, 4, 8, 16
uint32_t psum_width_bits(const MacArrayParams& array, Precision precision);  // accumulator or FP32

struct OperandFeed {
  uint64_t sram_read_bits = 0;   // whole step: stationary tiles, streamed operands, psum reloads
  uint64_t sram_write_bits = 0;  // whole step: partial sums / outputs
  uint64_t streamed_cycles = 0;  // clocks the array consumes a streamed vector (all folds)
  uint32_t words_per_cycle = 0;  // bank words one streamed clock needs (reads + writes), full array
  uint32_t feed_clocks = 1;      // F: scratchpad clocks to serve them
  uint64_t stall_cycles() const { return streamed_cycles * (feed_clocks - 1); }
};

OperandFeed operand_feed(const MacArrayParams& array, const ScratchpadParams& scratchpad,
                         Precision precision, const GemmShape& shape);

// Steady-state bits per streamed clock with the whole array busy and K
// within one row fold (no psum reloads): what peak efficiency uses.
struct FeedPerCycle {
  uint64_t read_bits = 0;
  uint64_t write_bits = 0;
};
FeedPerCycle steady_state_feed(const MacArrayParams& array, Precision precision);

}  // namespace nibble::hw
