// Training on the simulated chip (issue 7): trace replay bit for bit in FAST
// and DETAILED modes (and a corrupted trace is caught), and closed-loop
// training with the chip executor equal to the software executor (same
// weights bits, losses and accuracy). Every simulation runs in a fork()ed
// child (one SystemC simulation per process, tests/hw/sc_child.hpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "closed_loop_fixture.hpp"
#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/sfu.hpp"
#include "sim/chip_exec/chip_executor.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/config/overrides.hpp"
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

using test::source_path;

std::string temp_dir(const std::string& name) {
  return test::temp_dir("closed_loop", name);
}

std::string tiny_cnn(const std::string& dir) {
  return test::tiny_cnn(dir, "closed-loop test CNN");
}

// The knob tests start from the published recipe, so that each knob is the
// only change; the shipped ibm4 is that recipe with kShippedIbm4Knobs.
train::Recipe recipe_named(const std::string& name, int batch, std::vector<std::string> sets) {
  sets.push_back("/optimizer/batch=" + std::to_string(batch));
  return train::Recipe::load(source_path("configs/recipes/" + name + ".json"), sets);
}
train::Recipe ibm4_paper(int batch, std::vector<std::string> sets = {}) {
  return recipe_named("ibm4_paper", batch, std::move(sets));
}
const std::vector<std::string> kShippedIbm4Knobs = {
    "/ibm4/gradients/rounding=stochastic", "/ibm4/gradients/dw_channel_scale=true",
    "/ibm4/activations/pact_alpha_init_bn=3", "/precision/full_resolution_conv=hfp8"};

// Trace of training step 1 of the tiny CNN (software executor), written once.
class Replay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(temp_dir("trace"));
    const auto ds = data::make_synthetic(12, 8, 8, 10, 3);
    const train::Recipe recipe = ibm4_paper(4);
    train::Model model = train::Model::load(tiny_cnn(*dir_), 1);
    train::SoftwareExecutor sw(recipe.gemm);
    trace::TraceWriter writer(sw, *dir_ + "/trace", {1});
    train::Trainer t(model, recipe, writer, 1);
    t.train_epoch(ds, 1, 1);
    writer.finish({{"history", {{{"epoch", 1}, {"test_accuracy", 0.25}}}}});
  }
  static void TearDownTestSuite() { delete dir_; }

  struct Outcome {
    int exit_code = -1;
    nlohmann::json report;
  };
  static Outcome replay(const std::string& trace, hw::FidelityMode mode,
                        std::vector<std::string> sets, const std::string& out) {
    const auto bytes = test::run_in_child([&] {
      replay::ReplayOptions o;
      o.chip = source_path("configs/chips/default.json");
      o.sets = sets;
      o.trace_dir = trace;
      o.out_dir = out;
      o.mode = mode;
      const int rc = replay::run_trace_replay(o);
      return test::to_bytes(std::vector<int>{rc});
    });
    Outcome r;
    r.exit_code = test::from_bytes<int>(bytes).at(0);
    std::ifstream f(out + "/report.json");
    r.report = nlohmann::json::parse(f);
    return r;
  }
  static std::string* dir_;
};
std::string* Replay::dir_ = nullptr;

void expect_costed(const nlohmann::json& report) {
  ASSERT_TRUE(report.contains("ops"));
  std::set<std::string> passes;
  for (const auto& op : report["ops"]) {
    passes.insert(op["pass"].get<std::string>());
    EXPECT_GT(op["cycles"].get<uint64_t>(), 0u) << op["name"];
    EXPECT_GT(op["energy_pj"].get<double>(), 0.0) << op["name"];
    ASSERT_FALSE(op["passes"].empty());
  }
  for (const char* p : {"forward", "grad_input", "grad_weight", "grad_quantize", "update"})
    EXPECT_TRUE(passes.count(p)) << p;
  EXPECT_EQ(report["trainer"]["history"][0]["test_accuracy"].get<double>(), 0.25);
}

