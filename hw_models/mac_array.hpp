#pragma once
// The MPE (mixed-precision PE) systolic array of one core, as a SystemC
// module with one interface and two implementations:
//   mac_array_detailed.*  every PE's operand and partial-sum registers move
//                         each clock; cycles emerge from the data movement.
//   mac_array_fast.*      a whole GEMM per activation, time advanced by the
//                         formulas of mac_array_timing.hpp (TIMING mode: the
//                         same, arithmetic skipped).
// Both own the array's timing for one GEMM with ideal operand supply (fill,
// skew, per-fold setup, PE pipeline depth, drain); operand staging from the
// scratchpad belongs to the core's controller.
#include <systemc>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hw_models/mac_array_params.hpp"
#include "hw_models/mac_array_timing.hpp"
#include "hw_models/mac_datapath.hpp"
#include "hw_models/scalesim_read_buffer.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

enum class FidelityMode : uint8_t { detailed, fast, timing };

// One GEMM for the array: operand codes row-major, A is M x K, B is K x N.
struct GemmJob {
  MacFormat format;  // precision mode, operand formats, output scale
  GemmShape shape;
  std::span<const OperandCode> a;
  std::span<const OperandCode> b;
  const ScaleSimLayerGeometry* scalesim_layer = nullptr;  // see CoreProgram
};

struct GemmOutput {
  std::vector<int64_t>
      accumulators;  // M x N accumulator words (see mac_datapath.hpp; empty in TIMING mode)
  std::vector<uint16_t> fp16;  // M x N, rounded once at the output edge
  uint64_t cycles = 0;
  uint64_t stall_cycles = 0;  // memory stalls included in cycles (timing_model scalesim_v2 only)
};

// Event counters of the array (energy events and utilisation), bound to the
// stats registry by register_stats(). Identical in DETAILED and FAST.
struct MacArrayCounters {
  uint64_t gemms = 0;
  uint64_t folds = 0;
  uint64_t busy_cycles = 0;
  uint64_t macs[kNumPrecisions] = {};        // real (unpadded) MACs per precision mode
  uint64_t zero_gated_macs = 0;              // MACs with a zero operand (no switching), all modes
  uint64_t zero_gated[kNumPrecisions] = {};  // the same per precision mode (energy is per mode)
  // PE register accesses: each active PE-cycle (k MACs) forwards its
  // streamed operand and updates its partial-sum register: 2 x M*N*ceil(K/k).
  uint64_t register_file_accesses = 0;
  uint64_t accumulator_saturations = 0;
};

class MacArray : public sc_core::sc_module {
 public:
  // compute_values = false is TIMING mode: same cycles, no arithmetic.
  MacArray(sc_core::sc_module_name name, const MacArrayParams& params,
           sc_core::sc_time clock_period, bool compute_values);

  // Runs one GEMM and returns when its last result has left the array.
  // Blocking: call from an SC_THREAD.
  virtual void run(const GemmJob& job, GemmOutput& out) = 0;

  // GEMMs completed so far (lets a testbench probe completion at T-1 and T).
  uint64_t completed() const { return counters_.gemms; }
  const MacArrayCounters& counters() const { return counters_; }
  const MacArrayParams& params() const { return params_; }
  bool computes_values() const { return compute_values_; }  // false: TIMING mode
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

  // Adds the array's waveforms to a VCD file (call before sc_start). Only
  // DETAILED mode has per-clock edge signals; FAST/TIMING trace nothing.
  virtual void trace(sc_core::sc_trace_file* file) const {}

 protected:
  // Throws InputError on a malformed job; builds the job's datapath.
  void begin_job(const GemmJob& job);
  void round_outputs(GemmOutput& out) const;  // accumulators -> FP16 through the datapath
  // End-of-job energy events shared by every implementation: zero-gated
  // MACs (counted from data, or estimated from the configured densities in
  // TIMING mode) and register-file accesses.
  void count_job_events(const GemmJob& job, uint64_t zero_products);
  // Real (unpadded) MACs of reduction group g: the last group may be partial.
  uint32_t group_macs(const GemmJob& job, uint32_t k, uint32_t g) const {
    return std::min<uint32_t>(k, job.shape.k - g * k);
  }

  MacArrayParams params_;
  sc_core::sc_time clock_period_;
  bool compute_values_;
  std::unique_ptr<const MacDatapath> datapath_;  // the current job's arithmetic (null in TIMING)
  MacEvents events_;                             // PE events, folded into counters_
  MacArrayCounters counters_;
};

// Builds the implementation for a fidelity mode.
std::unique_ptr<MacArray> make_mac_array(FidelityMode mode, sc_core::sc_module_name name,
                                         const MacArrayParams& params,
                                         sc_core::sc_time clock_period);

}  // namespace nibble::hw
