#pragma once
// Off-chip DRAM shared by every core's DMA: a fixed latency from request to
// first data plus one data bus whose bandwidth serialises the bursts. Owns
// the DRAM side of a burst's timing:
//   data_start = max(request + latency, bus_free);  done = data_start + ceil(bytes / bytes_per_clock)
// Requests are served in the order they are made (callers make them at their
// issue time, so this is first-come first-served in simulated time).
#include <systemc>

#include <cstdint>
#include <string>

#include "hw_models/memory_params.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

struct DramCounters {
  uint64_t bursts = 0;
  uint64_t bytes = 0;
  uint64_t bus_busy_cycles = 0;
};

class Dram : public sc_core::sc_module {
 public:
  Dram(sc_core::sc_module_name name, const DramParams& params, double clock_mhz);

  // Books a burst requested at `request_cycle`; returns the clock its last
  // byte has arrived (the burst is done at that clock).
  uint64_t schedule_burst(uint64_t request_cycle, uint32_t bytes);

  uint64_t latency_cycles() const { return latency_cycles_; }
  double bytes_per_cycle() const { return bytes_per_cycle_; }
  uint64_t transfer_cycles(uint32_t bytes) const;  // bus occupancy of one burst
  const DramCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  double bytes_per_cycle_;
  uint64_t latency_cycles_;
  uint64_t bus_free_cycle_ = 0;
  DramCounters counters_;
};

}  // namespace nibble::hw
