// Controller double buffering, the chip with shared DRAM, and the ring:
// cycle counts derived by hand, completion probed at T-1 and T.
#include <gtest/gtest.h>

#include <systemc>

#include <functional>
#include <vector>

#include "hw_models/chip.hpp"
#include "tests/hw/sc_child.hpp"

namespace nibble::hw {
namespace {

struct Thread : sc_core::sc_module {
  SC_HAS_PROCESS(Thread);
  Thread(sc_core::sc_module_name n, std::function<void()> f) : sc_core::sc_module(n), body(std::move(f)) {
    SC_THREAD(run);
  }
  void run() { body(); }
  std::function<void()> body;
};

std::vector<uint64_t> probe_at(sc_core::sc_time clk, const std::vector<uint64_t>& times,
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

// 1000 MHz; DRAM 16 B/clock, 10 clocks latency; DMA 64 B bursts, 8
// outstanding, 4 setup clocks; issue latency 2; a 4x4 WS array.
ChipParams test_chip(uint32_t cores) {
  ChipParams c;
  c.name = "test";
  c.clock_mhz = 1000.0;
  c.dram.bandwidth_gb_per_s = 16.0;
  c.dram.latency_ns = 10.0;
  c.ring.link_width_bytes = 32;
  c.ring.link_latency_cycles = 2;
  CoreParams core;
  core.count = cores;
  core.array.rows = core.array.cols = 4;
  core.dma.burst_bytes = 64;
  core.dma.max_outstanding = 8;
  core.dma.setup_cycles = 4;
  core.controller.issue_latency_cycles = 2;
  c.cores.push_back(core);
  return c;
}

// Two steps, each: load 512 B, GEMM 5x4x16 INT4 (k = 4: 4 groups, one fold:
// 4 + 5 + 4 + 4 - 2 = 15 clocks), store 64 B.
//   load0    issue 0..2, DMA 2..48 (setup to 6, bursts 6..13, bus 16..48)
//   compute0 waits 0..48 (stall 48), issue ..50, array ..65
//   load1    issue 48..50, bursts requested 54..61, bus 64..96
//   store0   issue 65..67, burst requested at 71, bus busy until 96 -> 96..100
//   compute1 waits 65..96 (stall 31), issue ..98, array ..113
//   store1   issue 113..115, burst requested at 119, data 129..133
// Total 133 clocks, 79 stall clocks.
CoreProgram two_step_program() {
  CoreProgram p;
  p.op_name = "test_gemm";
  p.precision = Precision::int4_int4;
  p.steps = {{{5, 4, 16}, 512, 64}, {{5, 4, 16}, 512, 64}};
  return p;
}

TEST(Controller, DoubleBufferedProgramByHand) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    Chip chip("chip", test_chip(1));
    const std::vector<CoreProgram> programs{two_step_program()};
    uint64_t cycles = 0;
    Thread t("t", [&] { cycles = chip.run(programs); });
    auto out = probe_at(chip.clock_period(), {132, 133}, [&] { return chip.core(0).controller().completed(); });
    sc_core::sc_start();
    out.push_back(cycles);
    out.push_back(chip.core(0).controller().counters().stall_cycles_dram);
    out.push_back(chip.core(0).array().counters().busy_cycles);
    out.push_back(chip.dram().counters().bytes);
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{0, 1, 133, 79, 30, 2 * (512 + 64)}));
}

// Two cores running the same program share the DRAM bus, so the chip takes
// longer than one core alone but less than two in sequence, and moves twice
// the bytes.
TEST(Chip, CoresShareDramBandwidth) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    Chip chip("chip", test_chip(2));
    const std::vector<CoreProgram> programs{two_step_program(), two_step_program()};
    uint64_t cycles = 0;
    Thread t("t", [&] { cycles = chip.run(programs); });
    sc_core::sc_start();
    StatRegistry stats;
    chip.register_stats(stats);
    return test::to_bytes(std::vector<uint64_t>{cycles, stats.value("dram.bytes"),
                                                stats.value("core1.controller.programs")});
  }));
  EXPECT_GT(r[0], 133u);
  EXPECT_LT(r[0], 2 * 133u);
  EXPECT_EQ(r[1], 4 * (512u + 64u));
  EXPECT_EQ(r[2], 1u);
}

// 4 cores, 32 B/clock links, 2 clocks per hop, 100 B (4 link clocks):
// 0 -> 3 goes backwards, 1 hop: 2 + 4 = 6;  0 -> 2: 2 hops: 4 + 4 = 8.
TEST(Ring, ShorterDirectionCutThroughByHand) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    Chip chip("chip", test_chip(4));
    std::vector<uint64_t> out{chip.ring().cycles(0, 3, 100), chip.ring().cycles(0, 2, 100),
                              chip.ring().cycles(1, 1, 100)};
    Thread t("t", [&] { chip.ring().send(0, 2, 100); });
    for (uint64_t v : probe_at(chip.clock_period(), {7, 8}, [&] { return chip.ring().completed(); }))
      out.push_back(v);
    out.push_back(chip.ring().counters().hop_bytes);
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{6, 8, 0, 0, 1, 200}));
}

}  // namespace
}  // namespace nibble::hw
