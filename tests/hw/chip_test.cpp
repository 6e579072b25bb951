// Controller double buffering, the chip with shared DRAM, and the ring:
// cycle counts derived by hand, completion probed at T-1 and T.
#include <gtest/gtest.h>

#include <systemc>

#include <functional>
#include <vector>

#include "hw_models/chip.hpp"
#include "hw_models/operand_feed.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/hw/sc_probe.hpp"

namespace nibble::hw {
namespace {

using test::probe_at;
using test::Thread;

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
// Total 133 clocks, 79 stall clocks: of compute0's 48, load0's issue 0..2 is
// a dependency stall and its DMA 2..48 a DRAM stall (46); compute1's 31 all
// overlap load1's DMA 50..96 (DRAM). So 77 DRAM + 2 dependency.
CoreProgram two_step_program() {
  CoreProgram p;
  p.op_name = "test_gemm";
  p.precision = Precision::int4_int4;
  p.steps = {{{5, 4, 16}, 512, 64, 0, 0, 0}, {{5, 4, 16}, 512, 64, 0, 0, 0}};
  return p;
}

TEST(Controller, DoubleBufferedProgramByHand) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    Chip chip("chip", test_chip(1));
    const std::vector<CoreProgram> programs{two_step_program()};
    uint64_t cycles = 0;
    Thread t("t", [&] { cycles = chip.run(programs); });
    auto out = probe_at(chip.clock_period(), {132, 133},
                        [&] { return chip.core(0).controller().completed(); });
    sc_core::sc_start();
    out.push_back(cycles);
    out.push_back(chip.core(0).controller().counters().stall_cycles_dram);
    out.push_back(chip.core(0).controller().counters().stall_cycles_dependency);
    out.push_back(chip.core(0).controller().counters().stall_cycles_bank_conflict);
    out.push_back(chip.core(0).array().counters().busy_cycles);
    out.push_back(chip.dram().counters().bytes);
    const auto& pass = chip.core(0).controller().passes().at(0);
    out.insert(out.end(),
               {pass.cycles, pass.array_busy_cycles, pass.stalls.dram, pass.stalls.dependency});
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{0, 1, 133, 77, 2, 0, 30, 2 * (512 + 64), 133, 30, 77, 2}));
}

// Bank conflicts seen by the array's operand feed (operand_feed.hpp): 2 banks
// of 4 B, 1 port. One streamed clock of the 4x4 WS INT4 array (k = 4) needs
// the A slice 4*4*4 = 64 bits = 2 words plus the psum row 4*32 = 128 bits =
// 4 words: 6 words over 2 banks = F = 3 clocks, so 2 stall clocks per
// streamed row; M = 5 rows, 1 fold: 10 stall clocks after each step's array.
//   load0 / compute0 as above: array 50..65, bank stall 65..75
//   load1    DMA 50..96;  store0 issue 75..77, request 81, bus free 96 -> 100
//   compute1 waits 75..96 (21, all during load1's DMA), issue ..98, array ..113, stall ..123
//   store1   issue 123..125, request 129, data 139..143
// Stalls: DRAM 46 + 21 = 67, dependency 2, bank conflict 20. Scratchpad bits
// per step: read B 16*4*4 + A 5*16*4 = 576 + the 64 B store drained 512;
// written psums 5*4*32 = 640 + the 512 B load 4096.
TEST(Controller, OperandFeedBankConflictsByHand) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    ChipParams params = test_chip(1);
    params.cores[0].scratchpad.banks = 2;
    params.cores[0].scratchpad.bank_width_bytes = 4;
    Chip chip("chip", params);
    const std::vector<CoreProgram> programs{two_step_program()};
    uint64_t cycles = 0;
    Thread t("t", [&] { cycles = chip.run(programs); });
    auto out = probe_at(chip.clock_period(), {142, 143},
                        [&] { return chip.core(0).controller().completed(); });
    sc_core::sc_start();
    const auto& c = chip.core(0).controller().counters();
    const auto& sp = chip.core(0).scratchpad().counters();
    out.insert(out.end(), {cycles, c.stall_cycles_dram, c.stall_cycles_dependency,
                           c.stall_cycles_bank_conflict, sp.bank_conflict_cycles, sp.read_bits,
                           sp.write_bits});
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r,
            (std::vector<uint64_t>{0, 1, 143, 67, 2, 20, 20, 2 * (576 + 512), 2 * (640 + 4096)}));
}

// The same feed arithmetic without the simulator, per dataflow: OS reads
// both streamed slices (4*4*4 bits = 2 words each) and writes outputs only
// at drain: W = 4 words, F = 2 over 2 banks, Kg = 4 streamed clocks per fold.
TEST(OperandFeed, PerDataflowByHand) {
  MacArrayParams array;
  array.rows = array.cols = 4;
  ScratchpadParams sp;
  sp.banks = 2;
  sp.bank_width_bytes = 4;
  const OperandFeed ws = operand_feed(array, sp, Precision::int4_int4, {5, 4, 16});
  EXPECT_EQ(ws.words_per_cycle, 6u);
  EXPECT_EQ(ws.feed_clocks, 3u);
  EXPECT_EQ(ws.stall_cycles(), 10u);
  array.dataflow = Dataflow::os;
  const OperandFeed os = operand_feed(array, sp, Precision::int4_int4, {5, 4, 16});
  EXPECT_EQ(os.words_per_cycle, 4u);
  EXPECT_EQ(os.feed_clocks, 2u);
  // M = 5 over 4 rows: 2 row folds x 1 col fold, Kg = 4 streamed clocks each.
  EXPECT_EQ(os.streamed_cycles, 8u);
  EXPECT_EQ(os.stall_cycles(), 8u);
  EXPECT_EQ(os.sram_read_bits,
            5u * 16 * 4 * 1 + 16u * 4 * 4 * 2);  // A once per col fold, B per row fold
  EXPECT_EQ(os.sram_write_bits, 5u * 4 * 32);
  sp.banks = 16;  // wide enough: no stall
  EXPECT_EQ(operand_feed(array, sp, Precision::int4_int4, {5, 4, 16}).stall_cycles(), 0u);
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
    for (uint64_t v :
         probe_at(chip.clock_period(), {7, 8}, [&] { return chip.ring().completed(); }))
      out.push_back(v);
    out.push_back(chip.ring().counters().hop_bytes);
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{6, 8, 0, 0, 1, 200}));
}

}  // namespace
}  // namespace nibble::hw
