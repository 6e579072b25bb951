#pragma once
// A core's DMA engine between DRAM and the scratchpad. Owns the request side
// of a transfer's timing: `setup_cycles` to program it, then one burst of
// `burst_bytes` (the last one shorter) per clock at most, with at most
// `max_outstanding` bursts in flight: burst i may not issue before burst
// i - max_outstanding is done. The DRAM decides when each burst is done; it
// books a whole transfer's bursts at once (dram.hpp), so a transfer costs the
// simulation a few events, not two per burst.
#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/dram.hpp"
#include "hw_models/memory_params.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

struct DmaCounters {
  uint64_t transfers = 0;
  uint64_t bytes = 0;
  uint64_t bursts = 0;
  uint64_t window_stall_cycles = 0;  // clocks a ready burst waited for an outstanding slot
};

class Dma : public sc_core::sc_module {
 public:
  Dma(sc_core::sc_module_name name, const DmaParams& params, Dram& dram,
      sc_core::sc_time clock_period);

  // Blocking (call from an SC_THREAD): moves `bytes` and returns when the
  // last burst is done. Returns the transfer's cycles.
  uint64_t transfer(uint64_t bytes);

  const DmaCounters& counters() const { return counters_; }
  uint64_t completed() const { return counters_.transfers; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  uint64_t now_cycle() const;
  void wait_until(uint64_t cycle);

  DmaParams params_;
  Dram& dram_;
  sc_core::sc_time clock_period_;
  uint32_t requester_id_;  // this DMA's place in the DRAM's same-clock order
  DmaCounters counters_;
};

}  // namespace nibble::hw
