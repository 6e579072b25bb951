#pragma once
// Off-chip DRAM shared by every core's DMA: a fixed latency from request to
// first data plus one data bus whose bandwidth serialises the bursts. Owns
// the DRAM side of a burst's timing:
//   data_start = max(request + latency, bus_free);  done = data_start + ceil(bytes /
//   bytes_per_clock)
// Requests are served first-come first-served in simulated time. Requests
// made in the same clock are ordered by requester id (the order DMAs were
// built: core0 read, core0 write, core1 read, ...), never by SystemC's
// process order, which differs between fidelity modes.
//
// Bursts are booked per transfer, not per SystemC event: a DMA hands the
// DRAM its whole transfer (begin_transfer), and the DRAM books every burst
// of the transfers in flight in (request clock, requester id) order -- the
// order the hardware serves them in. A burst's request clock depends only on
// the same transfer's earlier bursts (one request per clock, the outstanding
// window), so that order is known without simulating each clock. Bursts
// requested before the current clock are final ("committed"); the later
// ones are booked on a copy to predict each transfer's finish clock, and are
// re-predicted whenever a new transfer begins (it can only delay them: the
// bus is FCFS and every done clock is monotone in the requests before it).
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

// One DMA transfer as the DRAM books it: `bytes` in bursts of `burst_bytes`
// (the last one shorter), the first requested at `first_issue_cycle`, then at
// most one per clock, burst i not before burst i - max_outstanding is done.
struct BurstTransfer {
  uint64_t bytes = 0;
  uint64_t first_issue_cycle = 0;
  uint32_t burst_bytes = 64;
  uint32_t max_outstanding = 1;
};

// What a finished transfer cost.
struct BurstTransferResult {
  uint64_t done_cycle = 0;           // clock its last burst is done
  uint64_t bursts = 0;               // bursts issued
  uint64_t window_stall_cycles = 0;  // clocks a ready burst waited for an outstanding slot
};

class Dram : public sc_core::sc_module {
 public:
  Dram(sc_core::sc_module_name name, const DramParams& params, double clock_mhz);

  // Each requester (DMA) takes an id once, at construction.
  uint32_t add_requester();
  // A requester starts a transfer at clock `now_cycle` (the current clock;
  // first_issue_cycle >= now_cycle). One transfer per requester at a time.
  void begin_transfer(uint32_t requester, uint64_t now_cycle, const BurstTransfer& transfer);
  // The clock the requester's transfer is predicted to finish: final once
  // the simulation reaches it (a transfer begun later cannot delay it), and
  // otherwise never earlier than the final one.
  uint64_t predicted_done(uint32_t requester) const { return streams_[requester].predicted_done; }
  // Ends the transfer at clock `now_cycle` >= its done clock.
  BurstTransferResult end_transfer(uint32_t requester, uint64_t now_cycle);

  uint64_t latency_cycles() const { return latency_cycles_; }
  double bytes_per_cycle() const { return bytes_per_cycle_; }
  uint64_t transfer_cycles(uint32_t bytes) const;  // bus occupancy of one burst
  const DramCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  // A transfer in flight, booked up to burst `next`.
  struct Stream {
    bool active = false;
    uint64_t bursts = 0, next = 0;
    uint64_t ready = 0;  // earliest request clock of burst `next` (one request per clock)
    uint64_t last_done = 0, window_stall = 0;
    uint64_t full_occupancy = 0, last_occupancy = 0;  // bus clocks of a full / the last burst
    uint32_t full_bytes = 0, last_bytes = 0;
    uint64_t predicted_done = 0;
    std::vector<uint64_t> ring;  // done clocks of the last max_outstanding bursts
    uint64_t issue_cycle() const {
      const uint64_t slot_free = next >= ring.size() ? ring[next % ring.size()] : 0;
      return ready > slot_free ? ready : slot_free;
    }
  };
  // Books, in (request clock, requester id) order, every burst of `streams`
  // requested before `limit` on the bus whose next free clock is `bus_free`.
  // `count` adds the bursts to the counters (committed bursts only).
  void book_until(std::vector<Stream>& streams, uint64_t& bus_free, uint64_t limit, bool count);
  void predict();  // re-predicts every active transfer's done clock

  std::vector<Stream> streams_;    // per requester: the committed bookings
  std::vector<Stream> predicted_;  // scratch copy for predict() (reused: no growth)
  std::vector<uint32_t> active_;   // requesters with a transfer in flight, ascending id
  uint32_t requesters_ = 0;
  double bytes_per_cycle_;
  uint64_t latency_cycles_;
  uint64_t bus_free_cycle_ = 0;
  DramCounters counters_;
};

}  // namespace nibble::hw
