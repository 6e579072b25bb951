#pragma once
// A core's L1 scratchpad: `banks` SRAM banks of `bank_width_bytes`, each
// serving `ports_per_bank` accesses per clock, read latency
// `access_latency_cycles`. Owns the timing of one clock's worth of requests
// (bank conflicts, port limits) and the capacity check of a tile set.
// Address a lives in bank floor(a / bank_width_bytes) mod banks.
#include <systemc>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hw_models/scratchpad_params.hpp"
#include "hw_models/stats.hpp"

namespace nibble::hw {

struct ScratchpadCounters {
  uint64_t reads = 0;  // bank accesses (one bank_width_bytes word each)
  uint64_t writes = 0;
  uint64_t bank_conflict_cycles = 0;  // clocks lost to requests waiting for a busy bank
  uint64_t read_bits = 0;             // energy events: every bit read (accesses and streams)
  uint64_t write_bits = 0;
};

class Scratchpad : public sc_core::sc_module {
 public:
  Scratchpad(sc_core::sc_module_name name, const ScratchpadParams& params,
             sc_core::sc_time clock_period);

  uint32_t bank_of(uint64_t address) const {
    return static_cast<uint32_t>((address / params_.bank_width_bytes) % params_.banks);
  }
  // Clocks to serve requests issued together: max over banks of
  // ceil(requests to that bank / ports), then the read latency:
  //   T = max_b ceil(n_b / P) + L - 1   (reads);   max_b ceil(n_b / P)  (writes).
  uint64_t access_cycles(std::span<const uint64_t> addresses, bool is_write) const;

  // Blocking (call from an SC_THREAD): performs the accesses, waits T clocks.
  void access(std::span<const uint64_t> addresses, bool is_write);

  // Accounts a stream whose timing its client owns (the array's operand feed,
  // DMA fills and drains): bits moved and clocks lost to bank conflicts.
  void record_stream(uint64_t read_bits, uint64_t write_bits, uint64_t conflict_cycles) {
    counters_.read_bits += read_bits;
    counters_.write_bits += write_bits;
    counters_.bank_conflict_cycles += conflict_cycles;
  }
  const ScratchpadParams& params() const { return params_; }

  // Throws InputError naming `what` when `bytes` does not fit in the space a
  // tile set may use (half the capacity when double-buffered).
  void check_fits(const std::string& what, uint64_t bytes) const;
  uint64_t usable_bytes() const {
    return params_.double_buffered ? params_.size_bytes() / 2 : params_.size_bytes();
  }

  const ScratchpadCounters& counters() const { return counters_; }
  uint64_t completed() const { return completed_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  uint64_t issue_cycles(std::span<const uint64_t> addresses) const;

  ScratchpadParams params_;
  sc_core::sc_time clock_period_;
  ScratchpadCounters counters_;
  uint64_t completed_ = 0;
  mutable std::vector<uint32_t> per_bank_;  // scratch for issue_cycles, sized once
};

}  // namespace nibble::hw
