// The cycle account of `nibble run --explain` (issue 12): on random layers
// and random chips (dataflow, array shape, PE depth, fold setup, issue
// latency, DMA setup, DRAM bandwidth and latency, scratchpad size forcing
// tiling, several cores), each op's SCALE-Sim-convention cycles plus its
// named differences equal the op's measured cycles exactly, with nothing
// left unexplained; and the base is the scalesim_v2 timing model's figure.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "hw_models/scalesim_timing.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/runner/workload_runner.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/sim/test_paths.hpp"

namespace nibble::runner {
namespace {

using workload::Op;
using workload::OpType;
using workload::Pass;

config::ChipConfig random_chip(std::mt19937_64& rng) {
  auto pick = [&](std::initializer_list<const char*> v) {
    return std::string(*(v.begin() + rng() % v.size()));
  };
  const uint32_t rows = 1 + rng() % 12, cols = 1 + rng() % 12;
  std::vector<config::Override> o{
      config::parse_override("/cores/0/array/rows=" + std::to_string(rows)),
      config::parse_override("/cores/0/array/cols=" + std::to_string(cols)),
      config::parse_override("/cores/0/array/dataflow=" + pick({"ws", "os", "is"})),
      config::parse_override("/cores/0/array/pe_pipeline_depth=" + std::to_string(1 + rng() % 3)),
      config::parse_override("/cores/0/array/fold_setup_cycles=" + std::to_string(rng() % 4)),
      config::parse_override("/cores/0/controller/issue_latency_cycles=" +
                             std::to_string(rng() % 3)),
      config::parse_override("/cores/0/dma/setup_cycles=" + std::to_string(rng() % 5)),
      config::parse_override("/cores/0/count=" + std::to_string(1 + rng() % 3)),
      config::parse_override("/cores/0/scratchpad/size_kib=" + pick({"4", "16", "256"})),
      config::parse_override("/dram/bandwidth_gb_per_s=" + pick({"2", "25.6", "400"})),
      config::parse_override("/dram/latency_ns=" + pick({"0", "100"})),
  };
  return config::load_chip_config(test::source_dir() / "configs/chips/default.json", o);
}

workload::Workload random_layers(std::mt19937_64& rng, int n) {
  workload::Workload w;
  w.name = "random";
  for (int i = 0; i < n; ++i) {
    const std::string name = "l" + std::to_string(i);
    if (i % 5 == 4) {  // a lane-unit op: all of it is a difference
      Op q = workload::make_op(name, name, OpType::quantize, Pass::forward);
      q.quantize = {"int4", 1 + rng() % 3000, 1};
      w.ops.push_back(q);
      continue;
    }
    if (i % 2 == 0) {
      Op op = workload::make_op(name, name, OpType::gemm, Pass::forward);
      op.precision = rng() % 2 ? Precision::int4_int4 : Precision::fp16;
      op.gemm = {1 + rng() % 90, 1 + rng() % 90, 1 + rng() % 90, 1 + rng() % 2};
      w.ops.push_back(op);
    } else {
      Op op = workload::make_op(name, name, OpType::conv2d, Pass::forward);
      op.precision = Precision::int4_int4;
      const uint64_t h = 3 + rng() % 12, k = 1 + rng() % 3;
      op.conv = {.batch = 1,
                 .in_channels = 1 + rng() % 12,
                 .in_height = h,
                 .in_width = h,
                 .out_channels = 1 + rng() % 20,
                 .kernel_h = k,
                 .kernel_w = k,
                 .stride = 1 + rng() % 2,
                 .padding = 0,
                 .groups = 1};
      w.ops.push_back(op);
    }
  }
  return w;
}

TEST(CycleAccount, DifferencesSumExactlyOnRandomLayers) {
  std::mt19937_64 rng(12);
  int checked_ops = 0;
  for (int trial = 0; trial < 8; ++trial) {
    const auto cfg = random_chip(rng);
    const auto w = random_layers(rng, 10);
    const auto bytes = test::run_in_child([&] {
      RunOptions opt;
      opt.mode = hw::FidelityMode::timing;
      opt.explain = true;
      const RunResult r = run_workload(w, cfg, opt);
      std::vector<int64_t> v;
      for (const auto& op : r.ops) {
        v.push_back(int64_t(op.cycles));
        v.push_back(int64_t(op.account.valid));
        v.push_back(int64_t(op.account.scalesim_cycles));
        v.push_back(int64_t(op.account.nibble_cycles));
        for (const int64_t t : op.account.terms) v.push_back(t);
      }
      return test::to_bytes(v);
    });
    const auto v = test::from_bytes<int64_t>(bytes);
    const size_t stride = 4 + kNumAccountTerms;
    ASSERT_EQ(v.size(), w.ops.size() * stride);
    const auto& array = cfg.chip.cores[0].array;
    for (size_t i = 0; i < w.ops.size(); ++i) {
      const int64_t* row = &v[i * stride];
      const std::string who = "trial " + std::to_string(trial) + " op " + w.ops[i].name;
      ASSERT_EQ(row[1], 1) << who;
      EXPECT_EQ(row[3], row[0]) << who;
      int64_t sum = row[2];
      for (size_t t = 0; t < kNumAccountTerms; ++t) sum += row[4 + t];
      EXPECT_EQ(sum, row[0]) << who;
      EXPECT_EQ(row[4 + acc_unexplained], 0) << who;
      if (w.ops[i].is_matrix()) {
        const auto g = *workload::gemm_of(w.ops[i]);
        hw::MacArrayParams ss = array;
        ss.timing_model = hw::TimingModel::scalesim_v2;
        const auto s = hw::scalesim_gemm_cycles(ss, w.ops[i].precision,
                                                {uint32_t(g.m), uint32_t(g.n), uint32_t(g.k)});
        EXPECT_EQ(uint64_t(row[2]), s.total * g.count) << who;
      } else {
        EXPECT_EQ(row[2], 0) << who;
        EXPECT_EQ(row[4 + acc_vector_quantize_ops], row[0]) << who;
      }
      ++checked_ops;
    }
  }
  EXPECT_EQ(checked_ops, 80);
}

}  // namespace
}  // namespace nibble::runner
