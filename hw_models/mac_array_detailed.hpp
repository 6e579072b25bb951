#pragma once
// DETAILED implementation of the MPE array: a clocked SystemC process steps
// a grid of PEs once per clock. Each PE has its operand registers (pointers
// to the operand codes it currently holds, plus a tag of which row/column of
// the problem they belong to) and its partial-sum pipeline of
// pe_pipeline_depth stages; operands hop one PE per cycle, partial sums hop
// one PE per MAC latency, and outputs drain through the bottom edge. The
// GEMM's cycle count is the clock on which its last result reaches the
// bottom edge: nothing here reads mac_array_timing.hpp.
//
// Per-PE state lives in flat vectors sized once per job; the per-cycle loop
// allocates nothing, formats nothing and logs nothing.
#include <vector>

#include "hw_models/mac_array.hpp"

namespace nibble::hw {

class MacArrayDetailed final : public MacArray {
 public:
  SC_HAS_PROCESS(MacArrayDetailed);
  MacArrayDetailed(sc_core::sc_module_name name, const MacArrayParams& params,
                   sc_core::sc_time clock_period);
  void run(const GemmJob& job, GemmOutput& out) override;

  void trace(sc_core::sc_trace_file* file) const override;

 private:
  void clock_process();                       // waits for a job, then steps the grid each clock
  void run_stationary(bool stationary_is_b);  // WS (B stationary) and IS (A stationary)
  void run_output_stationary();               // OS
  void tick();                                // one clock: bookkeeping + wait(period)
  // One PE clock of MACs on reduction group `group` (a partial last group
  // feeds only its real products).
  int64_t pe_mac(int64_t acc, const OperandCode* a, const OperandCode* b, uint32_t group);

  sc_core::sc_event start_;
  sc_core::sc_event done_;
  const GemmJob* job_ = nullptr;
  GemmOutput* out_ = nullptr;

  // Operands packed per problem row/column, zero-padded to whole K groups.
  uint32_t k_ = 1, kg_ = 0, kpad_ = 0;
  std::vector<OperandCode> a_packed_;  // M x kpad
  std::vector<OperandCode> b_packed_;  // N x kpad (B transposed)

  // PE grid state, index r * cols + c (pipelines: * depth + stage).
  std::vector<const OperandCode*> west_reg_;  // operand moving west -> east
  std::vector<int32_t> west_tag_;             // problem index it belongs to, -1 = bubble
  std::vector<const OperandCode*>
      north_reg_;  // operand moving north -> south (OS) / stationary (WS, IS)
  std::vector<int32_t> north_tag_;
  std::vector<int64_t> pipe_value_;         // WS/IS: partial-sum pipeline
  std::vector<int32_t> pipe_tag_;           // WS/IS: partial sums; OS: multiplier stages
  std::vector<const OperandCode*> pipe_a_;  // OS: operand pairs in the multiplier stages
  std::vector<const OperandCode*> pipe_b_;
  std::vector<int64_t> accumulator_;   // OS: stationary outputs
  std::vector<uint32_t> groups_done_;  // OS: groups accumulated per PE
  std::vector<int64_t> drain_value_;   // OS: output drain chain
  std::vector<int32_t> drain_tag_;

  // Array-edge signals for VCD (plain members sampled by sc_trace).
  bool busy_ = false;
  uint64_t job_cycle_ = 0;
  uint64_t results_out_ = 0;
  int32_t west_edge_row0_tag_ = -1;
  int64_t south_edge_col0_value_ = 0;
  bool south_edge_col0_valid_ = false;

  // Per-PE register mirrors for VCD (docs/microarch.md 2.6): sized once in
  // trace() so sc_trace's references stay valid, refreshed each clock only
  // when a VCD is open. west/north tags: the problem row/column index of
  // the operand a PE holds (-1: bubble); psum: its partial sum (WS/IS: the
  // last pipeline stage; OS: the stationary accumulator).
  void sample_pe_registers();
  mutable std::vector<int32_t> vcd_west_tag_, vcd_north_tag_;
  mutable std::vector<int64_t> vcd_psum_;
  mutable bool vcd_on_ = false;
};

}  // namespace nibble::hw
