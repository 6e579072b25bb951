#pragma once
// Timing shared by the lane-parallel units beside the array (LGU, scale
// unit, SFU): n elements through V lanes with a pipeline latency of L clocks
// take ceil(n / V) issue clocks and the last result leaves L - 1 clocks
// after the last issue:  T(n) = ceil(n / V) + L - 1  (0 for n = 0).
#include <cstdint>

namespace nibble::hw {

inline uint64_t lane_pipeline_cycles(uint64_t elements, uint32_t lanes, uint32_t latency) {
  if (elements == 0) return 0;
  return (elements + lanes - 1) / lanes + latency - 1;
}

}  // namespace nibble::hw
