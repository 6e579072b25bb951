#include "hw_models/controller.hpp"

#include <algorithm>
#include <string>

#include "hw_models/operand_feed.hpp"

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Controller::Controller(sc_core::sc_module_name name, const ControllerParams& params, sc_core::sc_time clock_period,
                       MacArray& array, Scratchpad& scratchpad, Dma& read_dma, Dma& write_dma)
    : sc_core::sc_module(name), params_(params), clock_period_(clock_period), array_(array),
      scratchpad_(scratchpad), read_dma_(read_dma),
      write_dma_(write_dma) {
  SC_THREAD(load_process);
  SC_THREAD(compute_process);
  SC_THREAD(store_process);
}

void Controller::issue() {
  ++counters_.commands;
  if (params_.issue_latency_cycles > 0) wait(clock_period_ * static_cast<double>(params_.issue_latency_cycles));
}

uint64_t Controller::run(const CoreProgram& program) {
  if (program_ != nullptr)
    throw SimulationError(std::string(name()) + ": run() called while a program is in flight");
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  program_ = &program;
  loaded_steps_ = computed_steps_ = stored_steps_ = 0;
  load_dma_cycles_.assign(program.steps.size(), 0);
  pass_stalls_ = {};
  pass_array_cycles_ = 0;
  if (!program.steps.empty()) {
    start_load_.notify();
    start_compute_.notify();
    start_store_.notify();
    wait(done_);
  }
  program_ = nullptr;
  ++counters_.programs;
  const uint64_t cycles = static_cast<uint64_t>((sc_core::sc_time_stamp() - t0) / clock_period_ + 0.5);
  passes_.push_back({cycles, pass_array_cycles_, pass_stalls_});
  return cycles;
}

void Controller::load_process() {
  for (;;) {
    wait(start_load_);
    const auto& steps = program_->steps;
    for (size_t j = 0; j < steps.size(); ++j) {
      while (j >= computed_steps_ + 2) wait(released_);  // both buffers hold tiles not yet consumed
      if (steps[j].load_bytes > 0) {
        issue();
        load_dma_cycles_[j] = read_dma_.transfer(steps[j].load_bytes);
        scratchpad_.record_stream(0, steps[j].load_bytes * 8, 0);  // the DMA fills the buffer
      }
      ++loaded_steps_;
      loaded_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void Controller::compute_process() {
  for (;;) {
    wait(start_compute_);
    const auto& steps = program_->steps;
    GemmOutput out;
    MacFormat format;
    format.precision = program_->precision;
    for (size_t j = 0; j < steps.size(); ++j) {
      const sc_core::sc_time wait_start = sc_core::sc_time_stamp();
      while (loaded_steps_ <= j) wait(loaded_);
      // The tail of the wait overlapping step j's DMA transfer is DRAM time;
      // the rest was the load sequencer issuing or waiting for a buffer.
      const uint64_t waited =
          static_cast<uint64_t>((sc_core::sc_time_stamp() - wait_start) / clock_period_ + 0.5);
      const uint64_t dram = std::min(waited, load_dma_cycles_[j]);
      pass_stalls_.dram += dram;
      pass_stalls_.dependency += waited - dram;
      counters_.stall_cycles_dram += dram;
      counters_.stall_cycles_dependency += waited - dram;
      issue();
      array_.run(GemmJob{format, steps[j].shape, {}, {}}, out);  // cycles only: tiles carry no data yet
      pass_array_cycles_ += out.cycles;
      const OperandFeed feed = operand_feed(array_.params(), scratchpad_.params(), format.precision, steps[j].shape);
      const uint64_t bank_stall = feed.stall_cycles();
      scratchpad_.record_stream(feed.sram_read_bits, feed.sram_write_bits, bank_stall);
      if (bank_stall > 0) wait(clock_period_ * static_cast<double>(bank_stall));
      pass_stalls_.bank_conflict += bank_stall;
      counters_.stall_cycles_bank_conflict += bank_stall;
      ++computed_steps_;
      released_.notify(sc_core::SC_ZERO_TIME);
      computed_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void Controller::store_process() {
  for (;;) {
    wait(start_store_);
    const auto& steps = program_->steps;
    for (size_t j = 0; j < steps.size(); ++j) {
      while (computed_steps_ <= j) wait(computed_);
      if (steps[j].store_bytes > 0) {
        issue();
        scratchpad_.record_stream(steps[j].store_bytes * 8, 0, 0);  // the DMA drains the outputs
        write_dma_.transfer(steps[j].store_bytes);
      }
      ++stored_steps_;
    }
    done_.notify(sc_core::SC_ZERO_TIME);
  }
}

void Controller::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".commands", "events", "Commands issued", &counters_.commands);
  registry.add(prefix + ".stall_cycles_dram", "cycles", "Array idle waiting for operand tiles from DRAM",
               &counters_.stall_cycles_dram);
  registry.add(prefix + ".stall_cycles_bank_conflict", "cycles",
               "Array operand feed waiting for scratchpad banks", &counters_.stall_cycles_bank_conflict);
  registry.add(prefix + ".stall_cycles_dependency", "cycles",
               "Array idle while its tiles' load was issuing or waiting for a buffer",
               &counters_.stall_cycles_dependency);
  registry.add(prefix + ".programs", "events", "Programs run", &counters_.programs);
}

}  // namespace nibble::hw
