#pragma once
// Off-chip DRAM shared by every core's DMA: a fixed latency from request to
// first data plus one data bus whose bandwidth serialises the bursts. Owns
// the DRAM side of a burst's timing:
//   data_start = max(request + latency, bus_free);  done = data_start + ceil(bytes /
//   bytes_per_clock)
// Requests are served first-come first-served in simulated time. Requests
// made in the same clock are ordered by requester id (the order DMAs were
// built: core0 read, core0 write, core1 read, ...), never by SystemC's
// process order, which differs between fidelity modes: request_burst()
// collects a clock's requests and grants them 1 ps after the clock edge.
#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

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
  SC_HAS_PROCESS(Dram);
  Dram(sc_core::sc_module_name name, const DramParams& params, double clock_mhz);

  // Each requester (DMA) takes an id once, at construction.
  uint32_t add_requester() { return requesters_++; }
  // Blocking (call from an SC_THREAD, on a clock edge): books a burst
  // requested now, arbitrated with the other requests of this clock by
  // requester id; returns 1 ps after the edge with the clock it is done.
  uint64_t request_burst(uint32_t requester, uint64_t request_cycle, uint32_t bytes);

  // Books a burst requested at `request_cycle`; returns the clock its last
  // byte has arrived (the burst is done at that clock).
  uint64_t schedule_burst(uint64_t request_cycle, uint32_t bytes);

  uint64_t latency_cycles() const { return latency_cycles_; }
  double bytes_per_cycle() const { return bytes_per_cycle_; }
  uint64_t transfer_cycles(uint32_t bytes) const;  // bus occupancy of one burst
  const DramCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  struct Pending {
    uint32_t requester;
    uint64_t request_cycle;
    uint32_t bytes;
    uint64_t done;
  };
  void arbitrate();  // SC_METHOD: grants this clock's requests in requester order

  std::vector<Pending*> pending_;  // this clock's requests (reserved once)
  sc_core::sc_event arbitrate_event_, granted_;
  uint32_t requesters_ = 0;
  double bytes_per_cycle_;
  uint64_t latency_cycles_;
  uint64_t bus_free_cycle_ = 0;
  DramCounters counters_;
};

}  // namespace nibble::hw
