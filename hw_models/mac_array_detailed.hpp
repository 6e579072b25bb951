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
#include <memory>
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

  // One result entering the array's south-edge register (a WS/IS partial sum
  // of one K fold, or an OS output): the job clock (0-based) on which it was
  // latched, its output element and accumulator word. Logged only when a log
  // is set (tests/rtl co-simulates this against the RTL's south edge).
  struct SouthEdgeEvent {
    uint64_t cycle;
    uint32_t m, n;
    int64_t value;
  };
  void log_south_edge(std::vector<SouthEdgeEvent>* log) { south_log_ = log; }

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

  std::vector<SouthEdgeEvent>* south_log_ = nullptr;
  // A result entering column c's south-edge register; `tag` is what the RTL
  // carries with it (WS/IS: the stream index; OS: the row within the fold).
  void note_south_edge(uint32_t c, uint32_t tag, uint32_t m, uint32_t n, int64_t value) {
    if (south_log_) south_log_->push_back({job_cycle_, m, n, value});
    if (vcd_on_) set_vcd_south_edge(c, tag, value);
  }
  void set_vcd_south_edge(uint32_t c, uint32_t tag, int64_t value);

  // Array-edge signals for VCD (plain members sampled by sc_trace).
  bool clk_ = false;  // toggled only while a VCD is open (tick() waits two half periods)
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
  // The south edge under the RTL's port names and widths (hw_models/rtl/
  // mpe_array.sv: o_valid[C], o_tag[C*8], o_value[C*accumulator_bits]) and
  // its job counters, so GTKWave shows this VCD and the Verilated one alike.
  static constexpr uint32_t kVcdTagBits = 8;  // the RTL's IDX_W
  mutable std::unique_ptr<sc_dt::sc_bv_base> vcd_o_valid_, vcd_o_tag_, vcd_o_value_;
  mutable uint64_t vcd_saturations_ = 0;
};

}  // namespace nibble::hw
