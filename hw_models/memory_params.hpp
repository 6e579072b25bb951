#pragma once
// Parameters of the memory system outside the scratchpad: DMA engine,
// off-chip DRAM and the controller that issues a core's program.
#include <cstdint>
#include <string>

#include "hw_models/param_decl.hpp"

namespace nibble::hw {

struct DmaParams {
  uint32_t burst_bytes = 64;
  uint32_t max_outstanding = 8;
  uint32_t setup_cycles = 4;

  template <class V>
  void declare(V& v) {
    v.param("burst_bytes", burst_bytes,
            {.unit = "bytes",
             .desc = "Bytes per DRAM burst request",
             .min = 1,
             .max = 1 << 16,
             .required = true});
    v.param("max_outstanding", max_outstanding,
            {.unit = "requests",
             .desc = "Bursts in flight at once",
             .min = 1,
             .max = 1024,
             .required = true});
    v.param(
        "setup_cycles", setup_cycles,
        {.unit = "cycles", .desc = "Cycles to program one DMA transfer", .min = 0, .max = 1 << 16});
  }
  template <class C>
  void check(C&) const {}
};

struct DramParams {
  double bandwidth_gb_per_s = 25.6;
  double latency_ns = 100.0;
  double energy_pj_per_bit = 4.0;

  template <class V>
  void declare(V& v) {
    v.param("bandwidth_gb_per_s", bandwidth_gb_per_s,
            {.unit = "GB/s",
             .desc = "Peak DRAM bandwidth (10^9 bytes/s) shared by all cores",
             .min = 0.001,
             .max = 1e5,
             .required = true});
    v.param("latency_ns", latency_ns,
            {.unit = "ns",
             .desc = "Latency of one burst, request to first data",
             .min = 0,
             .max = 1e5,
             .required = true});
    v.param("energy_pj_per_bit", energy_pj_per_bit,
            {.unit = "pJ/bit",
             .desc = "Energy per bit transferred",
             .min = 0,
             .max = 1e4,
             .required = true});
  }
  template <class C>
  void check(C&) const {}
};

struct ControllerParams {
  uint32_t issue_latency_cycles = 2;

  template <class V>
  void declare(V& v) {
    v.param("issue_latency_cycles", issue_latency_cycles,
            {.unit = "cycles",
             .desc = "Cycles to decode and issue one program command",
             .min = 0,
             .max = 1 << 16});
  }
  template <class C>
  void check(C&) const {}
};

struct RingParams {
  uint32_t link_width_bytes = 32;
  uint32_t link_latency_cycles = 2;

  template <class V>
  void declare(V& v) {
    v.param("link_width_bytes", link_width_bytes,
            {.unit = "bytes/cycle",
             .desc = "Bytes one ring link moves per cycle and direction",
             .min = 1,
             .max = 4096});
    v.param("link_latency_cycles", link_latency_cycles,
            {.unit = "cycles",
             .desc = "Hop latency between neighbouring cores",
             .min = 1,
             .max = 1024});
  }
  template <class C>
  void check(C&) const {}
};

}  // namespace nibble::hw