TEST_F(Replay, FastModeMatchesEveryValue) {
  const Outcome r = replay(*dir_ + "/trace", hw::FidelityMode::fast, {}, temp_dir("replay_fast"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.report["mismatches"].get<uint64_t>(), 0u) << r.report["first_mismatches"].dump(1);
  EXPECT_GT(r.report["compared_values"].get<uint64_t>(), 10000u);
  EXPECT_EQ(r.report["steps"].get<int>(), 1);
  expect_costed(r.report);
}

TEST_F(Replay, DetailedModeOnA4x4ArrayMatchesEveryValue) {
  const Outcome r =
      replay(*dir_ + "/trace", hw::FidelityMode::detailed,
             {"/cores/0/array/rows=4", "/cores/0/array/cols=4"}, temp_dir("replay_detailed"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.report["mismatches"].get<uint64_t>(), 0u) << r.report["first_mismatches"].dump(1);
  expect_costed(r.report);
  // Same data, same timing contract: DETAILED costs what FAST costs.
  const Outcome fast =
      replay(*dir_ + "/trace", hw::FidelityMode::fast,
             {"/cores/0/array/rows=4", "/cores/0/array/cols=4"}, temp_dir("replay_fast4"));
  EXPECT_EQ(r.report["totals"]["cycles"], fast.report["totals"]["cycles"]);
}

TEST_F(Replay, CorruptedResultIsCountedAndListed) {
  const std::string copy = temp_dir("corrupt") + "/trace";
  fs::copy(*dir_ + "/trace", copy, fs::copy_options::recursive);
  // Flip one bit of the last element of the first GEMM result.
  const trace::TraceReader reader(copy);
  std::string file, pointer;
  for (const auto& op : reader.steps()[0].ops)
    if (op.kind == "gemm") {
      file = copy + "/" + op.tensors.at("result").file;
      pointer = op.pointer;
      break;
    }
  ASSERT_FALSE(file.empty());
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-1, std::ios::end);
    char c = 0;
    f.read(&c, 1);
    c ^= 0x40;
    f.seekp(-1, std::ios::end);
    f.write(&c, 1);
  }
  const Outcome r = replay(copy, hw::FidelityMode::fast, {}, temp_dir("replay_corrupt"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.report["mismatches"].get<uint64_t>(), 1u);
  ASSERT_EQ(r.report["first_mismatches"].size(), 1u);
  const auto& m = r.report["first_mismatches"][0];
  EXPECT_EQ(m["op"].get<std::string>(), pointer);
  EXPECT_EQ(m["tensor"].get<std::string>(), "result");
  EXPECT_NE(m["expected"], m["got"]);
}

// A short closed-loop run: the chip executor and the software executor
// give the same weights (bits), the same per-epoch losses and accuracy.
struct RunResult {
  std::vector<uint32_t> weight_bits;
  std::vector<double> figures;   // train loss, train acc, test loss, test acc per epoch
  std::vector<uint64_t> health;  // every numerics health counter, per epoch
  uint64_t saturations = 0;
};

RunResult train_run(train::Executor& ex, const std::string& model_path,
                    const std::vector<std::string>& recipe_sets = {}) {
  const auto train_set = data::make_synthetic(24, 8, 8, 10, 5);
  const auto test_set = data::make_synthetic(16, 8, 8, 10, 6);
  const train::Recipe recipe = ibm4_paper(8, recipe_sets);
  train::Model model = train::Model::load(model_path, 3);
  train::Trainer t(model, recipe, ex, 3);
  RunResult r;
  for (int e = 1; e <= 2; ++e) {
    const train::EpochRecord rec = t.train_epoch(train_set, e, 2);
    const train::Evaluation ev = t.evaluate(test_set);
    r.figures.insert(r.figures.end(), {rec.train_loss, rec.train_accuracy, ev.loss, ev.accuracy});
    const auto h = test::health_values(rec.health);
    r.health.insert(r.health.end(), h.begin(), h.end());
    r.saturations += test::saturations(rec.health);
  }
  for (train::Param* p : model.params())
    for (int64_t i = 0; i < p->value.size(); ++i)
      r.weight_bits.push_back(std::bit_cast<uint32_t>(p->value.data()[i]));
  return r;
}

// The chip run of train_run (in a child process) with chip overrides.
struct ChipRun {
  RunResult result;
  uint64_t steps = 0, cycles = 0;
};
ChipRun chip_train_run(const std::string& model_path, const std::vector<std::string>& sets,
                       const std::vector<std::string>& recipe_sets = {}) {
  struct Sizes {
    uint64_t weights, figures, health, saturations, steps, cycles;
  };
  const auto bytes = test::run_in_child([&] {
    std::vector<config::Override> overrides;
    for (const auto& s : sets) overrides.push_back(config::parse_override(s));
    const config::ChipConfig cfg =
        config::load_chip_config(source_path("configs/chips/default.json"), overrides);
    chip_exec::ChipExecutor chip(cfg.chip, cfg.tech, hw::FidelityMode::fast);
    const RunResult got = train_run(chip, model_path, recipe_sets);
    const Sizes s{got.weight_bits.size(), got.figures.size(), got.health.size(),
                  got.saturations,        chip.steps(),       chip.training().cycles};
    test::Bytes out(sizeof s);
    std::memcpy(out.data(), &s, sizeof s);
    const auto w = test::to_bytes(got.weight_bits), f = test::to_bytes(got.figures),
               h = test::to_bytes(got.health);
    out.insert(out.end(), w.begin(), w.end());
    out.insert(out.end(), f.begin(), f.end());
    out.insert(out.end(), h.begin(), h.end());
    return out;
  });
  Sizes s;
  ChipRun r;
  if (bytes.size() < sizeof s) return r;
  std::memcpy(&s, bytes.data(), sizeof s);
  if (bytes.size() != sizeof s + s.weights * 4 + s.figures * 8 + s.health * 8) return r;
  r.result.weight_bits.resize(s.weights);
  r.result.figures.resize(s.figures);
  r.result.health.resize(s.health);
  const uint8_t* p = bytes.data() + sizeof s;
  std::memcpy(r.result.weight_bits.data(), p, s.weights * 4);
  std::memcpy(r.result.figures.data(), p + s.weights * 4, s.figures * 8);
  std::memcpy(r.result.health.data(), p + s.weights * 4 + s.figures * 8, s.health * 8);
  r.result.saturations = s.saturations;
  r.steps = s.steps;
  r.cycles = s.cycles;
  return r;
}

TEST(ClosedLoop, ChipTrainingEqualsSoftwareTrainingBitForBit) {
  const std::string model_path = tiny_cnn(temp_dir("closed_loop"));
  train::SoftwareExecutor sw(ibm4_paper(8).gemm);
  const RunResult want = train_run(sw, model_path);
  const ChipRun got = chip_train_run(model_path, {});
  EXPECT_EQ(got.steps, 6u);  // 2 epochs x 24 images / batch 8
  EXPECT_GT(got.cycles, 0u);
  ASSERT_EQ(got.result.weight_bits.size(), want.weight_bits.size());
  EXPECT_TRUE(got.result.weight_bits == want.weight_bits);
  EXPECT_EQ(got.result.figures, want.figures);
  EXPECT_EQ(got.result.health, want.health) << "numerics health";
  EXPECT_FALSE(want.health.empty());
}

// The gradient knobs of the gradients study (docs/studies/gradients.md) are
// chip settings too: stochastic FP4 rounding in the LGU, dynamic GradScale,
// one rounding phase instead of two, and a GradScale target above the top
// FP4 code. Each trains bit-equal on the chip.
TEST(ClosedLoop, GradientKnobsTrainBitEqualOnTheChip) {
  for (const char* knob :
       {"/ibm4/gradients/rounding=stochastic", "/ibm4/gradients/grad_scale=dynamic",
        "/ibm4/gradients/two_phase=false", "/ibm4/gradients/grad_scale_top_log2=8",
        "/ibm4/gradients/dw_channel_scale=true"}) {
    const std::string model_path = tiny_cnn(temp_dir("closed_loop_knob"));
    train::SoftwareExecutor sw(ibm4_paper(8).gemm);
    const RunResult want = train_run(sw, model_path, {knob});
    const RunResult nearest_max_tpr = train_run(sw, model_path);
    EXPECT_FALSE(want.weight_bits == nearest_max_tpr.weight_bits) << knob << " changed nothing";
    const ChipRun got = chip_train_run(model_path, {}, {knob});
    EXPECT_EQ(got.steps, 6u) << knob;
    EXPECT_TRUE(got.result.weight_bits == want.weight_bits) << knob;
    EXPECT_EQ(got.result.figures, want.figures) << knob;
    EXPECT_EQ(got.result.health, want.health) << knob;
  }
}

// The shipped ibm4 (configs/recipes/ibm4.json) is the published recipe plus
// the knobs of docs/trainer.md's 0.5-point table, nothing else, and it
// trains bit-equal on the chip (the tiny CNN with a BatchNorm, so that the
// initial clip after a BatchNorm applies).
TEST(ClosedLoop, ShippedIbm4IsThePaperRecipeWithItsKnobs) {
  nlohmann::json shipped = recipe_named("ibm4", 8, {}).effective;
  nlohmann::json paper_with_knobs = ibm4_paper(8, kShippedIbm4Knobs).effective;
  for (nlohmann::json* j : {&shipped, &paper_with_knobs}) {
    j->erase("name");
    j->erase("description");
  }
  EXPECT_EQ(shipped, paper_with_knobs) << shipped.dump(1) << "\n" << paper_with_knobs.dump(1);
  const std::string model_path = test::tiny_cnn(temp_dir("closed_loop_shipped"),
                                                "closed-loop test CNN with a BatchNorm", true);
  train::SoftwareExecutor sw(ibm4_paper(8).gemm);
  const RunResult want = train_run(sw, model_path, kShippedIbm4Knobs);
  EXPECT_FALSE(want.weight_bits == train_run(sw, model_path).weight_bits) << "changed nothing";
  const ChipRun got = chip_train_run(model_path, {}, kShippedIbm4Knobs);
  EXPECT_EQ(got.steps, 6u);
  EXPECT_TRUE(got.result.weight_bits == want.weight_bits);
  EXPECT_EQ(got.result.figures, want.figures);
  EXPECT_EQ(got.result.health, want.health);
}

// Per-channel weight grids before a BatchNorm (docs/numerics.md section 1):
// the scale unit quantizes conv2's rows on their own grids and the SFU
// rescales dW per row; the chip trains bit-equal to the software trainer.
TEST(ClosedLoop, ChannelGridsTrainBitEqualOnTheChip) {
  const std::string model_path =
      test::tiny_cnn(temp_dir("closed_loop_grids"), "closed-loop test CNN with a BatchNorm", true);
  const std::string knob = "/ibm4/weights/channel_grids_before_bn=true";
  train::SoftwareExecutor sw(ibm4_paper(8).gemm);
  const RunResult want = train_run(sw, model_path, {knob});
  EXPECT_FALSE(want.weight_bits == train_run(sw, model_path).weight_bits) << "changed nothing";
  const ChipRun got = chip_train_run(model_path, {}, {knob});
  EXPECT_EQ(got.steps, 6u);
  EXPECT_TRUE(got.result.weight_bits == want.weight_bits);
  EXPECT_EQ(got.result.figures, want.figures);
  EXPECT_EQ(got.result.health, want.health);
}

// The per-channel GradScale of dW (docs/numerics.md section 4) with every
// knob it meets: the per-channel weight grids (both row factors reach the
// SFU), one TPR phase (dX and dW still get their own copies) and the dynamic
// GradScale (the scale unit's statistics pass comes back, per channel).
// conv2's channels are rows of dY, fc1's are columns. Bit-equal on the chip.
TEST(ClosedLoop, DwChannelScaleWithGridsOnePhaseDynamicBitEqualOnTheChip) {
  const std::string model_path =
      test::tiny_cnn(temp_dir("closed_loop_dwch"), "closed-loop test CNN with a BatchNorm", true);
  const std::vector<std::string> base = {"/ibm4/weights/channel_grids_before_bn=true",
                                         "/ibm4/gradients/two_phase=false",
                                         "/ibm4/gradients/grad_scale=dynamic"};
  std::vector<std::string> knobs = base;
  knobs.push_back("/ibm4/gradients/dw_channel_scale=true");
  train::SoftwareExecutor sw(ibm4_paper(8).gemm);
  const RunResult want = train_run(sw, model_path, knobs);
  EXPECT_FALSE(want.weight_bits == train_run(sw, model_path, base).weight_bits)
      << "changed nothing";
  const ChipRun got = chip_train_run(model_path, {}, knobs);
  EXPECT_EQ(got.steps, 6u);
  EXPECT_TRUE(got.result.weight_bits == want.weight_bits);
  EXPECT_EQ(got.result.figures, want.figures);
  EXPECT_EQ(got.result.health, want.health);
  // The dynamic GradScale has no statistics pass; the per-channel one adds it.
  EXPECT_GT(got.cycles, chip_train_run(model_path, {}, base).cycles);
}

// A 10-bit accumulator saturates on this net: the chip (its array's
// saturation counters) and the software trainer (the numerics GEMM's)
// report the same health counts, every counter, every epoch.
TEST(ClosedLoop, NarrowAccumulatorHealthEqualsSoftware) {
  const std::string model_path = tiny_cnn(temp_dir("closed_loop_acc10"));
  train::GemmSettings g = ibm4_paper(8).gemm;
  g.acc_bits = 10;
  train::SoftwareExecutor sw(g);
  const RunResult want = train_run(sw, model_path);
  const ChipRun got = chip_train_run(model_path, {"/cores/0/array/accumulator_bits=10"});
  EXPECT_GT(want.saturations, 0u);
  EXPECT_EQ(got.result.saturations, want.saturations);
  EXPECT_EQ(got.result.health, want.health);
  EXPECT_TRUE(got.result.weight_bits == want.weight_bits);
  EXPECT_EQ(got.result.figures, want.figures);
}

// One GEMM with an 8-bit accumulator on the chip and in software: the
// saturation count equals a brute-force recount with the sequential
// saturating accumulator in k order.
TEST(ClosedLoop, EightBitAccumulatorSaturationsEqualBruteForce) {
  const int m = 5, n = 6, k = 40;
  auto int4 = [](int rows, int cols, int seed) {
    train::QTensor t;
    t.format = train::Format::int4;
    t.scale = 1.0f / 64;
    t.rows_ = rows;
    t.cols_ = cols;
    t.codes8.resize(rows, cols);
    // Mostly positive codes, so running sums pass +127 and come back.
    for (int i = 0; i < rows * cols; ++i)
      t.codes8.data()[i] = static_cast<int8_t>(std::clamp((i * 7 + seed) % 15 - 5, -7, 7));
    return t;
  };
  const train::QTensor a = int4(m, k, 1), b = int4(n, k, 4);  // B stored [n x k]
  uint64_t want = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      num::SaturatingAccumulator acc(8);
      for (int q = 0; q < k; ++q) acc.add(int64_t{a.codes8(i, q)} * b.codes8(j, q));
      want += acc.overflows();
    }
  ASSERT_GT(want, 0u);
  train::GemmOp op{"fc", train::Pass::forward, m, n, k, &a, false, &b, true};
  train::GemmCounts sw_counts;
  op.counts = &sw_counts;
  train::SoftwareExecutor sw(train::GemmSettings{.acc_bits = 8});
  sw.gemm(op);
  EXPECT_EQ(sw_counts.acc_saturations, want);
  EXPECT_EQ(sw_counts.outputs, uint64_t(m * n));
  const auto bytes = test::run_in_child([&] {
    const config::ChipConfig cfg =
        config::load_chip_config(source_path("configs/chips/default.json"),
                                 {config::parse_override("/cores/0/array/accumulator_bits=8")});
    chip_exec::ChipExecutor chip(cfg.chip, cfg.tech, hw::FidelityMode::fast);
    train::GemmCounts c;
    train::GemmOp o = op;
    o.counts = &c;
    chip.gemm(o);
    return test::to_bytes(std::vector<uint64_t>{c.gemms, c.outputs, c.acc_saturations});
  });
  EXPECT_EQ(test::from_bytes<uint64_t>(bytes), (std::vector<uint64_t>{1, uint64_t(m * n), want}));
}

