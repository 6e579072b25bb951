// The workload library: published MAC counts of each network, the training
// step's structure (dX/dW shapes, transposes, saved activations) and the
// paper's precision recipe.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hw_models/numerics/errors.hpp"
#include "workloads/ir/arch_net.hpp"

namespace nibble::workload {
namespace {

std::filesystem::path net_path(const std::string& name) {
  return std::filesystem::path(NIBBLE_SOURCE_DIR) / "workloads/nets" / (name + ".json");
}

struct PassMacs {
  uint64_t fwd = 0, dx = 0, dw = 0;
  uint64_t total() const { return fwd + dx + dw; }
};

PassMacs pass_macs(const Workload& w) {
  PassMacs m;
  for (const auto& op : w.ops) {
    if (op.pass == Pass::forward) m.fwd += macs(op);
    if (op.pass == Pass::dX) m.dx += macs(op);
    if (op.pass == Pass::dW) m.dw += macs(op);
  }
  return m;
}

double forward_gmacs(const std::string& name, uint64_t batch = 1) {
  const auto w = generate_workload(read_arch_net(net_path(name)), {.batch = batch});
  return pass_macs(w).fwd / 1e9;
}

const Op& find(const Workload& w, const std::string& name) {
  for (const auto& op : w.ops)
    if (op.name == name) return op;
  throw std::runtime_error(fmt::format("no op {}", name));
}

// Published per-image figures (224x224): ResNet-50 4.1 G, ResNet-18 1.8 G,
// MobileNet-V2 0.30 G multiply-adds; BERT-base layer at 128 tokens:
// 128 * (4*768^2 + 2*768*3072) + 2*12*128^2*64 = 0.931 G.
TEST(LibraryNets, ForwardMacsMatchPublishedFigures) {
  EXPECT_NEAR(forward_gmacs("resnet50"), 4.09, 0.03);
  EXPECT_NEAR(forward_gmacs("resnet18"), 1.81, 0.02);
  EXPECT_NEAR(forward_gmacs("mobilenet_v2"), 0.300, 0.005);
  EXPECT_NEAR(forward_gmacs("bert_base_layer"), 0.9311, 0.0005);
}

// The trainer's Fashion-MNIST nets (docs/trainer.md format) lower too, with
// shapes inferred as the trainer does.
TEST(LibraryNets, TrainerFormatNets) {
  EXPECT_EQ(forward_gmacs("mlp") * 1e9, 784.0 * 256 + 256 * 128 + 128 * 10);
  // conv1 28x28x32x9, conv2 14x14x64x(32*9), fc1 (7*7*64)x128, fc2 128x10.
  EXPECT_EQ(forward_gmacs("cnn") * 1e9,
            28.0 * 28 * 32 * 9 + 14.0 * 14 * 64 * 288 + 3136.0 * 128 + 128 * 10);
  const auto w = generate_workload(read_arch_net(net_path("resnet8")), {.training = true});
  EXPECT_EQ(find(w, "b2_proj.fwd").conv.stride, 2u);
  EXPECT_EQ(find(w, "stem.fwd").precision, Precision::fp16);
}

TEST(LibraryNets, MacsScaleLinearlyWithBatch) {
  EXPECT_NEAR(forward_gmacs("resnet18", 32), 32 * forward_gmacs("resnet18"), 1e-6);
}

// A training step is forward + dX + dW: about 3x forward, a little less
// because the first layer needs no input gradient.
TEST(LibraryNets, TrainingStepIsAboutThreeTimesForward) {
  for (const char* name : {"resnet18", "resnet50", "mobilenet_v2"}) {
    const auto w = generate_workload(read_arch_net(net_path(name)), {.batch = 2, .training = true});
    const PassMacs m = pass_macs(w);
    EXPECT_EQ(m.dw, m.fwd) << name;
    const double ratio = static_cast<double>(m.total()) / m.fwd;
    EXPECT_GT(ratio, 2.85) << name;
    EXPECT_LT(ratio, 3.0) << name;
  }
}

TEST(LibraryNets, SeqLenParameterScalesTransformer) {
  const auto at = [](uint64_t s) {
    return pass_macs(
               generate_workload(read_arch_net(net_path("gpt2_small_block"), {{"seq_len", s}}), {}))
        .fwd;
  };
  // Linear layers are linear in S, attention matmuls quadratic.
  const uint64_t linear_per_token = 768 * 2304 + 768 * 768 + 2 * 768 * 3072;
  EXPECT_EQ(at(256), 256 * linear_per_token + 2ull * 12 * 256 * 256 * 64);
  EXPECT_THROW(read_arch_net(net_path("resnet18"), {{"seq_len", 4}}), InputError);
}

TEST(LibraryNets, TrainingOpsHaveTransposedOperandsAndSavedActivations) {
  const auto w =
      generate_workload(read_arch_net(net_path("resnet18")), {.batch = 4, .training = true});
  const Op& fwd = find(w, "layer1.0.conv1.fwd");
  const GemmShape f = *gemm_of(fwd);  // M = 4*56*56, N = 64, K = 64*9
  EXPECT_EQ(f, (GemmShape{.m = 4 * 56 * 56, .n = 64, .k = 576, .count = 1}));
  EXPECT_TRUE(fwd.a.saved);
  const Op& dx = find(w, "layer1.0.conv1.dX");
  EXPECT_EQ(dx.gemm, (GemmShape{.m = f.m, .n = f.k, .k = f.n, .count = 1}));
  EXPECT_EQ(dx.b.tensor, "layer1.0.conv1.w");
  EXPECT_TRUE(dx.b.transposed);
  const Op& dw = find(w, "layer1.0.conv1.dW");
  EXPECT_EQ(dw.gemm, (GemmShape{.m = f.k, .n = f.n, .k = f.m, .count = 1}));
  EXPECT_TRUE(dw.a.transposed && dw.a.saved);
  EXPECT_EQ(dw.a.tensor, fwd.a.tensor);
  EXPECT_EQ(find(w, "layer1.0.conv1.update").vector.elements, 64u * 64 * 9);
  EXPECT_EQ(find(w, "layer1.0.conv1.q_dy").quantize.phases, 2u);  // both TPR phases
  // The data has no gradient: conv1 gets dW but no dX.
  EXPECT_THROW(find(w, "conv1.dX"), std::runtime_error);
  EXPECT_EQ(find(w, "conv1.dW").pass, Pass::dW);
}

TEST(LibraryNets, PrecisionRecipe) {
  const auto net = read_arch_net(net_path("resnet50"));
  const auto w = generate_workload(net, {.batch = 1, .training = true, .hfp8_1x1 = true});
  EXPECT_EQ(find(w, "conv1.fwd").precision, Precision::fp16);  // first layer
  EXPECT_EQ(find(w, "fc.fwd").precision, Precision::fp16);     // last layer
  EXPECT_EQ(find(w, "fc.dW").precision, Precision::fp16);
  EXPECT_EQ(find(w, "layer1.0.conv2.fwd").precision, Precision::int4_int4);
  EXPECT_EQ(find(w, "layer1.0.conv2.dX").precision, Precision::int4_fp4);
  EXPECT_EQ(find(w, "layer1.0.conv2.dW").precision, Precision::int4_fp4);
  EXPECT_EQ(find(w, "layer1.0.conv1.fwd").precision, Precision::hfp8);  // 1x1, pinned
  EXPECT_EQ(find(w, "layer1.0.conv1.dW").precision, Precision::hfp8);
  const auto plain = generate_workload(net, {.batch = 1, .training = false});
  EXPECT_EQ(find(plain, "layer1.0.conv1.fwd").precision, Precision::int4_int4);
}

// A transformer block is an interior slice: no FP16 layers, and its first
// layer must still pass dX back to the blocks before it.
TEST(LibraryNets, InteriorBlockKeepsInt4AndFirstLayerDx) {
  const auto w =
      generate_workload(read_arch_net(net_path("bert_base_layer")), {.batch = 1, .training = true});
  EXPECT_EQ(find(w, "attn.q.fwd").precision, Precision::int4_int4);
  EXPECT_EQ(find(w, "attn.q.dX").pass, Pass::dX);
  // Attention matmuls: both operands are activations, two input gradients.
  EXPECT_EQ(find(w, "attn.scores.dA").gemm, (GemmShape{.m = 128, .n = 64, .k = 128, .count = 12}));
  EXPECT_EQ(find(w, "attn.scores.dB").gemm, (GemmShape{.m = 64, .n = 128, .k = 128, .count = 12}));
}

TEST(LibraryNets, ArchNetErrorsNamePointer) {
  const auto dir = std::filesystem::temp_directory_path() / "nibble_archnet_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "n.json") << R"({"format": "nibble-arch-net", "version": 1, "name": "n",
      "parameters": {"s": 4},
      "layers": [{"name": "l", "type": "linear", "in_features": 8, "out_features": "s*t"}]})";
  }
  try {
    read_arch_net(dir / "n.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/layers/0/out_features"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nibble::workload
