// MXFP4 / NVFP4 on the training chip (issue 16): for both shipped recipes, a
// trace of the software trainer replays on the chip with every value equal
// (FAST, and DETAILED on a 4x4 array), and closed-loop training on the chip
// equals software training bit for bit. Every simulation runs in a fork()ed
// child (tests/hw/sc_child.hpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "closed_loop_fixture.hpp"
#include "sim/chip_exec/chip_executor.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/replay/trace_replay.hpp"
#include "tests/hw/sc_child.hpp"
#include "workloads/data/synthetic.hpp"
#include "workloads/trace/trace_reader.hpp"
#include "workloads/trace/trace_writer.hpp"
#include "workloads/trainer/model.hpp"
#include "workloads/trainer/recipe.hpp"
#include "workloads/trainer/software_executor.hpp"
#include "workloads/trainer/trainer.hpp"

namespace nibble {
namespace {

namespace fs = std::filesystem;

// The chip every test here runs on: one place to switch (the block-FP4
// lanes become opt-in, configs/chips/default_blockfp4.json).
constexpr const char* kChip = "configs/chips/default_blockfp4.json";

using test::source_path;

std::string temp_dir(const std::string& name) {
  return test::temp_dir("block_fp4_loop", name);
}

std::string tiny_cnn(const std::string& dir) {
  return test::tiny_cnn(dir, "block-FP4 closed-loop test CNN");
}

train::Recipe recipe(const std::string& name, int batch) {
  return train::Recipe::load(source_path("configs/recipes/" + name + ".json"),
                             {"/optimizer/batch=" + std::to_string(batch)});
}

class BlockFp4Loop : public ::testing::TestWithParam<std::string> {};

struct Replayed {
  int exit_code = -1;
  nlohmann::json report;
};

Replayed replay(const std::string& trace, hw::FidelityMode mode, std::vector<std::string> sets,
                const std::string& out) {
  const auto bytes = test::run_in_child([&] {
    replay::ReplayOptions o;
    o.chip = source_path(kChip);
    o.sets = sets;
    o.trace_dir = trace;
    o.out_dir = out;
    o.mode = mode;
    return test::to_bytes(std::vector<int>{replay::run_trace_replay(o)});
  });
  Replayed r;
  r.exit_code = test::from_bytes<int>(bytes).at(0);
  std::ifstream f(out + "/report.json");
  r.report = nlohmann::json::parse(f);
  return r;
}

TEST_P(BlockFp4Loop, TraceReplaysBitExactInFastAndDetailed) {
  const std::string fmt = GetParam(), dir = temp_dir("trace_" + fmt);
  {
    const auto ds = data::make_synthetic(12, 8, 8, 10, 3);
    const train::Recipe rc = recipe(fmt, 4);
    train::Model model = train::Model::load(tiny_cnn(dir), 1);
    train::SoftwareExecutor sw(rc.gemm);
    trace::TraceWriter writer(sw, dir + "/trace", {1});
    train::Trainer t(model, rc, writer, 1);
    t.train_epoch(ds, 1, 1);
    writer.finish({{"history", {{{"epoch", 1}, {"test_accuracy", 0.25}}}}});
  }
  // The trace holds block-scaled GEMMs in every pass, with both operands
  // blocked along the GEMM's own K, and Hadamard-transformed dW operands.
  const trace::TraceReader reader(dir + "/trace");
  int block_gemms = 0, hadamard_layouts = 0;
  for (const auto& op : reader.steps().at(0).ops) {
    if (op.kind == "gemm" && op.tensors.at("a").format == train::format_from_string(fmt, "")) {
      ++block_gemms;
      const auto a = reader.load(op.tensors.at("a")), b = reader.load(op.tensors.at("b"));
      EXPECT_EQ(a.blocks.cols, op.gemm.k) << op.pointer;
      EXPECT_EQ(b.blocks.cols, op.gemm.k) << op.pointer;
      EXPECT_EQ(a.blocks_transposed, op.gemm.a_trans) << op.pointer;
      EXPECT_EQ(b.blocks_transposed, !op.gemm.b_trans) << op.pointer;
    }
    if (op.kind == "quantize")
      for (const auto& l : op.quantize.layouts) hadamard_layouts += l.hadamard;
  }
  EXPECT_EQ(block_gemms, 6);       // conv2 and fc1: forward, dX, dW
  EXPECT_EQ(hadamard_layouts, 4);  // their activations and gradients for dW
  const Replayed fast = replay(dir + "/trace", hw::FidelityMode::fast, {}, temp_dir("fast_" + fmt));
  EXPECT_EQ(fast.exit_code, 0);
  EXPECT_EQ(fast.report["mismatches"].get<uint64_t>(), 0u)
      << fast.report["first_mismatches"].dump(1);
  EXPECT_GT(fast.report["compared_values"].get<uint64_t>(), 10000u);
  const Replayed detailed =
      replay(dir + "/trace", hw::FidelityMode::detailed,
             {"/cores/0/array/rows=4", "/cores/0/array/cols=4"}, temp_dir("detailed_" + fmt));
  EXPECT_EQ(detailed.exit_code, 0);
  EXPECT_EQ(detailed.report["mismatches"].get<uint64_t>(), 0u)
      << detailed.report["first_mismatches"].dump(1);
  EXPECT_EQ(detailed.report["compared_values"], fast.report["compared_values"]);
  std::printf("[ replay %s ] %llu values compared, %llu mismatches (fast), %llu (detailed)\n",
              fmt.c_str(), fast.report["compared_values"].get<unsigned long long>(),
              fast.report["mismatches"].get<unsigned long long>(),
              detailed.report["mismatches"].get<unsigned long long>());
}

struct RunResult {
  std::vector<uint32_t> weight_bits;
  std::vector<double> figures;  // train loss, train acc, test loss, test acc per epoch
  std::vector<uint64_t> health;  // every numerics health counter, per epoch
};

RunResult train_run(train::Executor& ex, const std::string& model_path, const std::string& fmt) {
  const auto train_set = data::make_synthetic(24, 8, 8, 10, 5);
  const auto test_set = data::make_synthetic(16, 8, 8, 10, 6);
  const train::Recipe rc = recipe(fmt, 8);
  train::Model model = train::Model::load(model_path, 3);
  train::Trainer t(model, rc, ex, 3);
  RunResult r;
  for (int e = 1; e <= 2; ++e) {
    const train::EpochRecord rec = t.train_epoch(train_set, e, 2);
    const train::Evaluation ev = t.evaluate(test_set);
    r.figures.insert(r.figures.end(), {rec.train_loss, rec.train_accuracy, ev.loss, ev.accuracy});
    const auto h = test::health_values(rec.health);
    r.health.insert(r.health.end(), h.begin(), h.end());
  }
  for (train::Param* p : model.params())
    for (int64_t i = 0; i < p->value.size(); ++i)
      r.weight_bits.push_back(std::bit_cast<uint32_t>(p->value.data()[i]));
  return r;
}

TEST_P(BlockFp4Loop, ChipTrainingEqualsSoftwareTrainingBitForBit) {
  const std::string fmt = GetParam();
  const std::string model_path = tiny_cnn(temp_dir("closed_loop_" + fmt));
  train::SoftwareExecutor sw(recipe(fmt, 8).gemm);
  const RunResult want = train_run(sw, model_path, fmt);
  const auto bytes = test::run_in_child([&] {
    const config::ChipConfig cfg = config::load_chip_config(source_path(kChip));
    chip_exec::ChipExecutor chip(cfg.chip, cfg.tech, hw::FidelityMode::fast);
    const RunResult got = train_run(chip, model_path, fmt);
    std::vector<double> out{double(chip.steps()), double(chip.training().cycles)};
    for (uint32_t b : got.weight_bits) out.push_back(double(b));
    out.insert(out.end(), got.figures.begin(), got.figures.end());
    for (uint64_t h : got.health) out.push_back(double(h));  // counts < 2^53: exact
    return test::to_bytes(out);
  });
  const auto got = test::from_bytes<double>(bytes);
  ASSERT_EQ(got.size(), 2 + want.weight_bits.size() + want.figures.size() + want.health.size());
  EXPECT_EQ(got[0], 6.0);  // 2 epochs x 24 images / batch 8
  EXPECT_GT(got[1], 0.0);
  size_t differing = 0;
  for (size_t i = 0; i < want.weight_bits.size(); ++i)
    differing += static_cast<uint32_t>(got[2 + i]) != want.weight_bits[i];
  EXPECT_EQ(differing, 0u) << "of " << want.weight_bits.size() << " weights";
  const auto fig0 = got.begin() + 2 + static_cast<long>(want.weight_bits.size());
  const auto fig1 = fig0 + static_cast<long>(want.figures.size());
  EXPECT_EQ(std::vector<double>(fig0, fig1), want.figures);
  // Numerics health: E2M1 saturation/underflow and block-scale clamps of
  // every quantizer, equal on the chip.
  std::vector<uint64_t> health;
  for (auto it = fig1; it != got.end(); ++it) health.push_back(static_cast<uint64_t>(*it));
  EXPECT_EQ(health, want.health);
  uint64_t elements = 0;
  for (uint64_t h : want.health) elements += h;
  EXPECT_GT(elements, 0u);
}

INSTANTIATE_TEST_SUITE_P(Recipes, BlockFp4Loop, ::testing::Values("mxfp4", "nvfp4"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace nibble