TEST(ClosedLoop, Fp32GemmsAreRefusedWithAClearError) {
  const auto r = test::run_in_child([&] {
    const config::ChipConfig cfg =
        config::load_chip_config(source_path("configs/chips/default.json"));
    chip_exec::ChipExecutor chip(cfg.chip, cfg.tech, hw::FidelityMode::fast);
    train::QTensor a;
    a.values = train::Mat::Ones(2, 3);
    a.rows_ = 2;
    a.cols_ = 3;
    train::GemmOp g{"fc", train::Pass::forward, 2, 2, 3, &a, false, &a, true};
    try {
      chip.gemm(g);
    } catch (const InputError& e) {
      const std::string msg = e.what();
      return test::Bytes(msg.begin(), msg.end());
    }
    return test::Bytes{};
  });
  const std::string msg(r.begin(), r.end());
  EXPECT_NE(msg.find("no MAC mode for fp32 x fp32"), std::string::npos) << msg;
}

}  // namespace
}  // namespace nibble

namespace nibble {
namespace {

// The SFU's weight update: the values of numerics' sgd_momentum_update
// (checked here against the formula written out), and the cycles of
// docs/microarch.md 3: ceil(n * p / V) + L - 1 with p = 6 FP32 ops per
// weight with weight decay, 4 without, 7 with decay and per-channel row
// factors (g times its row's factor first).
TEST(ClosedLoopBlocks, SfuWeightUpdateValuesAndCycles) {
  const int n = 1000;
  std::vector<float> w(n), v(n), g(n);
  for (int i = 0; i < n; ++i) {
    w[i] = 0.01f * static_cast<float>(i % 37) - 0.2f;
    v[i] = 0.003f * static_cast<float>(i % 11);
    g[i] = 0.05f * static_cast<float>(i % 7) - 0.1f;
  }
  const float lr = 0.05f, mu = 0.9f, wd = 5e-4f;
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([&] {
    hw::SfuParams p;
    p.lanes = 16;
    p.fp32_latency_cycles = 4;
    hw::Sfu sfu("sfu", p, sc_core::sc_time(1, sc_core::SC_NS));
    std::vector<float> w1 = w, v1 = v, w2 = w, v2 = v, w3 = w, v3 = v;
    std::vector<float> rf(10);  // 10 rows of 100
    for (int o = 0; o < 10; ++o) rf[o] = 0.25f + 0.375f * static_cast<float>(o);
    uint64_t c1 = 0, c2 = 0, c3 = 0;
    struct T : sc_core::sc_module {
      SC_HAS_PROCESS(T);
      T(sc_core::sc_module_name nm, std::function<void()> f) : sc_core::sc_module(nm), fn(f) {
        SC_THREAD(run);
      }
      void run() { fn(); }
      std::function<void()> fn;
    } t("t", [&] {
      c1 = sfu.sgd_update(w1, v1, g, lr, mu, wd);
      c2 = sfu.sgd_update(w2, v2, g, lr, mu, 0.0f);
      c3 = sfu.sgd_update(w3, v3, g, lr, mu, wd, rf);
    });
    sc_core::sc_start();
    std::vector<uint64_t> out{c1, c2, c3};
    for (int i = 0; i < n; ++i) {
      out.push_back(std::bit_cast<uint32_t>(w1[i]));
      out.push_back(std::bit_cast<uint32_t>(v1[i]));
      out.push_back(std::bit_cast<uint32_t>(w3[i]));
      out.push_back(std::bit_cast<uint32_t>(v3[i]));
    }
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r[0], (6u * n + 15) / 16 + 4 - 1);
  EXPECT_EQ(r[1], (4u * n + 15) / 16 + 4 - 1);
  EXPECT_EQ(r[2], (7u * n + 15) / 16 + 4 - 1);
  int diff = 0, scaled_diff = 0;
  for (int i = 0; i < n; ++i) {
    const float vv = (mu * v[i] + g[i]) + wd * w[i];
    const float ww = w[i] - lr * vv;
    diff += std::bit_cast<uint32_t>(ww) != r[3 + 4 * i];
    diff += std::bit_cast<uint32_t>(vv) != r[4 + 4 * i];
    const float gs = g[i] * (0.25f + 0.375f * static_cast<float>(i / 100));
    const float vs = (mu * v[i] + gs) + wd * w[i];
    scaled_diff += std::bit_cast<uint32_t>(w[i] - lr * vs) != r[5 + 4 * i];
    scaled_diff += std::bit_cast<uint32_t>(vs) != r[6 + 4 * i];
  }
  EXPECT_EQ(diff, 0);
  EXPECT_EQ(scaled_diff, 0);
}

}  // namespace
}  // namespace nibble
