#include "hw_models/ring.hpp"

#include <algorithm>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Ring::Ring(sc_core::sc_module_name name, const RingParams& params, uint32_t cores,
           sc_core::sc_time clock_period)
    : sc_core::sc_module(name), params_(params), cores_(cores), clock_period_(clock_period) {
  if (cores_ == 0 || params_.link_width_bytes == 0)
    throw InputError(std::string(basename()) +
                     ": a ring needs >= 1 core and link_width_bytes >= 1");
}

uint32_t Ring::hops(uint32_t from, uint32_t to) const {
  if (from >= cores_ || to >= cores_)
    throw InputError(std::string(name()) + ": core " + std::to_string(std::max(from, to)) +
                     " is not on the ring of " + std::to_string(cores_) + " cores");
  const uint32_t d = from > to ? from - to : to - from;
  return std::min(d, cores_ - d);
}

uint64_t Ring::cycles(uint32_t from, uint32_t to, uint64_t bytes) const {
  const uint32_t h = hops(from, to);
  if (h == 0 || bytes == 0) return 0;
  return uint64_t{h} * params_.link_latency_cycles +
         (bytes + params_.link_width_bytes - 1) / params_.link_width_bytes;
}

uint64_t Ring::send(uint32_t from, uint32_t to, uint64_t bytes) {
  const uint64_t t = cycles(from, to, bytes);
  if (t > 0) wait(clock_period_ * static_cast<double>(t));
  ++counters_.messages;
  counters_.bytes += bytes;
  counters_.hop_bytes += bytes * hops(from, to);
  return t;
}

void Ring::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".messages", "events", "Ring messages", &counters_.messages);
  registry.add(prefix + ".bytes", "bytes", "Bytes sent over the ring", &counters_.bytes);
  registry.add(prefix + ".hop_bytes", "bytes", "Bytes x hops (link energy events)",
               &counters_.hop_bytes);
}

}  // namespace nibble::hw
