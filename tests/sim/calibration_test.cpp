// RaPiD calibration and held-out validation (docs/validation/rapid.md):
// configs/chips/rapid4.json with the 7 nm table is fitted to ONE published
// figure, 16.5 TOPS/W INT4 at nominal voltage (ISCA 2021). Every other
// figure is held out; this test recomputes each and checks it against the
// error docs/validation/rapid.md prints (within 0.5 percentage points), so
// the page cannot go stale silently. Plus the peak-efficiency formula
// checked by hand on a tiny chip.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/config/chip_config.hpp"
#include "sim/energy/area_model.hpp"
#include "sim/energy/peak_efficiency.hpp"
#include "tests/sim/test_paths.hpp"

namespace nibble::energy {
namespace {

double error_pct(double computed, double published) {
  return 100.0 * (computed - published) / published;
}

TEST(Calibration, Rapid4FitsOneFigureAndHeldOutErrorsAreTheDocumentedOnes) {
  const auto cfg = config::load_chip_config(test::source_dir() / "configs/chips/rapid4.json");
  EXPECT_EQ(cfg.tech.node_nm, 7.0);
  const auto peak = peak_efficiency(cfg.chip, cfg.tech);
  const auto& int4 = peak[static_cast<int>(Precision::int4_int4)];
  const auto& hfp8 = peak[static_cast<int>(Precision::hfp8)];
  // Fitted.
  EXPECT_LT(std::fabs(error_pct(int4.tops_per_w, 16.5)), 1.0) << int4.tops_per_w;
  // Inputs (the inferred clock and array), not checks.
  EXPECT_NEAR(error_pct(int4.tera_ops_per_s, 102.4), 2.4, 0.5);
  EXPECT_NEAR(error_pct(hfp8.tera_ops_per_s, 25.6), 2.4, 0.5);
  // Held out: docs/validation/rapid.md, "Held out".
  EXPECT_NEAR(error_pct(hfp8.tops_per_w, 3.5), 19.3, 0.5) << hfp8.tops_per_w;
  EXPECT_NEAR(error_pct(hfp8.tops_per_w, 3.58), 16.6, 0.5);
  EXPECT_NEAR(error_pct(int4.tops_per_w, 16.9), -2.3, 0.5);
  EXPECT_NEAR(error_pct(int4.tops_per_w / hfp8.tops_per_w, 16.5 / 3.5), -16.1, 0.5);
  const ChipArea area = compute_area(cfg.chip, cfg.tech);
  EXPECT_NEAR(error_pct(area.total_mm2(), 36.0), -92.6, 0.5) << area.total_mm2();
  // The MAC itself must dominate at peak (else the calibration would be
  // hiding the datapath in the overheads).
  EXPECT_GT(int4.mac_pj, 0.5 * int4.pj_per_cycle);
  EXPECT_GT(hfp8.mac_pj, 0.5 * hfp8.pj_per_cycle);
}

// One core, 2x2 WS array, k = 4 INT4 MACs/PE, 32-bit psums, 1000 MHz:
// per clock 16 MACs x 1 pJ, 2*4 register accesses x 0.5 pJ, reads 2*4*4 =
// 32 bits x 0.01, writes 2*32 = 64 bits x 0.02, leakage 2 mW / 1000 MHz =
// 2 pJ: E = 16 + 4 + 0.32 + 1.28 + 2 = 23.6 pJ; 32 ops -> 32/23.6 TOPS/W.
TEST(PeakEfficiency, TinyChipByHand) {
  hw::ChipParams chip;
  chip.clock_mhz = 1000;
  hw::CoreParams core;
  core.array.rows = core.array.cols = 2;
  core.array.macs_per_cycle_per_pe.int4_int4 = 4;
  chip.cores.push_back(core);
  config::TechParams tech;
  tech.energy.int4_int4_mac.pj = 1.0;
  tech.energy.register_file_access.pj = 0.5;
  tech.energy.sram_read_per_bit.pj = 0.01;
  tech.energy.sram_write_per_bit.pj = 0.02;
  tech.area.dma.um2 = 1e6;  // the only area: 1 mm^2 at 2 mW/mm^2 = 2 mW
  tech.leakage.logic.mw_per_mm2 = 2.0;
  const auto all = peak_efficiency(chip, tech);
  const auto& p = all[0];
  EXPECT_NEAR(p.pj_per_cycle, 23.6, 1e-9);
  EXPECT_NEAR(p.tops_per_w, 32 / 23.6, 1e-12);
  EXPECT_NEAR(p.tera_ops_per_s, 32 * 1e9 / 1e12, 1e-12);
}

}  // namespace
}  // namespace nibble::energy
