#include "hw_models/scratchpad.hpp"

#include <algorithm>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Scratchpad::Scratchpad(sc_core::sc_module_name name, const ScratchpadParams& params,
                       sc_core::sc_time clock_period)
    : sc_core::sc_module(name),
      params_(params),
      clock_period_(clock_period),
      per_bank_(params.banks, 0) {
  if (params_.banks == 0 || params_.ports_per_bank == 0 || params_.bank_width_bytes == 0 ||
      params_.access_latency_cycles == 0)
    throw InputError(std::string(basename()) +
                     ": banks, ports_per_bank, bank_width_bytes and "
                     "access_latency_cycles must be >= 1");
}

uint64_t Scratchpad::issue_cycles(std::span<const uint64_t> addresses) const {
  std::fill(per_bank_.begin(), per_bank_.end(), 0);
  uint32_t worst = 0;
  for (uint64_t a : addresses) worst = std::max(worst, ++per_bank_[bank_of(a)]);
  return (worst + params_.ports_per_bank - 1) / params_.ports_per_bank;
}

uint64_t Scratchpad::access_cycles(std::span<const uint64_t> addresses, bool is_write) const {
  if (addresses.empty()) return 0;
  const uint64_t issue = issue_cycles(addresses);
  return is_write ? issue : issue + params_.access_latency_cycles - 1;
}

void Scratchpad::access(std::span<const uint64_t> addresses, bool is_write) {
  const uint64_t cycles = access_cycles(addresses, is_write);
  if (!addresses.empty()) counters_.bank_conflict_cycles += issue_cycles(addresses) - 1;
  (is_write ? counters_.writes : counters_.reads) += addresses.size();
  (is_write ? counters_.write_bits : counters_.read_bits) +=
      addresses.size() * params_.bank_width_bytes * 8;
  wait(clock_period_ * static_cast<double>(cycles));
  ++completed_;
}

void Scratchpad::check_fits(const std::string& what, uint64_t bytes) const {
  if (bytes <= usable_bytes()) return;
  throw InputError(
      what + ": needs " + std::to_string(bytes) + " bytes of scratchpad but " + name() + " has " +
      std::to_string(usable_bytes()) + " usable bytes (" + std::to_string(params_.size_kib) +
      " KiB" + (params_.double_buffered ? ", half of it per buffer when double-buffered)" : ")"));
}

void Scratchpad::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".reads", "accesses", "Scratchpad bank reads (one bank word each)",
               &counters_.reads);
  registry.add(prefix + ".writes", "accesses", "Scratchpad bank writes (one bank word each)",
               &counters_.writes);
  registry.add(prefix + ".read_bits", "bits", "Bits read (bank accesses, operand feed, DMA drains)",
               &counters_.read_bits);
  registry.add(prefix + ".write_bits", "bits",
               "Bits written (bank accesses, partial sums, DMA fills)", &counters_.write_bits);
  registry.add(prefix + ".bank_conflict_cycles", "cycles", "Clocks lost to bank conflicts",
               &counters_.bank_conflict_cycles);
}

}  // namespace nibble::hw
