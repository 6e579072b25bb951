#include "hw_models/dma.hpp"

#include <algorithm>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Dma::Dma(sc_core::sc_module_name name, const DmaParams& params, Dram& dram,
         sc_core::sc_time clock_period)
    : sc_core::sc_module(name),
      params_(params),
      dram_(dram),
      clock_period_(clock_period),
      requester_id_(dram.add_requester()),
      done_ring_(params.max_outstanding, 0) {
  if (params_.burst_bytes == 0 || params_.max_outstanding == 0)
    throw InputError(std::string(basename()) + ": burst_bytes and max_outstanding must be >= 1");
}

uint64_t Dma::now_cycle() const {
  return static_cast<uint64_t>(sc_core::sc_time_stamp() / clock_period_ + 0.5);
}

// Waits to the edge of `cycle` exactly (a DRAM grant leaves us 1 ps past an
// edge; the next wait lands back on the grid).
void Dma::wait_until(uint64_t cycle) {
  const sc_core::sc_time target = clock_period_ * static_cast<double>(cycle);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (target > now) wait(target - now);
}

uint64_t Dma::transfer(uint64_t bytes) {
  const uint64_t start = now_cycle();
  wait_until(start + params_.setup_cycles);
  const uint64_t bursts = (bytes + params_.burst_bytes - 1) / params_.burst_bytes;
  std::fill(done_ring_.begin(), done_ring_.end(), 0);
  uint64_t issue = start + params_.setup_cycles, last_done = issue;
  for (uint64_t i = 0; i < bursts; ++i) {
    const uint64_t ready = i == 0 ? issue : issue + 1;  // one burst request per clock
    const uint64_t slot_free =
        i >= params_.max_outstanding ? done_ring_[i % params_.max_outstanding] : 0;
    issue = std::max(ready, slot_free);
    counters_.window_stall_cycles += issue - ready;
    // Requests reach the shared DRAM in simulated-time order.
    wait_until(issue);
    const uint32_t size = static_cast<uint32_t>(
        std::min<uint64_t>(params_.burst_bytes, bytes - i * params_.burst_bytes));
    const uint64_t done = dram_.request_burst(requester_id_, issue, size);
    done_ring_[i % params_.max_outstanding] = done;
    last_done = std::max(last_done, done);
  }
  wait_until(last_done);
  ++counters_.transfers;
  counters_.bytes += bytes;
  counters_.bursts += bursts;
  return last_done - start;
}

void Dma::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".transfers", "events", "DMA transfers", &counters_.transfers);
  registry.add(prefix + ".bytes", "bytes", "Bytes moved by the DMA", &counters_.bytes);
  registry.add(prefix + ".bursts", "events", "DMA bursts issued", &counters_.bursts);
  registry.add(prefix + ".window_stall_cycles", "cycles",
               "Clocks a burst waited for an outstanding-request slot",
               &counters_.window_stall_cycles);
}

}  // namespace nibble::hw
