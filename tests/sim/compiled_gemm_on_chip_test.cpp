// End to end: a GEMM op compiled by the mapper runs on the SystemC chip
// (timing mode). The chip's cycles must respect the two hard bounds of the
// pass -- the array's own cycles per core and the DRAM bus time of all bytes
// moved -- and the array must spend exactly the formula cycles of the steps.
#include <gtest/gtest.h>

#include <systemc>

#include <vector>

#include "hw_models/chip.hpp"
#include "hw_models/mac_array_timing.hpp"
#include "sim/compiler/gemm_tiler.hpp"
#include "tests/hw/sc_child.hpp"

namespace nibble::compiler {
namespace {

struct Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name n, hw::Chip& c, const std::vector<hw::CoreProgram>& p)
      : sc_core::sc_module(n), chip(c), programs(p) {
    SC_THREAD(run);
  }
  void run() { cycles = chip.run(programs); }
  hw::Chip& chip;
  const std::vector<hw::CoreProgram>& programs;
  uint64_t cycles = 0;
};

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
    std::vector<uint64_t> out{driver.cycles, chip.dram().counters().bytes, chip.dram().counters().bus_busy_cycles};
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

}  // namespace
}  // namespace nibble::compiler
