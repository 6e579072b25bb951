#include "hw_models/dram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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
}

uint32_t Dram::add_requester() {
  streams_.emplace_back();
  predicted_.emplace_back();
  active_.reserve(streams_.size());
  return requesters_++;
}

void Dram::begin_transfer(uint32_t requester, uint64_t now_cycle, const BurstTransfer& t) {
  book_until(streams_, bus_free_cycle_, now_cycle, true);  // bursts before now are final
  Stream& s = streams_.at(requester);
  if (s.active || t.bytes == 0 || t.burst_bytes == 0 || t.max_outstanding == 0 ||
      t.first_issue_cycle < now_cycle)
    throw SimulationError(std::string(name()) + ": malformed transfer from requester " +
                          std::to_string(requester));
  s.active = true;
  s.bursts = (t.bytes + t.burst_bytes - 1) / t.burst_bytes;
  s.next = 0;
  s.ready = s.last_done = t.first_issue_cycle;
  s.window_stall = 0;
  s.full_bytes = t.burst_bytes;
  s.last_bytes = static_cast<uint32_t>(t.bytes - (s.bursts - 1) * t.burst_bytes);
  s.full_occupancy = transfer_cycles(s.full_bytes);
  s.last_occupancy = transfer_cycles(s.last_bytes);
  s.ring.assign(t.max_outstanding, 0);
  active_.insert(std::upper_bound(active_.begin(), active_.end(), requester), requester);
  predict();
}

BurstTransferResult Dram::end_transfer(uint32_t requester, uint64_t now_cycle) {
  book_until(streams_, bus_free_cycle_, now_cycle, true);
  Stream& s = streams_.at(requester);
  if (!s.active || s.next < s.bursts || s.last_done > now_cycle)
    throw SimulationError(std::string(name()) + ": requester " + std::to_string(requester) +
                          " ended a transfer before its last burst was done");
  s.active = false;
  active_.erase(std::find(active_.begin(), active_.end(), requester));
  return {s.last_done, s.bursts, s.window_stall};
}

void Dram::predict() {
  for (uint32_t r : active_) predicted_[r] = streams_[r];  // same ring size: no allocation
  uint64_t bus_free = bus_free_cycle_;
  book_until(predicted_, bus_free, std::numeric_limits<uint64_t>::max(), false);
  for (uint32_t r : active_) streams_[r].predicted_done = predicted_[r].last_done;
}

void Dram::book_until(std::vector<Stream>& streams, uint64_t& bus_free, uint64_t limit,
                      bool count) {
  for (;;) {
    // The earliest pending burst by (request clock, requester id), and the
    // one after it from another requester: the first stream's bursts go
    // straight onto the bus until they would pass the second's.
    Stream* first = nullptr;
    uint64_t first_issue = limit, second_issue = limit;
    uint32_t first_id = 0, second_id = std::numeric_limits<uint32_t>::max();
    for (uint32_t r : active_) {  // ascending id: ties keep the lower id first
      Stream& s = streams[r];
      if (s.next >= s.bursts) continue;
      const uint64_t issue = s.issue_cycle();
      if (issue < first_issue) {
        second_issue = first_issue;
        second_id = first_id;
        first = &s;
        first_issue = issue;
        first_id = r;
      } else if (issue < second_issue) {
        second_issue = issue;
        second_id = r;
      }
    }
    if (first == nullptr) return;
    Stream& s = *first;
    const uint64_t window = s.ring.size();
    for (;;) {
      const uint64_t issue = s.issue_cycle();
      if (issue >= limit || issue > second_issue || (issue == second_issue && first_id > second_id))
        break;
      s.window_stall += issue - s.ready;
      const bool last = s.next + 1 == s.bursts;
      const uint64_t occupancy = last ? s.last_occupancy : s.full_occupancy;
      bus_free = std::max(issue + latency_cycles_, bus_free) + occupancy;
      if (count) {
        ++counters_.bursts;
        counters_.bytes += last ? s.last_bytes : s.full_bytes;
        counters_.bus_busy_cycles += occupancy;
      }
      s.ring[s.next % window] = bus_free;
      s.last_done = std::max(s.last_done, bus_free);
      s.ready = issue + 1;  // one burst request per clock
      if (++s.next == s.bursts) break;
    }
  }
}

uint64_t Dram::transfer_cycles(uint32_t bytes) const {
  // A small epsilon so that exact ratios (64 B at 16 B/clk = 4) do not round up.
  return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / bytes_per_cycle_ - 1e-9));
}

void Dram::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".bursts", "events", "DRAM bursts", &counters_.bursts);
  registry.add(prefix + ".bytes", "bytes", "Bytes moved to/from DRAM", &counters_.bytes);
  registry.add(prefix + ".bus_busy_cycles", "cycles", "Clocks the DRAM data bus was busy",
               &counters_.bus_busy_cycles);
}

}  // namespace nibble::hw
