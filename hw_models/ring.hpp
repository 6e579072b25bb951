#pragma once
// The bidirectional ring between a chip's cores: each link moves
// link_width_bytes per clock per direction with link_latency_cycles per hop.
// A message takes the shorter direction and is cut-through:
//   hops H = min(|i - j|, N - |i - j|),  T = H * hop_latency + ceil(bytes / link_width)
// Link contention between concurrent messages is not modelled yet.
#include <systemc>

#include <cstdint>
#include <string>

#include "hw_models/memory_params.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

struct RingCounters {
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t hop_bytes = 0;  // bytes x hops: the link energy events
};

class Ring : public sc_core::sc_module {
 public:
  Ring(sc_core::sc_module_name name, const RingParams& params, uint32_t cores,
       sc_core::sc_time clock_period);

  uint32_t hops(uint32_t from, uint32_t to) const;
  uint64_t cycles(uint32_t from, uint32_t to, uint64_t bytes) const;
  uint64_t send(uint32_t from, uint32_t to, uint64_t bytes);  // blocking; returns cycles

  uint64_t completed() const { return counters_.messages; }
  const RingCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  RingParams params_;
  uint32_t cores_;
  sc_core::sc_time clock_period_;
  RingCounters counters_;
};

}  // namespace nibble::hw
