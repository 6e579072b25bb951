#pragma once
// Statistics registry: each statistic is registered once (name, unit,
// description) and bound to a plain integer counter owned by the block that
// bumps it. The hot path is `++counter`; names and ratios only matter at
// dump time (sim/report reads the registry).
#include <cstdint>
#include <string>
#include <vector>

namespace nibble::hw {

struct StatEntry {
  std::string name;  // dotted, hierarchical: "core0.array.mac_ops_int4_int4"
  std::string unit;  // "cycles", "events", "bytes", ...
  std::string desc;
  const uint64_t* counter;
};

class StatRegistry {
 public:
  // Registers a counter. Names must be unique; the counter must outlive the
  // registry's last read.
  void add(std::string name, std::string unit, std::string desc, const uint64_t* counter);

  const std::vector<StatEntry>& entries() const { return entries_; }
  const StatEntry* find(const std::string& name) const;  // dump-time lookup only
  uint64_t value(const std::string& name) const;         // throws if unknown

 private:
  std::vector<StatEntry> entries_;
};

}  // namespace nibble::hw
