// Scratchpad bank conflicts and DMA/DRAM bandwidth and latency: cycle counts
// derived by hand in the comments, completion probed at T-1 and T.
#include <gtest/gtest.h>

#include <systemc>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw_models/dma.hpp"
#include "hw_models/dram.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/scratchpad.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/hw/sc_probe.hpp"

namespace nibble::hw {
namespace {

using test::probe_at;
using test::Thread;

using test::Bytes;
const sc_core::sc_time kClock(1, sc_core::SC_NS);  // 1000 MHz

ScratchpadParams small_scratchpad(uint32_t ports, uint32_t latency) {
  ScratchpadParams p;
  p.size_kib = 1;
  p.banks = 4;
  p.bank_width_bytes = 16;
  p.ports_per_bank = ports;
  p.access_latency_cycles = latency;
  return p;
}

TEST(Scratchpad, BankConflictsSerialiseByHand) {
  const auto cycles = test::from_bytes<uint64_t>(test::run_in_child([] {
    Scratchpad one_port("sp1", small_scratchpad(1, 2), kClock);
    Scratchpad two_ports("sp2", small_scratchpad(2, 2), kClock);
    const std::vector<uint64_t> spread{0, 16, 32, 48};  // banks 0,1,2,3: one clock
    const std::vector<uint64_t> same_bank{0, 64, 128};  // all bank 0 (64 = 4 banks * 16 B)
    const std::vector<uint64_t> same_word{0, 8};        // one bank word, two requests: no merging
    return test::to_bytes(std::vector<uint64_t>{
        one_port.access_cycles(spread, false),      // 1 issue + (2-1) latency = 2
        one_port.access_cycles(spread, true),       // writes: 1
        one_port.access_cycles(same_bank, false),   // 3 issue + 1 = 4
        two_ports.access_cycles(same_bank, false),  // ceil(3/2) = 2 issue + 1 = 3
        one_port.access_cycles(same_word, false),   // 2 + 1 = 3
        one_port.bank_of(80),                       // 80/16 = 5 -> bank 1
    });
  }));
  EXPECT_EQ(cycles, (std::vector<uint64_t>{2, 1, 4, 3, 3, 1}));
}

TEST(Scratchpad, AccessCompletesAtLatencyAndCountsConflicts) {
  const auto seen = test::from_bytes<uint64_t>(test::run_in_child([] {
    Scratchpad sp("sp", small_scratchpad(1, 2), kClock);
    const std::vector<uint64_t> same_bank{0, 64, 128};  // T = 4 (see above)
    Thread t("t", [&] { sp.access(same_bank, false); });
    auto probes = probe_at(kClock, {3, 4}, [&] { return sp.completed(); });
    probes.push_back(sp.counters().bank_conflict_cycles);  // 3 issue clocks - 1
    probes.push_back(sp.counters().reads);
    return test::to_bytes(probes);
  }));
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3}));
}

TEST(Scratchpad, TileThatDoesNotFitNamesTheOpAndTheLimit) {
  const Bytes msg = test::run_in_child([] {
    Scratchpad sp("l1", small_scratchpad(1, 1), kClock);  // 1 KiB, double-buffered: 512 B usable
    sp.check_fits("conv1 forward tile", 512);             // fits exactly
    try {
      sp.check_fits("conv1 forward tile", 513);
    } catch (const InputError& e) {
      const std::string s = e.what();
      return Bytes(s.begin(), s.end());
    }
    return Bytes{};
  });
  const std::string s(msg.begin(), msg.end());
  EXPECT_NE(s.find("conv1 forward tile"), std::string::npos) << s;
  EXPECT_NE(s.find("513"), std::string::npos) << s;
  EXPECT_NE(s.find("512 usable bytes"), std::string::npos) << s;
}

DramParams dram_16_bytes_per_clock() {
  DramParams d;
  d.bandwidth_gb_per_s = 16.0;  // at 1000 MHz: 16 B/clock, a 64 B burst holds the bus 4 clocks
  d.latency_ns = 10.0;          // 10 clocks
  return d;
}

DmaParams dma(uint32_t outstanding) {
  DmaParams p;
  p.burst_bytes = 64;
  p.max_outstanding = outstanding;
  p.setup_cycles = 4;
  return p;
}

// 512 B = 8 bursts. Bandwidth-bound (8 outstanding): bursts issue at clocks
// 4..11, burst 0's data starts at 4+10 = 14 and ends at 18, then the bus
// serialises: burst i done at 18 + 4i, the last at 46.
// Latency-bound (1 outstanding): each burst issues when the previous is done:
// done_0 = 18, done_i = done_{i-1} + 10 + 4, so done_7 = 18 + 7*14 = 116, and
// bursts 1..7 each waited 13 clocks for the slot (ready one clock after the
// previous issue): 91 window-stall clocks.
TEST(Dma, BandwidthAndLatencyBoundTransfersByHand) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    Dram dram_a("dram_a", dram_16_bytes_per_clock(), 1000.0);
    Dram dram_b("dram_b", dram_16_bytes_per_clock(), 1000.0);
    Dma wide("wide", dma(8), dram_a, kClock);
    Dma narrow("narrow", dma(1), dram_b, kClock);
    std::vector<uint64_t> out(6);
    Thread t1("t1", [&] { out[0] = wide.transfer(512); });
    Thread t2("t2", [&] { out[1] = narrow.transfer(512); });
    sc_core::sc_start();
    out[2] = wide.counters().window_stall_cycles;
    out[3] = narrow.counters().window_stall_cycles;
    out[4] = dram_a.counters().bus_busy_cycles;
    out[5] = dram_a.latency_cycles();
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{46, 116, 0, 91, 32, 10}));
}

// Two cores' DMAs share one DRAM: 4 bursts each, all requested by clock 7;
// the bus serialises the 8 bursts exactly as one 512 B transfer, so the later
// finisher is done at 46; the earlier has its 4 bursts among the first 7.
TEST(Dma, SharedDramBandwidthSerialisesTwoCores) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    Dram dram("dram", dram_16_bytes_per_clock(), 1000.0);
    Dma a("dma_a", dma(8), dram, kClock), b("dma_b", dma(8), dram, kClock);
    std::vector<uint64_t> out(3);
    Thread t1("t1", [&] { out[0] = a.transfer(256); });
    Thread t2("t2", [&] { out[1] = b.transfer(256); });
    sc_core::sc_start();
    out[2] = dram.counters().bytes;
    return test::to_bytes(out);
  }));
  EXPECT_EQ(std::max(r[0], r[1]), 46u);
  EXPECT_LE(std::min(r[0], r[1]), 42u);
  EXPECT_EQ(r[2], 512u);
}

TEST(Dma, TransferCompletesAtLatency) {
  const auto seen = test::from_bytes<uint64_t>(test::run_in_child([] {
    Dram dram("dram", dram_16_bytes_per_clock(), 1000.0);
    Dma d("dma", dma(8), dram, kClock);
    Thread t("t", [&] { d.transfer(512); });  // T = 46 (above)
    return test::to_bytes(probe_at(kClock, {45, 46}, [&] { return d.completed(); }));
  }));
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1}));
}

}  // namespace
}  // namespace nibble::hw
