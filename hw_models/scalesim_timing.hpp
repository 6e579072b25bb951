#pragma once
// SCALE-Sim v2's timing convention for one GEMM on the array, selected by
// array.timing_model = "scalesim_v2" (docs/microarch.md section 12). It is
// what SCALE-Sim v2 (scalesim-project/scale-sim-v2 @ 22f88b1) reports in
// COMPUTE_REPORT.csv as "Total Cycles" and "Stall Cycles", derived from its
// source, not fitted:
//
//  * compute/systolic_compute_{os,ws,is}.py build one demand line per clock
//    of each fold (fold order: column folds outer, row folds inner); a fold
//    is always as long as a full array's, whatever its active part:
//        OS  T + R + C - 2     (T = K, rows <- M, cols <- N)
//        WS  T + 2R + C - 2    (T = M, rows <- K, cols <- N)
//        IS  T + 2R + C - 2    (T = N, rows <- K, cols <- M)
//  * memory/double_buffered_scratchpad_mem.py service_memory_requests()
//    issues line i at clock i + (stalls so far); the layer's Total Cycles is
//    the clock the last line is served: lines - 1 + stalls.
//  * With InterfaceBandwidth CALC the read buffers never stall
//    (read_buffer_estimate_bw.py); the only stalls come from the OFMAP
//    write buffer (memory/write_buffer.py service_writes(), empty_drain_buf())
//    which this model replays element-exactly: half the OFMAP SRAM drains to
//    DRAM at `cols` words per clock (CALC) or the USER bandwidth.
//  * With USER bandwidth the IFMAP and filter read buffers stall a demand
//    line until the prefetch holding each demanded address arrives
//    (memory/read_buffer.py); that depends on the operands' addresses and is
//    replayed exactly by scalesim_read_buffer.hpp (docs/microarch.md 12.3).
#include <cstdint>

#include "hw_models/mac_array_params.hpp"
#include "hw_models/mac_array_timing.hpp"
#include "hw_models/scalesim_read_buffer.hpp"

namespace nibble::hw {

struct ScaleSimCycles {
  uint64_t total = 0;   // COMPUTE_REPORT "Total Cycles"
  uint64_t stalls = 0;  // COMPUTE_REPORT "Stall Cycles" (included in total)
  uint64_t lines = 0;   // demand lines (clocks without stalls): folds x fold length
  uint64_t folds = 0;
  uint64_t read_prefetches = 0;  // USER: new_prefetch() calls of both read buffers
};

// The convention's figures for one GEMM (M x K times K x N) on `array`,
// with K counted in groups of the precision's MACs per PE per clock.
// `geometry` is the SCALE-Sim layer the GEMM comes from (a conv's IFMAP
// addresses repeat across overlapping windows); null, or not matching the
// shape, means a GEMM row. Only USER bandwidth reads it.
ScaleSimCycles scalesim_gemm_cycles(const MacArrayParams& array, Precision precision,
                                    const GemmShape& shape,
                                    const ScaleSimLayerGeometry* geometry = nullptr);

}  // namespace nibble::hw
