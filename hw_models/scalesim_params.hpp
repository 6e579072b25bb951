#pragma once
// The SCALE-Sim memory figures array.timing_model = "scalesim_v2" needs
// (scalesim_timing.hpp); ignored under Nibble's own timing.
#include <cstdint>

#include "hw_models/param_decl.hpp"

namespace nibble::hw {

// SCALE-Sim's memory figures the convention needs (its .cfg keys).
struct ScaleSimMemoryParams {
  uint32_t ifmap_sram_kib = 1024;
  uint32_t filter_sram_kib = 1024;
  uint32_t ofmap_sram_kib = 1024;
  uint32_t interface_words_per_cycle = 0;  // 0: InterfaceBandwidth CALC

  template <class V>
  void declare(V& v) {
    v.param("ifmap_sram_kib", ifmap_sram_kib,
            {.unit = "KiB",
             .desc = "scalesim_v2 only: SCALE-Sim IfmapSramSzkB (1-byte words)",
             .min = 1,
             .max = 1 << 22});
    v.param("filter_sram_kib", filter_sram_kib,
            {.unit = "KiB",
             .desc = "scalesim_v2 only: SCALE-Sim FilterSramSzkB (1-byte words)",
             .min = 1,
             .max = 1 << 22});
    v.param("ofmap_sram_kib", ofmap_sram_kib,
            {.unit = "KiB",
             .desc = "scalesim_v2 only: SCALE-Sim OfmapSramSzkB; half of it drains to DRAM while "
                     "the other half fills",
             .min = 1,
             .max = 1 << 22});
    v.param("interface_words_per_cycle", interface_words_per_cycle,
            {.unit = "words/cycle",
             .desc = "scalesim_v2 only: SCALE-Sim Bandwidth with InterfaceBandwidth USER; 0 = "
                     "CALC (the OFMAP drains at the array width per clock, reads never stall)",
             .min = 0,
             .max = 1 << 20});
  }
  template <class C>
  void check(C&) const {}
};

}  // namespace nibble::hw
