#pragma once
// A core's controller: runs a CoreProgram with double buffering. Three
// sequencer processes share the work, each paying issue_latency_cycles per
// command it issues:
//   load    step j's operand tiles (read DMA) into buffer j mod 2, once that
//           buffer has been released by compute(j-2);
//   compute step j on the array once its tiles are loaded (the wait is
//           counted as stall_cycles_dram), then releases the buffer;
//   store   step j's output tile (write DMA) once computed.
// The array must be a TIMING-mode array: program steps carry shapes and
// byte counts, not operand data (data-carrying tiles are the next step).
// So with ideal DMA a pass takes sum_j (issue + T_array(j)) after the first
// load, and a DRAM-bound pass takes about sum_j T_load(j).
#include <systemc>

#include <cstdint>
#include <string>

#include "hw_models/dma.hpp"
#include "hw_models/mac_array.hpp"
#include "hw_models/memory_params.hpp"
#include "hw_models/program.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

struct ControllerCounters {
  uint64_t commands = 0;
  uint64_t stall_cycles_dram = 0;  // array idle, waiting for its operand tiles
  uint64_t programs = 0;
};

class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, const ControllerParams& params, sc_core::sc_time clock_period,
             MacArray& array, Dma& read_dma, Dma& write_dma);

  // Blocking (call from an SC_THREAD): runs the program to its last store.
  // Returns its cycles.
  uint64_t run(const CoreProgram& program);

  uint64_t completed() const { return counters_.programs; }
  const ControllerCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  void load_process();
  void compute_process();
  void store_process();
  void issue();  // one command's decode/issue latency

  ControllerParams params_;
  sc_core::sc_time clock_period_;
  MacArray& array_;
  Dma& read_dma_;
  Dma& write_dma_;

  const CoreProgram* program_ = nullptr;
  sc_core::sc_event start_load_, start_compute_, start_store_, done_;
  sc_core::sc_event loaded_, computed_, released_, stored_;
  uint64_t loaded_steps_ = 0, computed_steps_ = 0, stored_steps_ = 0;
  ControllerCounters counters_;
};

}  // namespace nibble::hw
