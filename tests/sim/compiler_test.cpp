// The GEMM mapper: tiles fit half the scratchpad (double buffering), are
// aligned to the array, cover the GEMM exactly, split N across cores, and an
// unmappable op is an error naming the op and the limit.
#include <gtest/gtest.h>

#include <string>

#include "hw_models/numerics/errors.hpp"
#include "sim/compiler/gemm_tiler.hpp"

namespace nibble::compiler {
namespace {

hw::ChipParams chip(uint32_t cores, uint32_t array, uint32_t scratchpad_kib) {
  hw::ChipParams c;
  hw::CoreParams core;
  core.count = cores;
  core.array.rows = core.array.cols = array;
  core.scratchpad.size_kib = scratchpad_kib;
  c.cores.push_back(core);
  return c;
}

TEST(GemmTiler, SmallGemmIsOneStep) {
  // 64x64x64 INT4: A 2048 B + B 2048 B + partials 64*64*4 = 16384 B: 20480 B < 128 KiB usable.
  const GemmPlan plan = plan_gemm({"fc", 64, 64, 64, Precision::int4_int4}, chip(1, 4, 256));
  ASSERT_EQ(plan.programs.size(), 1u);
  ASSERT_EQ(plan.programs[0].steps.size(), 1u);
  EXPECT_EQ(plan.programs[0].steps[0].load_bytes, 4096u);
  EXPECT_EQ(plan.programs[0].steps[0].store_bytes, 64u * 64 * 2);
  EXPECT_EQ(tile_bytes(Precision::int4_int4, {64, 64, 64}), 20480u);
}

TEST(GemmTiler, TilesFitAlignAndCoverTheGemm) {
  const auto c = chip(1, 4, 4);  // 4 KiB double-buffered: 2048 usable bytes
  for (Precision p :
       {Precision::int4_int4, Precision::int4_fp4, Precision::hfp8, Precision::fp16}) {
    const GemmOp op{"conv", 50, 37, 70, p};
    const GemmPlan plan = plan_gemm(op, c);
    const TileShape t = plan.core_tiles[0];
    SCOPED_TRACE(testing::Message() << "tile " << t.m << "x" << t.n << "x" << t.k);
    EXPECT_LE(tile_bytes(p, t), 2048u);
    const uint32_t k_unit = 4 * c.cores[0].array.macs_per_cycle_per_pe.of(p);
    EXPECT_TRUE(t.k == op.k || t.k % k_unit == 0);
    EXPECT_TRUE(t.n == op.n || t.n % 4 == 0);
    uint64_t macs = 0, stored = 0;
    for (const auto& s : plan.programs[0].steps) {
      EXPECT_LE(tile_bytes(p, {s.shape.m, s.shape.n, s.shape.k}), 2048u);
      macs += uint64_t{s.shape.m} * s.shape.n * s.shape.k;
      stored += s.store_bytes;
    }
    EXPECT_EQ(macs, uint64_t{op.m} * op.n * op.k);
    EXPECT_EQ(stored, uint64_t{op.m} * op.n * 2);
  }
}

TEST(GemmTiler, AlignsTilesToTheDataflow) {
  for (hw::Dataflow df : {hw::Dataflow::ws, hw::Dataflow::is, hw::Dataflow::os}) {
    auto c = chip(1, 4, 4);  // 2048 usable bytes
    c.cores[0].array.dataflow = df;
    const GemmOp op{"conv", 50, 37, 70, Precision::int4_int4};  // k = 4 MACs per PE
    const TileShape t = plan_gemm(op, c).core_tiles[0];
    SCOPED_TRACE(testing::Message()
                 << "dataflow " << int(df) << " tile " << t.m << "x" << t.n << "x" << t.k);
    EXPECT_LE(tile_bytes(op.precision, t), 2048u);
    const uint32_t m_unit = df == hw::Dataflow::is ? 4 : df == hw::Dataflow::os ? 4 : 1;
    const uint32_t n_unit = df == hw::Dataflow::is ? 1 : 4;
    const uint32_t k_unit = df == hw::Dataflow::os ? 4 : 16;
    EXPECT_TRUE(t.m == op.m || t.m % m_unit == 0);
    EXPECT_TRUE(t.n == op.n || t.n % n_unit == 0);
    EXPECT_TRUE(t.k == op.k || t.k % k_unit == 0);
  }
}

// Tile reuse: a 64x64x16 INT4 GEMM on a 4x4 array with 2048 usable bytes
// tiles to 16x16x16 (A, B 128 B each + 1024 B of partial sums = 1280 B; the
// halving goes m 32, n 32, m 16, n 16), so K is one tile and 4 x 4 steps
// remain. WS keeps B resident: n outer, m inner, B loaded once per n tile:
//   16 A tiles x 128 + 4 B tiles x 128 = 2560 bytes (4096 without reuse).
// IS keeps A resident (m outer): 4 x 128 + 16 x 128 = 2560, A loaded once per m.
TEST(GemmTiler, ResidentTilesAreNotReloaded) {
  for (hw::Dataflow df : {hw::Dataflow::ws, hw::Dataflow::is}) {
    auto c = chip(1, 4, 4);
    c.cores[0].array.dataflow = df;
    const GemmPlan plan = plan_gemm({"conv", 64, 64, 16, Precision::int4_int4}, c);
    const TileShape t = plan.core_tiles[0];
    ASSERT_EQ(t.m, 16u);
    ASSERT_EQ(t.n, 16u);
    ASSERT_EQ(t.k, 16u);
    const auto& steps = plan.programs[0].steps;
    ASSERT_EQ(steps.size(), 16u);
    uint64_t loaded = 0;
    for (size_t j = 0; j < steps.size(); ++j) {
      // The resident operand changes every 4th step (a new outer tile).
      const bool new_outer = j % 4 == 0;
      EXPECT_EQ(steps[j].load_bytes, new_outer ? 256u : 128u) << "step " << j;
      if (df == hw::Dataflow::ws)
        EXPECT_EQ(steps[j].n0, (j / 4) * 16) << "WS runs m inside n";
      else
        EXPECT_EQ(steps[j].m0, (j / 4) * 16) << "IS runs n inside m";
      loaded += steps[j].load_bytes;
    }
    EXPECT_EQ(loaded, 2560u);
  }
}

// K split into tiles: A and B both change every step, so nothing is reused.
// 8x8x1024 INT4 on 4x4 WS with 2048 usable bytes: A, B 4096 B each + 256 B of
// partial sums; K holds the most bytes and halves 1024 -> 512 -> 256 -> 128
// (512 + 512 + 256 = 1280 B fits): 8 steps of 512 + 512 bytes, one store.
TEST(GemmTiler, KTilesReloadBothOperands) {
  const GemmPlan plan = plan_gemm({"fc", 8, 8, 1024, Precision::int4_int4}, chip(1, 4, 4));
  const TileShape t = plan.core_tiles[0];
  ASSERT_EQ(t.m, 8u);
  ASSERT_EQ(t.n, 8u);
  ASSERT_EQ(t.k, 128u);
  const auto& steps = plan.programs[0].steps;
  ASSERT_EQ(steps.size(), 8u);
  for (size_t j = 0; j < steps.size(); ++j) {
    EXPECT_EQ(steps[j].load_bytes, 1024u) << j;
    EXPECT_EQ(steps[j].k0, j * 128) << j;
    EXPECT_EQ(steps[j].store_bytes, j == 7 ? 8u * 8 * 2 : 0u) << j;
  }
}

TEST(GemmTiler, SplitsNAcrossCoresInArrayWidths) {
  // N = 30 on 4-wide arrays is 8 units; 4 cores get 2 units each: 8, 8, 8, 6 columns.
  const GemmPlan plan = plan_gemm({"fc", 16, 30, 16, Precision::int4_int4}, chip(4, 4, 256));
  ASSERT_EQ(plan.programs.size(), 4u);
  const uint32_t expected[] = {8, 8, 8, 6};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(plan.core_tiles[i].n, expected[i]);
}

TEST(GemmTiler, UnmappableOpNamesTheOpAndTheLimit) {
  // FP16 on 16x16: smallest tile 1x16x16 = 32 + 512 + 64 = 608 bytes > 512 usable (1 KiB,
  // double-buffered).
  try {
    plan_gemm({"layer4.conv2", 8, 64, 64, Precision::fp16}, chip(1, 16, 1));
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("layer4.conv2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("608 bytes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("512 usable bytes"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace nibble::compiler
