#pragma once
// FAST / TIMING implementation of the MPE array: one activation per GEMM.
// Computes the whole result with the datapath (FAST) or not at all (TIMING,
// compute_values = false) and advances time by gemm_cycles() from
// mac_array_timing.hpp in a single wait. Owns no timing of its own: the
// formulas are the contract that DETAILED mode is tested against.
#include <cstdint>
#include <vector>

#include "hw_models/mac_array.hpp"

namespace nibble::hw {

class MacArrayFast final : public MacArray {
 public:
  MacArrayFast(sc_core::sc_module_name name, const MacArrayParams& params,
               sc_core::sc_time clock_period, bool compute_values);
  void run(const GemmJob& job, GemmOutput& out) override;

 private:
  void compute(const GemmJob& job, GemmOutput& out);
  uint64_t count_zero_products(const GemmJob& job);

  // Per-job scratch, reused so that a GEMM allocates nothing once warm.
  std::vector<uint8_t> a8_, b8_;   // operand codes narrowed for the bulk kernels
  std::vector<float> sums_;        // float modes: fp32 accumulator words
  std::vector<uint64_t> a_zeros_;  // zero A operands per k
};

}  // namespace nibble::hw
