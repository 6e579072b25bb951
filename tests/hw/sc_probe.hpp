#pragma once
// SystemC test drivers shared by the hw and sim tests (run inside the fork()ed
// child of sc_child.hpp): a thread that runs a test body, a driver that runs
// a chip's programs, and probe_at() for completion checks at T-1 and T.
#include <systemc>

#include <cstdint>
#include <functional>
#include <vector>

#include "hw_models/chip.hpp"

namespace nibble::test {

// Runs `body` in an SC_THREAD of a fresh elaboration.
struct Thread : sc_core::sc_module {
  SC_HAS_PROCESS(Thread);
  Thread(sc_core::sc_module_name n, std::function<void()> f)
      : sc_core::sc_module(n), body(std::move(f)) {
    SC_THREAD(run);
  }
  void run() { body(); }
  std::function<void()> body;
};

// Runs the per-core programs on the chip and keeps the cycles it took.
struct ChipDriver : sc_core::sc_module {
  SC_HAS_PROCESS(ChipDriver);
  ChipDriver(sc_core::sc_module_name n, hw::Chip& c, const std::vector<hw::CoreProgram>& p)
      : sc_core::sc_module(n), chip(c), programs(p) {
    SC_THREAD(run);
  }
  void run() { cycles = chip.run(programs); }
  hw::Chip& chip;
  const std::vector<hw::CoreProgram>& programs;
  uint64_t cycles = 0;
};

// Advances to each probe time (in clock periods) and records probe() there.
inline std::vector<uint64_t> probe_at(sc_core::sc_time clk, const std::vector<uint64_t>& times,
                                      const std::function<uint64_t()>& probe) {
  std::vector<uint64_t> seen;
  uint64_t now = 0;
  for (uint64_t t : times) {
    sc_core::sc_start(clk * static_cast<double>(t - now));
    // Run every delta cycle of instant t: "done at T" means done once time T has settled.
    while (sc_core::sc_pending_activity_at_current_time()) sc_core::sc_start(sc_core::SC_ZERO_TIME);
    now = t;
    seen.push_back(probe());
  }
  return seen;
}

}  // namespace nibble::test
