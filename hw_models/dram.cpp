#include "hw_models/dram.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Dram::Dram(sc_core::sc_module_name name, const DramParams& params, double clock_mhz)
    : sc_core::sc_module(name),
      bytes_per_cycle_(params.bandwidth_gb_per_s * 1e3 /
                       clock_mhz),  // (GB/s) / (Mclk/s) * 1e3 = B/clk
      latency_cycles_(
          static_cast<uint64_t>(std::ceil(params.latency_ns * clock_mhz / 1e3 - 1e-9))) {
  if (!(params.bandwidth_gb_per_s > 0) || !(clock_mhz > 0))
    throw InputError(std::string(basename()) + ": DRAM bandwidth and clock must be > 0");
  pending_.reserve(64);
  SC_METHOD(arbitrate);
  sensitive << arbitrate_event_;
  dont_initialize();
}

uint64_t Dram::request_burst(uint32_t requester, uint64_t request_cycle, uint32_t bytes) {
  Pending p{requester, request_cycle, bytes, 0};
  if (pending_.empty()) arbitrate_event_.notify(sc_core::sc_time(1, sc_core::SC_PS));
  pending_.push_back(&p);
  wait(granted_);
  return p.done;
}

void Dram::arbitrate() {
  std::sort(pending_.begin(), pending_.end(),
            [](const Pending* a, const Pending* b) { return a->requester < b->requester; });
  for (Pending* p : pending_) p->done = schedule_burst(p->request_cycle, p->bytes);
  pending_.clear();
  granted_.notify();  // the waiting requesters resume in this evaluation phase
}

uint64_t Dram::transfer_cycles(uint32_t bytes) const {
  // A small epsilon so that exact ratios (64 B at 16 B/clk = 4) do not round up.
  return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / bytes_per_cycle_ - 1e-9));
}

uint64_t Dram::schedule_burst(uint64_t request_cycle, uint32_t bytes) {
  const uint64_t start = std::max(request_cycle + latency_cycles_, bus_free_cycle_);
  const uint64_t occupancy = transfer_cycles(bytes);
  bus_free_cycle_ = start + occupancy;
  ++counters_.bursts;
  counters_.bytes += bytes;
  counters_.bus_busy_cycles += occupancy;
  return bus_free_cycle_;
}

void Dram::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".bursts", "events", "DRAM bursts", &counters_.bursts);
  registry.add(prefix + ".bytes", "bytes", "Bytes moved to/from DRAM", &counters_.bytes);
  registry.add(prefix + ".bus_busy_cycles", "cycles", "Clocks the DRAM data bus was busy",
               &counters_.bus_busy_cycles);
}

}  // namespace nibble::hw
