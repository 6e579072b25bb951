#pragma once
// Log-domain gradient unit (LGU): quantizes FP16 output gradients to
// radix-4 FP4 [1,3,0] with the layer's GradScale, in both two-phase-rounding
// phases (even grid {4^k}, odd grid {2*4^k}: the same code with the scale
// register doubled). Arithmetic: numerics' fp4 quantizer (fp4.hpp,
// quantize_bulk.hpp), counts for GradScale included. Timing it owns: V lanes
// and a pipeline latency L per pass, T = ceil(n/V) + L - 1; one pass emits
// both phases when both_phases_per_pass, else two passes (2T). A copy with
// a per-channel GradScale (dW's) takes the place of one phase.
#include <systemc>

#include <cstdint>
#include <span>
#include <string>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/fp4_channels.hpp"
#include "hw_models/stats.hpp"
#include "hw_models/vector_unit_params.hpp"

namespace nibble::hw {

struct LguCounters {
  uint64_t passes = 0;
  uint64_t elements = 0;           // FP16 gradients read
  uint64_t fp4_codes = 0;          // FP4 codes written (both phases)
  uint64_t e2m1_codes = 0;         // block-scaled E2M1 codes written
  uint64_t hadamard_elements = 0;  // elements through the Hadamard stage (4 adds each)
  uint64_t busy_cycles = 0;
};

struct LguJob {
  std::span<const uint16_t> gradients_fp16;
  int gradscale_exp = 0;          // the layer's scale register (s_g = 2^exp)
  num::Fp4Config fp4;             // rounding mode, odd-phase shift, seed
  uint64_t index_base = 0;        // stochastic-rounding counter of element 0
  std::span<uint8_t> even_codes;  // outputs (each empty or of the input's size)
  std::span<uint8_t> odd_codes;
  num::Fp4Counts* counts = nullptr;      // even-phase counts, for GradScale
  num::Fp4Counts* odd_counts = nullptr;  // odd-phase counts (a layer quantized only odd)
  // FP32 gradients instead (the trainer's element-wise backward is FP32):
  // used when non-empty, gradients_fp16 must then be empty.
  std::span<const float> gradients_fp32;
  // Per-channel GradScale copy (dW's; numerics/fp4_channels.hpp): channel c
  // of the rows x cols tensor on grid channel_grid_exp[c], which the scale
  // unit's statistics pass latched per channel. It is one of the (at most
  // two) copies a pass writes, so the timing does not change.
  std::span<uint8_t> channel_codes = {};
  std::span<const int> channel_grid_exp = {};
  int rows = 0, cols = 0;
  num::ChannelAxis channel_axis = num::ChannelAxis::rows;
  num::Fp4Counts* channel_counts = nullptr;
};

// Block-scaled FP4 (MXFP4 / NVFP4) encoding: the optional 16-point random
// Hadamard stage, then the E2M1 encoder (nearest or stochastic) with the
// block scales the scale unit computed (numerics/block_fp4.hpp: the values
// are quantize_block_fp4's, of the transformed tensor). Timing: the same V
// lanes, T = ceil(n/V) + L - 1, plus hadamard_latency_cycles when the
// Hadamard stage is on (it is pipelined: V/16 16-point butterflies, 4 FP32
// adders per lane, docs/microarch.md).
struct LguBlockFp4Job {
  std::span<const float> x;  // rows x cols, K along a row
  int rows = 0, cols = 0;
  num::BlockFp4Config format;
  bool hadamard = false;  // random Hadamard transform along K first
  uint16_t sign_mask = 0;
  uint64_t index_base = 0;  // stochastic-rounding counter of element 0
  num::BlockFp4Tensor* out = nullptr;
};

class LogGradUnit : public sc_core::sc_module {
 public:
  // compute_values = false is TIMING mode (same cycles, no codes written).
  LogGradUnit(sc_core::sc_module_name name, const LguParams& params, sc_core::sc_time clock_period,
              bool compute_values);

  uint64_t cycles(uint64_t elements) const;
  // Blocking (call from an SC_THREAD). Returns the cycles taken.
  uint64_t quantize(const LguJob& job);
  // The same timing and counters for n gradients without their values
  // (workload runs carry no gradient data; both TPR phases are written).
  uint64_t quantize_shapes(uint64_t elements);
  uint64_t block_fp4_cycles(uint64_t elements, bool hadamard) const;
  uint64_t quantize_block_fp4(const LguBlockFp4Job& job);

  uint64_t completed() const { return counters_.passes; }
  const LguCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  LguParams params_;
  sc_core::sc_time clock_period_;
  bool compute_values_;
  LguCounters counters_;
};

}  // namespace nibble::hw
