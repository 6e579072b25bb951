#pragma once
// A chip: N cores on a bidirectional ring sharing one off-chip DRAM. Built
// from ChipParams (each core group expanded into `count` identical cores).
// run() executes one program per core concurrently and returns when the
// last core is done.
#include <systemc>

#include <memory>
#include <string>
#include <vector>

#include "hw_models/chip_params.hpp"
#include "hw_models/core.hpp"
#include "hw_models/dram.hpp"
#include "hw_models/ring.hpp"

namespace nibble::hw {

class Chip : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Chip);
  // mode: the cores' array fidelity (FAST/DETAILED need data-carrying programs).
  Chip(sc_core::sc_module_name name, const ChipParams& params,
       FidelityMode mode = FidelityMode::timing);

  // Blocking (call from an SC_THREAD): programs[i] runs on core i (fewer
  // programs than cores leaves the rest idle). Returns the chip's cycles.
  uint64_t run(const std::vector<CoreProgram>& programs);

  uint32_t num_cores() const { return static_cast<uint32_t>(cores_.size()); }
  Core& core(uint32_t i) { return *cores_.at(i); }
  Ring& ring() { return ring_; }
  Dram& dram() { return dram_; }
  sc_core::sc_time clock_period() const { return clock_period_; }
  void register_stats(StatRegistry& registry) const;

 private:
  void core_process(uint32_t index);

  ChipParams params_;
  sc_core::sc_time clock_period_;
  Dram dram_;
  std::vector<std::unique_ptr<Core>> cores_;
  Ring ring_;
  const std::vector<CoreProgram>* programs_ = nullptr;
  std::vector<sc_core::sc_event> start_;
  sc_core::sc_event core_done_;
  uint32_t cores_running_ = 0;
};

}  // namespace nibble::hw
