// End to end: a GEMM op compiled by the mapper runs on the SystemC chip
// (timing mode; then FAST and DETAILED with operand data, against the
// numerics reference). The chip's cycles must respect the two hard bounds of the
// pass -- the array's own cycles per core and the DRAM bus time of all bytes
// moved -- and the array must spend exactly the formula cycles of the steps.
#include <gtest/gtest.h>

#include <systemc>

#include <random>
#include <vector>

#include "hw_models/chip.hpp"
#include "hw_models/mac_array_timing.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/gemm_ref.hpp"
#include "sim/compiler/gemm_tiler.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/hw/sc_probe.hpp"

namespace nibble::compiler {
namespace {

using Driver = test::ChipDriver;

TEST(CompiledGemm, RunsOnTheChipWithinItsComputeAndBandwidthBounds) {
  hw::ChipParams chip_params;
  chip_params.clock_mhz = 1000.0;
  chip_params.dram.bandwidth_gb_per_s = 32.0;  // 32 B per clock
  chip_params.dram.latency_ns = 50.0;
  hw::CoreParams core;
  core.count = 2;
  core.array.rows = core.array.cols = 8;
  core.scratchpad.size_kib = 8;  // forces tiling: 4 KiB per buffer
  chip_params.cores.push_back(core);
  const GemmOp op{"fc1", 96, 80, 200, Precision::int4_int4};
  const GemmPlan plan = plan_gemm(op, chip_params);

  const auto r = test::from_bytes<uint64_t>(test::run_in_child([&] {
    hw::Chip chip("chip", chip_params);
    Driver driver("driver", chip, plan.programs);
    sc_core::sc_start();
    std::vector<uint64_t> out{driver.cycles, chip.dram().counters().bytes,
                              chip.dram().counters().bus_busy_cycles};
    for (uint32_t c = 0; c < 2; ++c) out.push_back(chip.core(c).array().counters().busy_cycles);
    return test::to_bytes(out);
  }));
  const uint64_t cycles = r[0], dram_bytes = r[1], bus_busy = r[2];

  uint64_t planned_bytes = 0, slowest_core_array = 0;
  for (uint32_t c = 0; c < 2; ++c) {
    uint64_t array_cycles = 0;
    for (const auto& s : plan.programs[c].steps) {
      planned_bytes += s.load_bytes + s.store_bytes;
      array_cycles += hw::gemm_cycles(core.array, op.precision, s.shape);
    }
    EXPECT_EQ(r[3 + c], array_cycles) << "core " << c;
    slowest_core_array = std::max(slowest_core_array, array_cycles);
  }
  ASSERT_GT(plan.programs[0].steps.size(), 1u) << "the scratchpad should force tiling";
  EXPECT_EQ(dram_bytes, planned_bytes);
  EXPECT_GE(cycles, slowest_core_array);
  EXPECT_GE(cycles, bus_busy);
  EXPECT_GE(bus_busy, planned_bytes / 32);
}

// Whole-K tiles (K = 64 fits; the 4 KiB buffer tiles M and N instead): the
// compiled GEMM on 2 cores with FAST and with DETAILED arrays gives exactly
// the scalar reference's accumulators and FP16 outputs, and the same cycles
// and zero-gated MACs in both modes and cycles as TIMING.
TEST(CompiledGemm, FastAndDetailedChipsEqualTheNumericsReference) {
  hw::ChipParams chip_params;
  chip_params.clock_mhz = 1000.0;
  chip_params.dram.bandwidth_gb_per_s = 32.0;
  chip_params.dram.latency_ns = 50.0;
  hw::CoreParams core;
  core.count = 2;
  core.array.rows = core.array.cols = 8;
  core.array.accumulator_bits = 10;  // narrow: some outputs saturate, which must match too
  core.scratchpad.size_kib = 8;
  chip_params.cores.push_back(core);
  const GemmOp op{"fc2", 96, 80, 64, Precision::int4_int4};

  auto ops = std::make_shared<hw::GemmOperands>();
  ops->format.precision = op.precision;
  ops->format.output_scale = {0.0371f, 0};
  ops->shape = {op.m, op.n, op.k};
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> code(-8, 7), one_in(0, 5);
  std::vector<int8_t> a(uint64_t{op.m} * op.k), b(uint64_t{op.k} * op.n);
  for (auto& v : a) v = static_cast<int8_t>(one_in(rng) == 0 ? 0 : code(rng));
  for (auto& v : b) v = static_cast<int8_t>(code(rng));
  for (int8_t v : a) ops->a.push_back(hw::int4_operand(v));
  for (int8_t v : b) ops->b.push_back(hw::int4_operand(v));
  const GemmPlan plan = plan_gemm(op, chip_params, ops);
  ASSERT_GT(plan.programs[0].steps.size(), 1u);

  std::vector<uint16_t> ref_fp16(uint64_t{op.m} * op.n);
  std::vector<int64_t> ref_acc(ref_fp16.size());
  num::GemmConfig cfg;
  cfg.acc_bits = 10;
  num::GemmStats stats;
  num::ref::gemm_int4_int4(num::row_major(a.data(), int(op.m), int(op.k)),
                           num::row_major(b.data(), int(op.k), int(op.n)), ops->format.output_scale,
                           cfg, ref_fp16.data(), ref_acc.data(), &stats);
  ASSERT_GT(stats.saturations, 0u) << "pick operands that saturate the 10-bit accumulator";

  struct Run {
    uint64_t cycles, gated, fp16_mismatches, acc_mismatches;
  };
  auto run = [&](hw::FidelityMode mode) {
    return test::from_bytes<Run>(test::run_in_child([&] {
      hw::Chip chip("chip", chip_params, mode);
      Driver driver("driver", chip, plan.programs);
      sc_core::sc_start();
      Run r{driver.cycles, 0, 0, 0};
      for (uint32_t c = 0; c < 2; ++c) {
        r.gated += chip.core(c).array().counters().zero_gated_macs;
        if (mode == hw::FidelityMode::timing) continue;
        const auto& fp16 = chip.core(c).controller().outputs_fp16();
        const auto& acc = chip.core(c).controller().outputs_accumulators();
        // Core c owns columns [n_offset, n_offset + share).
        const uint32_t n0 = plan.programs[c].n_offset;
        const uint32_t n1 = c + 1 < 2 ? plan.programs[c + 1].n_offset : op.n;
        for (uint32_t m = 0; m < op.m; ++m)
          for (uint32_t n = n0; n < n1; ++n) {
            const uint64_t i = uint64_t{m} * op.n + n;
            r.fp16_mismatches += fp16.at(i) != ref_fp16[i];
            r.acc_mismatches += acc.at(i) != ref_acc[i];
          }
      }
      return test::to_bytes(std::vector<Run>{r});
    }))[0];
  };
  const Run fast = run(hw::FidelityMode::fast), detailed = run(hw::FidelityMode::detailed);
  const Run timing = run(hw::FidelityMode::timing);
  EXPECT_EQ(fast.fp16_mismatches, 0u);
  EXPECT_EQ(fast.acc_mismatches, 0u);
  EXPECT_EQ(detailed.fp16_mismatches, 0u);
  EXPECT_EQ(detailed.acc_mismatches, 0u);
  EXPECT_EQ(fast.cycles, detailed.cycles);
  EXPECT_EQ(fast.cycles, timing.cycles);
  EXPECT_EQ(fast.gated, detailed.gated);
  // Product (m, n, k) is gated when A(m,k) or B(k,n) is zero.
  uint64_t gated = 0;
  for (uint32_t k = 0; k < op.k; ++k) {
    uint64_t za = 0, zb = 0;
    for (uint32_t m = 0; m < op.m; ++m) za += a[uint64_t{m} * op.k + k] == 0;
    for (uint32_t n = 0; n < op.n; ++n) zb += b[uint64_t{k} * op.n + n] == 0;
    gated += za * op.n + zb * op.m - za * zb;
  }
  EXPECT_EQ(fast.gated, gated);
  EXPECT_EQ(timing.gated, 0u);  // dense by default in TIMING
}

// A data-carrying program whose tiles split K keeps the partial sums on chip
// and adds the K tiles in ascending k0 order: with 32-bit accumulators no
// prefix saturates, so FAST and DETAILED equal the sequential reference.
TEST(CompiledGemm, KSplitProgramsEqualTheNumericsReference) {
  hw::ChipParams chip_params;
  hw::CoreParams core;
  core.array.rows = core.array.cols = 8;
  core.scratchpad.size_kib = 4;
  chip_params.cores.push_back(core);
  const GemmOp op{"wide_k", 8, 8, 4096, Precision::int4_int4};
  auto ops = std::make_shared<hw::GemmOperands>();
  ops->shape = {op.m, op.n, op.k};
  ops->format.output_scale = {0.0123f, 0};
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> code(-8, 7);
  std::vector<int8_t> a(uint64_t{op.m} * op.k), b(uint64_t{op.k} * op.n);
  for (auto& v : a) v = static_cast<int8_t>(code(rng));
  for (auto& v : b) v = static_cast<int8_t>(code(rng));
  for (int8_t v : a) ops->a.push_back(hw::int4_operand(v));
  for (int8_t v : b) ops->b.push_back(hw::int4_operand(v));
  const GemmPlan plan = plan_gemm(op, chip_params, ops);
  ASSERT_GT(plan.programs[0].steps.size(), 1u);
  ASSERT_GT(plan.programs[0].steps[1].k0, 0u) << "the plan should split K";
  std::vector<uint16_t> ref_fp16(uint64_t{op.m} * op.n);
  std::vector<int64_t> ref_acc(ref_fp16.size());
  num::ref::gemm_int4_int4(num::row_major(a.data(), int(op.m), int(op.k)),
                           num::row_major(b.data(), int(op.k), int(op.n)), ops->format.output_scale,
                           num::GemmConfig{}, ref_fp16.data(), ref_acc.data(), nullptr);
  for (hw::FidelityMode mode : {hw::FidelityMode::fast, hw::FidelityMode::detailed}) {
    const auto r = test::from_bytes<uint64_t>(test::run_in_child([&] {
      hw::Chip chip("chip", chip_params, mode);
      Driver driver("driver", chip, plan.programs);
      sc_core::sc_start();
      uint64_t fp16_bad = 0, acc_bad = 0;
      const auto& c = chip.core(0).controller();
      for (size_t i = 0; i < ref_fp16.size(); ++i) {
        fp16_bad += c.outputs_fp16().at(i) != ref_fp16[i];
        acc_bad += c.outputs_accumulators().at(i) != ref_acc[i];
      }
      return test::to_bytes(std::vector<uint64_t>{fp16_bad, acc_bad});
    }));
    EXPECT_EQ(r[0], 0u) << "mode " << int(mode);
    EXPECT_EQ(r[1], 0u) << "mode " << int(mode);
  }
}

}  // namespace
}  // namespace nibble::compiler
