#pragma once
// A core's controller: runs a CoreProgram with double buffering. Three
// sequencer processes share the work, each paying issue_latency_cycles per
// command it issues:
//   load    step j's operand tiles (read DMA) into buffer j mod 2, once that
//           buffer has been released by compute(j-2);
//   compute step j on the array once its tiles are loaded, then pays the
//           operand feed's bank-conflict stalls (operand_feed.hpp), then
//           releases the buffer;
//   store   step j's output tile (write DMA) once computed.
// A program that references its op's operand data (program.hpp) runs on a
// FAST or DETAILED array: the controller cuts each step's tiles out of it and
// gathers the outputs (K-split tiles add to the partial sums kept on chip, in
// ascending k0 order); a shapes-only program needs a
// TIMING array. Timing is the same either way.
// With ideal DMA a pass takes sum_j (issue + T_array(j) + S_bank(j)) after the
// first load; a DRAM-bound pass takes about sum_j T_load(j).
//
// Stall cycles by cause (the array idle while the pass runs), per pass:
//   dram          waiting for step j's tiles while the read DMA moves them;
//   bank_conflict the operand feed needing more bank words than one clock serves;
//   dependency    waiting for step j's tiles while the load sequencer is not
//                 moving data (command issue, a buffer not yet released).
#include <systemc>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw_models/dma.hpp"
#include "hw_models/mac_array.hpp"
#include "hw_models/memory_params.hpp"
#include "hw_models/program.hpp"
#include "hw_models/scratchpad.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

struct StallCycles {
  uint64_t dram = 0;
  uint64_t bank_conflict = 0;
  uint64_t dependency = 0;
  uint64_t total() const { return dram + bank_conflict + dependency; }
};

// One program run (one pass of an op): what a report shows per pass.
struct PassRecord {
  uint64_t cycles = 0;
  uint64_t array_busy_cycles = 0;
  StallCycles stalls;
  // Where the pass's cycles went, for the cycle account (nibble run
  // --explain): cycles = first_load + (stalls.total() - first_load) +
  // steps x issue latency + array_busy_cycles + last_store.
  uint64_t first_load_dram = 0, first_load_dependency = 0;  // step 0's wait, in stalls
  uint64_t steps = 0;
  uint64_t last_store = 0;  // after the last step's compute until the last store is done
};

// One busy interval of a block the controller drives, for timelines
// (recorded per tile step, never per cycle, and only when a sink is set).
struct BlockInterval {
  enum Block : uint8_t { array, read_dma, write_dma } block = array;
  uint64_t start_cycle = 0, cycles = 0;
};

struct ControllerCounters {
  uint64_t commands = 0;
  uint64_t stall_cycles_dram = 0;           // array idle, read DMA moving its tiles
  uint64_t stall_cycles_bank_conflict = 0;  // operand feed waiting for scratchpad banks
  uint64_t stall_cycles_dependency = 0;     // array idle, its tiles' load not yet moving data
  uint64_t programs = 0;
};

class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, const ControllerParams& params,
             sc_core::sc_time clock_period, MacArray& array, Scratchpad& scratchpad, Dma& read_dma,
             Dma& write_dma);

  // Blocking (call from an SC_THREAD): runs the program to its last store.
  // Returns its cycles.
  uint64_t run(const CoreProgram& program);

  uint64_t completed() const { return counters_.programs; }
  const ControllerCounters& counters() const { return counters_; }
  // One record per run(), in order (appended once per pass, never per cycle).
  const std::vector<PassRecord>& passes() const { return passes_; }
  // Outputs of the last program that carried operands (FAST/DETAILED array):
  // the op's M x N FP16 results and accumulator words, row-major; only this
  // core's columns are written (the rest stay 0).
  const std::vector<uint16_t>& outputs_fp16() const { return outputs_fp16_; }
  const std::vector<int64_t>& outputs_accumulators() const { return outputs_acc_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;
  // Appends every step's array / DMA busy interval to `sink` (null: off).
  void set_timeline(std::vector<BlockInterval>* sink) { timeline_ = sink; }

 private:
  uint64_t now_cycle() const;
  void record(BlockInterval::Block block, uint64_t start_cycle);
  void load_process();
  void compute_process();
  void store_process();
  void issue();  // one command's decode/issue latency
  void check_program(const CoreProgram& program) const;
  GemmJob tile_job(const TileStep& step, const MacFormat& format);  // cuts the step's operand tiles
  void scatter_outputs(const TileStep& step, const GemmOutput& out);

  ControllerParams params_;
  sc_core::sc_time clock_period_;
  MacArray& array_;
  Scratchpad& scratchpad_;
  Dma& read_dma_;
  Dma& write_dma_;

  const CoreProgram* program_ = nullptr;
  sc_core::sc_event start_load_, start_compute_, start_store_, done_;
  sc_core::sc_event loaded_, computed_, released_, stored_;
  uint64_t loaded_steps_ = 0, computed_steps_ = 0, stored_steps_ = 0;
  std::vector<uint64_t> load_dma_cycles_;  // per step of the current program: its read-DMA cycles
  StallCycles pass_stalls_;
  uint64_t pass_array_cycles_ = 0;
  uint64_t pass_first_dram_ = 0, pass_first_dependency_ = 0;
  sc_core::sc_time last_compute_end_;
  ControllerCounters counters_;
  std::vector<PassRecord> passes_;
  std::vector<OperandCode> tile_a_,
      tile_b_;  // the current step's tiles (reused: no per-step growth)
  std::vector<uint16_t> outputs_fp16_;
  std::vector<int64_t> outputs_acc_;
  std::unique_ptr<const MacDatapath> output_datapath_;
  std::vector<BlockInterval>* timeline_ = nullptr;  // rounds K-split sums to FP16
};

}  // namespace nibble::hw
