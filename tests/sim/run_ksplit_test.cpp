// K split with data (docs/microarch.md 9): an FP16 GEMM whose K does not fit
// one tile runs on FAST and DETAILED chips and equals the defined order of FP
// accumulation -- each K tile summed sequentially in fp32 from 0 (the
// numerics reference on that K slice), the tiles' fp32 sums added in
// ascending k0 order, one rounding to FP16 at the end.
#include <gtest/gtest.h>

#include <systemc>

#include <bit>
#include <random>
#include <vector>

#include "hw_models/chip.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gemm_ref.hpp"
#include "sim/compiler/gemm_tiler.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/hw/sc_probe.hpp"

namespace nibble::compiler {
namespace {

TEST(run_KSplit, Fp16TilesAddInK0OrderBitExactInFastAndDetailed) {
  hw::ChipParams chip_params;
  hw::CoreParams core;
  core.array.rows = core.array.cols = 8;
  core.scratchpad.size_kib = 4;  // 2048 usable bytes: FP16 K tiles of 32 (see below)
  chip_params.cores.push_back(core);
  const GemmOp op{"fp16_wide_k", 8, 8, 256, Precision::fp16};
  auto ops = std::make_shared<hw::GemmOperands>();
  ops->format.precision = op.precision;
  ops->format.output_scale = {0.37f, 0};
  ops->shape = {op.m, op.n, op.k};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(-3.0f, 3.0f);
  std::vector<uint16_t> a(uint64_t{op.m} * op.k), b(uint64_t{op.k} * op.n);
  for (auto& v : a) v = num::fp32_to_fp16(value(rng));
  for (auto& v : b) v = num::fp32_to_fp16(value(rng));
  ops->a.assign(a.begin(), a.end());
  ops->b.assign(b.begin(), b.end());
  const GemmPlan plan = plan_gemm(op, chip_params, ops);
  // A 8x32 + B 32x8 FP16 (512 B each) + 256 B of partial sums = 1280 <= 2048; K = 64 does not fit.
  ASSERT_EQ(plan.core_tiles[0].k, 32u);
  ASSERT_EQ(plan.programs[0].steps.size(), 8u);

  // The defined order, from the scalar reference on each K slice.
  const int M = int(op.m), N = int(op.n), T = 32;
  std::vector<float> sum(uint64_t{op.m} * op.n, 0.0f), part(sum.size());
  std::vector<uint16_t> unused(sum.size());
  num::GemmConfig fp32_cfg;
  fp32_cfg.mode = num::AccumMode::fp32;  // the array's float accumulation
  for (int k0 = 0; k0 < int(op.k); k0 += T) {
    num::MatView<uint16_t> as{a.data() + k0, M, T, int(op.k), 1};
    num::MatView<uint16_t> bs{b.data() + uint64_t(k0) * op.n, T, N, N, 1};
    num::ref::gemm_fp16(as, bs, 1.0f, fp32_cfg, unused.data(), part.data());
    for (size_t i = 0; i < sum.size(); ++i) sum[i] = k0 == 0 ? part[i] : sum[i] + part[i];
  }
  std::vector<uint16_t> expected(sum.size());
  for (size_t i = 0; i < sum.size(); ++i)
    expected[i] = num::fp64_to_fp16(double(sum[i]) * double(0.37f));

  for (hw::FidelityMode mode : {hw::FidelityMode::fast, hw::FidelityMode::detailed}) {
    const auto r = test::from_bytes<uint64_t>(test::run_in_child([&] {
      hw::Chip chip("chip", chip_params, mode);
      test::ChipDriver driver("driver", chip, plan.programs);
      sc_core::sc_start();
      uint64_t bad_fp16 = 0, bad_sum = 0;
      const auto& c = chip.core(0).controller();
      for (size_t i = 0; i < expected.size(); ++i) {
        bad_fp16 += c.outputs_fp16().at(i) != expected[i];
        bad_sum += static_cast<uint32_t>(c.outputs_accumulators().at(i)) !=
                   std::bit_cast<uint32_t>(sum[i]);
      }
      return test::to_bytes(std::vector<uint64_t>{bad_fp16, bad_sum});
    }));
    EXPECT_EQ(r[0], 0u) << "mode " << int(mode);
    EXPECT_EQ(r[1], 0u) << "mode " << int(mode);
  }
}

}  // namespace
}  // namespace nibble::compiler
