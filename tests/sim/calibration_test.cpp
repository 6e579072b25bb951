// RaPiD calibration (issue 8): configs/chips/rapid4.json with the 7 nm table
// reproduces the published peaks within 10% -- 25.6 TFLOPS HFP8, 102.4 TOPS
// INT4 (ISSCC 2021), 3.5 TFLOPS/W HFP8 and 16.5 TOPS/W INT4 (ISCA 2021).
// Plus the peak-efficiency formula checked by hand on a tiny chip.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/config/chip_config.hpp"
#include "sim/energy/peak_efficiency.hpp"
#include "tests/sim/test_paths.hpp"

namespace nibble::energy {
namespace {

double rel_error(double computed, double published) {
  return std::fabs(computed - published) / published;
}

TEST(Calibration, Rapid4ReproducesPublishedPeaksWithin10Percent) {
  const auto cfg = config::load_chip_config(test::source_dir() / "configs/chips/rapid4.json");
  EXPECT_EQ(cfg.tech.node_nm, 7.0);
  const auto peak = peak_efficiency(cfg.chip, cfg.tech);
  const auto& int4 = peak[static_cast<int>(Precision::int4_int4)];
  const auto& hfp8 = peak[static_cast<int>(Precision::hfp8)];
  EXPECT_LT(rel_error(int4.tera_ops_per_s, 102.4), 0.10) << int4.tera_ops_per_s;
  EXPECT_LT(rel_error(hfp8.tera_ops_per_s, 25.6), 0.10) << hfp8.tera_ops_per_s;
  EXPECT_LT(rel_error(int4.tops_per_w, 16.5), 0.10) << int4.tops_per_w;
  EXPECT_LT(rel_error(hfp8.tops_per_w, 3.5), 0.10) << hfp8.tops_per_w;
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
