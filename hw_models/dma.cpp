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
      requester_id_(dram.add_requester()) {
  if (params_.burst_bytes == 0 || params_.max_outstanding == 0)
    throw InputError(std::string(basename()) + ": burst_bytes and max_outstanding must be >= 1");
}

uint64_t Dma::now_cycle() const {
  return static_cast<uint64_t>(sc_core::sc_time_stamp() / clock_period_ + 0.5);
}

// Waits to the edge of `cycle` exactly.
void Dma::wait_until(uint64_t cycle) {
  const sc_core::sc_time target = clock_period_ * static_cast<double>(cycle);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (target > now) wait(target - now);
}

uint64_t Dma::transfer(uint64_t bytes) {
  const uint64_t start = now_cycle(), first_issue = start + params_.setup_cycles;
  if (bytes == 0) {
    wait_until(first_issue);
    ++counters_.transfers;
    return params_.setup_cycles;
  }
  dram_.begin_transfer(requester_id_, start,
                       {bytes, first_issue, params_.burst_bytes, params_.max_outstanding});
  // The predicted done clock only moves later (another transfer begun
  // meanwhile took the bus first) and is final once reached.
  for (uint64_t done = dram_.predicted_done(requester_id_); now_cycle() < done;
       done = dram_.predicted_done(requester_id_))
    wait_until(done);
  const BurstTransferResult r = dram_.end_transfer(requester_id_, now_cycle());
  ++counters_.transfers;  // completed() turns at the done clock, not before
  counters_.bytes += bytes;
  counters_.bursts += r.bursts;
  counters_.window_stall_cycles += r.window_stall_cycles;
  return r.done_cycle - start;
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
