#pragma once
// Parameters of a core's banked, double-buffered L1 scratchpad.
#include <cstdint>
#include <string>

#include "hw_models/param_decl.hpp"

namespace nibble::hw {

struct ScratchpadParams {
  uint32_t size_kib = 256;
  uint32_t banks = 16;
  uint32_t ports_per_bank = 1;
  uint32_t bank_width_bytes = 16;
  uint32_t access_latency_cycles = 1;
  bool double_buffered = true;

  uint64_t size_bytes() const { return uint64_t{size_kib} * 1024; }

  template <class V>
  void declare(V& v) {
    v.param(
        "size_kib", size_kib,
        {.unit = "KiB", .desc = "Scratchpad capacity", .min = 1, .max = 1 << 20, .required = true});
    v.param("banks", banks,
            {.unit = "banks", .desc = "Independent SRAM banks", .min = 1, .max = 1024});
    v.param("ports_per_bank", ports_per_bank,
            {.unit = "ports", .desc = "Accesses one bank serves per cycle", .min = 1, .max = 4});
    v.param(
        "bank_width_bytes", bank_width_bytes,
        {.unit = "bytes", .desc = "Bytes one bank port moves per cycle", .min = 1, .max = 1024});
    v.param("access_latency_cycles", access_latency_cycles,
            {.unit = "cycles", .desc = "Read latency of one bank access", .min = 1, .max = 64});
    v.param("double_buffered", double_buffered,
            {.desc = "Tiles are double-buffered (DMA overlaps compute)"});
  }
  template <class C>
  void check(C& c) const {
    c.expect(banks > 0 && size_bytes() % banks == 0, "banks", "a divisor of size_kib*1024 bytes",
             std::to_string(banks) + " banks for " + std::to_string(size_bytes()) + " bytes");
    c.expect(banks > 0 && (size_bytes() / banks) % bank_width_bytes == 0, "bank_width_bytes",
             "a divisor of the bank size (size_kib*1024/banks bytes)",
             std::to_string(bank_width_bytes));
  }
};

}  // namespace nibble::hw
