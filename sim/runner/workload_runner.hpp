#pragma once
// Runs a whole workload (workloads/ir) on the SystemC chip model and measures
// every op, pass by pass (docs/reports.md, docs/microarch.md section 11):
//   gemm / conv2d  -> gemm_of / lower_conv -> compiler::plan_gemm -> Chip::run
//                     (one pass "array"); an op with count > 1 (groups, heads)
//                     runs one instance and multiplies every counter and its
//                     cycles by count -- exactly what running the identical
//                     instances back to back gives (same shapes, same data,
//                     an idle chip between instances);
//   vector         -> the SFU of every core, elements split evenly (pass
//                     "sfu"); weight_update ops also move the FP32 master
//                     weights and momentum through the DMAs;
//   quantize       -> scale unit statistics pass ("scale_stats") then the LGU
//                     for fp4 ("lgu", both TPR phases) or the scale unit's
//                     quantize pass ("scale_quantize") for int4/uint4/hfp8.
// Counters are read once per pass (registry deltas), never per cycle.
// One SystemC simulation per process: call at most once per process.
#include <cstdint>
#include <string>

#include "hw_models/mac_array.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/runner/run_result.hpp"
#include "workloads/ir/workload.hpp"

namespace nibble::runner {

struct RunOptions {
  hw::FidelityMode mode = hw::FidelityMode::fast;
  uint64_t seed = 0;      // operand data of FAST/DETAILED runs
  bool progress = false;  // a progress line on stderr every few seconds (report/progress_line.hpp)
  bool timeline = false;  // record block intervals into RunResult::timeline
  std::string vcd;        // DETAILED only: core 0's PE registers to this VCD file
  bool explain = false;   // per-op cycle account against SCALE-Sim's convention (OpResult)
};

// Checks everything that can be checked without simulating (GEMM shapes,
// tiles that fit, options): throws InputError before any output is written.
void check_workload(const workload::Workload& w, const config::ChipConfig& chip,
                    const RunOptions& options);

RunResult run_workload(const workload::Workload& w, const config::ChipConfig& chip,
                       const RunOptions& options);

std::string_view to_string(hw::FidelityMode mode);

}  // namespace nibble::runner
