// The energy model end to end: a two-step program on a one-core chip (the
// hand-derived program of tests/hw/chip_test.cpp with a 2-bank scratchpad),
// TIMING mode with half of A assumed zero, priced with a toy tech table whose
// numbers make the sum checkable by hand.
#include <gtest/gtest.h>

#include <systemc>

#include <vector>

#include "hw_models/chip.hpp"
#include "sim/compiler/gemm_tiler.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/energy_report.hpp"
#include "sim/energy/peak_efficiency.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/hw/sc_probe.hpp"
#include "tests/sim/test_paths.hpp"

namespace nibble::energy {
namespace {

using Driver = test::ChipDriver;

hw::ChipParams toy_chip() {
  hw::ChipParams c;
  c.clock_mhz = 1000.0;
  c.dram.bandwidth_gb_per_s = 16.0;
  c.dram.latency_ns = 10.0;
  c.dram.energy_pj_per_bit = 2.0;
  hw::CoreParams core;
  core.array.rows = core.array.cols = 4;
  core.array.assumed_zero_fraction_a = 0.5;
  core.scratchpad.banks = 2;
  core.scratchpad.bank_width_bytes = 4;
  core.dma.burst_bytes = 64;
  core.dma.max_outstanding = 8;
  core.dma.setup_cycles = 4;
  core.controller.issue_latency_cycles = 2;
  c.cores.push_back(core);
  return c;
}

config::TechParams toy_tech() {
  config::TechParams t;
  t.energy.int4_int4_mac.pj = 1.0;
  t.energy.register_file_access.pj = 0.5;
  t.energy.sram_read_per_bit.pj = 0.01;
  t.energy.sram_write_per_bit.pj = 0.02;
  // A 128 KiB reference bank (the toy scratchpad: 256 KiB in 2 banks) so
  // the size rule's factor is 1; all leakage from a 1 mm^2 DMA at 1 mW/mm^2.
  t.sram.reference_bank_kib = 128;
  t.area.dma.um2 = 1e6;
  t.leakage.logic.mw_per_mm2 = 1.0;
  return t;
}

// Counts (tests/hw/chip_test.cpp OperandFeedBankConflictsByHand): 143
// cycles; 2 x 5x4x16 = 640 INT4 MACs, half gated (A half zero, B dense) =
// 320; register accesses 2 x 2*5*4*4 = 320; scratchpad 2176 bits read, 9472
// written; DRAM 1152 bytes. Energies (pJ):
//   array      (640 - 320) x 1 + 320 x 0.5 = 480
//   scratchpad 2176 x 0.01 + 9472 x 0.02   = 211.2
//   leakage    1 mW x 143 ns               = 143  (the DMA's, the only area)
//   dram       1152 x 8 x 2                = 18432
TEST(EnergyModel, TwoStepProgramByHand) {
  const hw::ChipParams params = toy_chip();
  const auto r = test::from_bytes<double>(test::run_in_child([&] {
    hw::Chip chip("chip", params);
    hw::CoreProgram p;
    p.precision = Precision::int4_int4;
    p.steps = {{{5, 4, 16}, 512, 64, 0, 0, 0}, {{5, 4, 16}, 512, 64, 0, 0, 0}};
    const std::vector<hw::CoreProgram> programs{p};
    Driver driver("driver", chip, programs);
    sc_core::sc_start();
    hw::StatRegistry stats;
    chip.register_stats(stats);
    const EnergyReport e = compute_energy(stats, params, toy_tech(), driver.cycles);
    std::vector<double> out{double(driver.cycles),
                            double(stats.value("core0.array.zero_gated_macs_int4_int4")),
                            e.total_pj, e.tops_per_w, double(e.ops)};
    for (const char* kind : {"array", "scratchpad", "dma", "dram", "ring", "sfu"})
      for (const auto& b : e.by_kind)
        if (b.block == kind) out.push_back(b.total_pj());
    return test::to_bytes(out);
  }));
  ASSERT_EQ(r.size(), 11u);
  EXPECT_EQ(r[0], 143.0);
  EXPECT_EQ(r[1], 320.0);
  EXPECT_NEAR(r[2], 480 + 211.2 + 143 + 18432, 1e-6);
  EXPECT_NEAR(r[3], 1280 / (480 + 211.2 + 143 + 18432), 1e-12);
  EXPECT_EQ(r[4], 1280.0);
  EXPECT_NEAR(r[5], 480, 1e-9);
  EXPECT_NEAR(r[6], 211.2, 1e-9);
  EXPECT_NEAR(r[7], 143, 1e-9);
  EXPECT_NEAR(r[8], 18432, 1e-9);
  EXPECT_EQ(r[9], 0.0);
  EXPECT_EQ(r[10], 0.0);
}

// The DMA pays per byte it moves (both engines) and the controller per
// command: the same program with 0.25 pJ/byte and 3 pJ/command adds
// 1152 x 0.25 = 288 pJ to the DMA (its 1152 DRAM bytes all pass the DMA)
// and 3 pJ per issued command to the controller; totals still sum exactly.
TEST(EnergyModel, DmaPerByteAndControllerPerCommand) {
  const hw::ChipParams params = toy_chip();
  config::TechParams tech = toy_tech();
  tech.energy.dma_per_byte.pj = 0.25;
  tech.energy.controller_command.pj = 3.0;
  const auto r = test::from_bytes<double>(test::run_in_child([&] {
    hw::Chip chip("chip", params);
    hw::CoreProgram p;
    p.precision = Precision::int4_int4;
    p.steps = {{{5, 4, 16}, 512, 64, 0, 0, 0}, {{5, 4, 16}, 512, 64, 0, 0, 0}};
    const std::vector<hw::CoreProgram> programs{p};
    Driver driver("driver", chip, programs);
    sc_core::sc_start();
    hw::StatRegistry stats;
    chip.register_stats(stats);
    const EnergyReport e = compute_energy(stats, params, tech, driver.cycles);
    std::vector<double> out{
        e.total_pj, double(stats.value("core0.controller.commands")),
        double(stats.value("core0.read_dma.bytes") + stats.value("core0.write_dma.bytes"))};
    double kinds = 0;
    for (const auto& b : e.by_kind) kinds += b.total_pj();
    out.push_back(kinds);
    for (const char* kind : {"dma", "controller"})
      for (const auto& b : e.by_kind)
        if (b.block == kind) out.push_back(b.dynamic_pj);
    return test::to_bytes(out);
  }));
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[2], 1152.0);
  EXPECT_GE(r[1], 2.0);  // at least one compute command per step
  EXPECT_EQ(r[4], 1152 * 0.25);
  EXPECT_EQ(r[5], r[1] * 3.0);
  EXPECT_NEAR(r[0], 480 + 211.2 + 143 + 18432 + 288 + 3 * r[1], 1e-6);
  EXPECT_NEAR(r[3], r[0], 1e-12 * r[0]);  // the kinds sum to the total
}

// Without gating every MAC costs its energy, whatever the densities say.
TEST(EnergyModel, GatingOffChargesEveryMac) {
  hw::ChipParams params = toy_chip();
  params.cores[0].array.zero_gating = false;
  const auto r = test::from_bytes<double>(test::run_in_child([&] {
    hw::Chip chip("chip", params);
    hw::CoreProgram p;
    p.steps = {{{5, 4, 16}, 0, 0, 0, 0, 0}};
    const std::vector<hw::CoreProgram> programs{p};
    Driver driver("driver", chip, programs);
    sc_core::sc_start();
    hw::StatRegistry stats;
    chip.register_stats(stats);
    const EnergyReport e = compute_energy(stats, params, toy_tech(), driver.cycles);
    for (const auto& b : e.by_kind)
      if (b.block == "array") return test::to_bytes(std::vector<double>{b.total_pj()});
    return test::to_bytes(std::vector<double>{});
  }));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NEAR(r[0], 320 * 1.0 + 160 * 0.5, 1e-9);  // 5*4*16 MACs, 2*5*4*4 register accesses
}

// Leakage from area and the power-gating knob: 1 mm^2 each of array
// (16 PEs x 4 INT4 lanes), SFU (16 lanes) and DMA at 1 mW/mm^2. Ungated,
// all three leak 1 mW for the whole run (143 pJ); gated, the array leaks
// only over its busy cycles, the idle SFU not at all, the DMA (always on
// in a used core) still the whole run. Kinds sum to the total and the
// leakage parts to leakage_pj.
TEST(EnergyModel, LeakageFollowsAreaAndPowerGating) {
  for (const bool gate : {false, true}) {
    hw::ChipParams params = toy_chip();
    params.power_gating = gate ? hw::PowerGating::idle_blocks : hw::PowerGating::none;
    config::TechParams tech = toy_tech();
    tech.area.int4_int4_mac.um2 = 1e6 / 64;
    tech.area.sfu_lane.um2 = 1e6 / 16;
    const auto r = test::from_bytes<double>(test::run_in_child([&] {
      hw::Chip chip("chip", params);
      hw::CoreProgram p;
      p.steps = {{{5, 4, 16}, 512, 64, 0, 0, 0}};
      const std::vector<hw::CoreProgram> programs{p};
      Driver driver("driver", chip, programs);
      sc_core::sc_start();
      hw::StatRegistry stats;
      chip.register_stats(stats);
      const EnergyReport e = compute_energy(stats, params, tech, driver.cycles);
      std::vector<double> out{double(driver.cycles), double(stats.value("core0.array.busy_cycles")),
                              e.total_pj, e.leakage_pj};
      double sum = 0, leak = 0;
      for (const auto& b : e.by_kind) {
        sum += b.total_pj();
        leak += b.leakage_pj;
      }
      out.push_back(sum);
      out.push_back(leak);
      for (const char* kind : {"array", "sfu", "dma", "scratchpad"})
        for (const auto& b : e.by_kind)
          if (b.block == kind) out.push_back(b.leakage_pj);
      return test::to_bytes(out);
    }));
    ASSERT_EQ(r.size(), 10u);
    const double cycles = r[0], busy = r[1];
    ASSERT_GT(busy, 0.0);
    ASSERT_LT(busy, cycles);
    EXPECT_NEAR(r[4], r[2], 1e-9 * r[2]);
    EXPECT_NEAR(r[5], r[3], 1e-9 * r[3]);
    EXPECT_NEAR(r[6], gate ? busy : cycles, 1e-9) << "array, gate=" << gate;
    EXPECT_NEAR(r[7], gate ? 0.0 : cycles, 1e-9) << "sfu, gate=" << gate;
    EXPECT_NEAR(r[8], cycles, 1e-9) << "dma, gate=" << gate;
    EXPECT_EQ(r[9], 0.0);  // the toy table gives the scratchpad no area
    EXPECT_NEAR(r[3], (gate ? busy : 2 * cycles) + cycles, 1e-9);
  }
}

// A compiled INT4 GEMM on rapid4 (TIMING mode, ReLU-like activations: half
// of A assumed zero): the run cannot beat the chip's peak efficiency, the
// kinds add up to the total, and the report carries the issue-6 totals.
TEST(EnergyModel, Rapid4CompiledGemmStaysBelowPeak) {
  auto cfg = config::load_chip_config(test::source_dir() / "configs/chips/rapid4.json");
  cfg.chip.cores[0].array.assumed_zero_fraction_a = 0.5;
  const compiler::GemmOp op{"fc", 2048, 1024, 1024, Precision::int4_int4};
  const auto plan = compiler::plan_gemm(op, cfg.chip);
  const auto r = test::from_bytes<double>(test::run_in_child([&] {
    hw::Chip chip("chip", cfg.chip);
    Driver driver("driver", chip, plan.programs);
    sc_core::sc_start();
    hw::StatRegistry stats;
    chip.register_stats(stats);
    const EnergyReport e = compute_energy(stats, cfg.chip, cfg.tech, driver.cycles);
    double sum = 0;
    for (const auto& b : e.by_kind) sum += b.total_pj();
    report::Report rep("run");
    add_energy(rep, e);
    const std::string json = rep.to_json().dump();
    const bool has_totals = json.find("\"tops_per_w\"") != std::string::npos &&
                            json.find("\"energy_pj\"") != std::string::npos;
    return test::to_bytes(
        std::vector<double>{e.total_pj, sum, e.tops_per_w, double(e.ops), double(has_totals)});
  }));
  const auto peak = peak_efficiency(cfg.chip, cfg.tech)[0];
  EXPECT_NEAR(r[1], r[0], 1e-6 * r[0]);
  EXPECT_GT(r[2], 0.0);
  EXPECT_LT(r[2], peak.tops_per_w);
  EXPECT_EQ(r[3], 2.0 * 2048 * 1024 * 1024);
  EXPECT_EQ(r[4], 1.0);
}

}  // namespace
}  // namespace nibble::energy
