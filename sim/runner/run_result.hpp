#pragma once
// What a workload run produces (sim/runner): per op, per pass, the cycles,
// stall cycles by cause, utilisation, memory traffic and energy by block
// kind; plus the run's totals and, when asked for, the timeline intervals.
// Plain data: the report (run_report.hpp) and timeline writer read it.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/runner/cycle_account.hpp"

namespace nibble::runner {

struct PassResult {
  std::string kind;  // "array", "sfu", "scale_stats", "scale_quantize", "lgu"
  uint64_t cycles = 0;
  uint64_t macs = 0;  // real MACs (array passes)
  // Summed over the cores (core-cycles the array waited), see docs/reports.md.
  uint64_t stall_dram = 0, stall_bank_conflict = 0, stall_dependency = 0;
  double utilization = 0;  // real MACs / (cycles x peak MACs per cycle of the chip)
  uint64_t sram_bytes = 0, dram_bytes = 0;
  double energy_pj = 0;
  double leakage_pj = 0;                                       // the leakage part of energy_pj
  std::vector<std::pair<std::string, double>> energy_by_kind;  // block kind -> pJ
  uint64_t stall_cycles() const { return stall_dram + stall_bank_conflict + stall_dependency; }
};

struct OpResult {
  std::string name, layer, pass, type, precision;
  uint64_t count = 1;  // identical instances (groups, heads) the figures include
  uint64_t macs = 0;
  uint64_t cycles = 0;
  double energy_pj = 0;
  std::vector<PassResult> passes;
  CycleAccount account;  // --explain (and SCALE-Sim runs): SCALE-Sim cycles + named differences
};

// One block's busy interval, in chip cycles from the start of the run.
// core < 0: an op-level span (name is the op's).
struct TimelineEvent {
  int32_t core = -1;
  uint8_t block = 0;  // TimelineBlock
  uint32_t op = 0;    // index into RunResult::ops
  uint64_t start = 0, duration = 0;
};

enum TimelineBlock : uint8_t {
  tl_op,
  tl_array,
  tl_read_dma,
  tl_write_dma,
  tl_lgu,
  tl_scale,
  tl_sfu
};

struct RunTotals {
  uint64_t cycles = 0, macs = 0, dram_bytes = 0, sram_bytes = 0;
  uint64_t stall_dram = 0, stall_bank_conflict = 0, stall_dependency = 0;
  double energy_pj = 0;
  double leakage_pj = 0;  // the leakage part of energy_pj
};

struct RunResult {
  std::string mode;  // "detailed", "fast", "timing"
  double clock_mhz = 0;
  uint32_t cores = 0;
  std::vector<OpResult> ops;
  RunTotals totals;
  // Registry counters summed over the run (count-scaled), in registry order.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<std::pair<std::string, std::string>> counter_units;
  // Energy per block kind over the whole run (dynamic + leakage).
  std::vector<std::pair<std::string, double>> energy_by_kind;
  std::vector<std::pair<std::string, double>> leakage_by_kind;  // its leakage part
  std::vector<TimelineEvent> timeline;
};

}  // namespace nibble::runner
