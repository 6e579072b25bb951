// ONNX import: models built here with the protobuf API, written to a temp
// file, imported; shapes and MACs checked against values worked out by hand
// in the comments (conv MACs = N*P*Q*K_out*(C/groups)*R*S).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "tests/workloads/onnx_model_builder.hpp"
#include "tests/workloads/test_util.hpp"
#include "workloads/importers/onnx_model.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::workload {
namespace {

using test::OnnxModelBuilder;

OnnxImport import(const OnnxModelBuilder& b, const std::string& name,
                  std::optional<uint64_t> batch = std::nullopt) {
  const std::string path = test::temp_dir("onnx") + "/" + name + ".onnx";
  b.write(path);
  return read_onnx_model(path, {.batch = batch});
}

// The InputError message of importing `b`, or "" if it imported.
std::string import_error(const OnnxModelBuilder& b, const std::string& name,
                         std::optional<uint64_t> batch = std::nullopt) {
  try {
    import(b, name, batch);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const ArchLayer& layer(const OnnxImport& im, const std::string& name) {
  for (const auto& l : im.net.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

uint64_t pass_macs(const Workload& w, Pass pass) {
  uint64_t total = 0;
  for (const auto& op : w.ops)
    if (op.pass == pass) total += macs(op);
  return total;
}

TEST(ImporterOnnx, ConvReluPoolGemmNet) {
  const auto im = import(test::tiny_cnn(), "tiny_cnn", 2);
  EXPECT_EQ(im.model_batch, 2u);
  EXPECT_EQ(im.opset, 13);
  EXPECT_EQ(im.shape_only_nodes, 1u);  // Flatten
  ASSERT_EQ(im.net.layers.size(), 5u);
  const auto& conv = layer(im, "conv");
  EXPECT_EQ(conv.type, ArchLayerType::conv2d);
  EXPECT_EQ(conv.conv, (Conv2dShape{.batch = 1,
                                    .in_channels = 3,
                                    .in_height = 8,
                                    .in_width = 8,
                                    .out_channels = 8,
                                    .kernel_h = 3,
                                    .kernel_w = 3,
                                    .stride = 1,
                                    .padding = 1,
                                    .groups = 1}));
  EXPECT_EQ(layer(im, "relu").vector.elements, 8u * 8 * 8);  // per sample
  EXPECT_EQ(layer(im, "relu").vector.function, "relu");
  EXPECT_EQ(layer(im, "pool").vector.elements, 8u * 8 * 8);  // pooling reads its input
  const auto& fc = layer(im, "fc");
  EXPECT_EQ(fc.type, ArchLayerType::linear);
  EXPECT_EQ(fc.in_features, 8u * 4 * 4);
  EXPECT_EQ(fc.out_features, 10u);
  EXPECT_EQ(fc.tokens, 1u);
  EXPECT_EQ(layer(im, "softmax").vector.elements, 10u);

  // Batch 2: conv 2*8*8 * 8 * 3*9 = 27648, fc 2 * 128 * 10 = 2560.
  const Workload fwd = generate_workload(im.net, {.batch = 2});
  EXPECT_EQ(pass_macs(fwd, Pass::forward), 27648u + 2560u);
  // Training: the first layer (conv) has no dX; dW repeats each forward GEMM.
  const Workload step = generate_workload(im.net, {.batch = 2, .training = true});
  EXPECT_EQ(pass_macs(step, Pass::dX), 2560u);
  EXPECT_EQ(pass_macs(step, Pass::dW), 27648u + 2560u);
  // First and last weight layers run in FP16 (the recipe, as for library nets).
  for (const auto& op : step.ops)
    if (op.is_matrix()) {
      EXPECT_EQ(op.precision, Precision::fp16) << op.name;
    }
}

TEST(ImporterOnnx, DepthwiseAndGroupedConv) {
  OnnxModelBuilder b;
  b.input("x", {1, 16, 10, 10}).weight("dw.w", {16, 1, 3, 3}).weight("pw.w", {32, 4, 1, 1});
  auto& dw = b.node("Conv", "dw", {"x", "dw.w"}, {"d"});
  OnnxModelBuilder::integer(dw, "group", 16);
  OnnxModelBuilder::ints(dw, "strides", {2, 2});
  OnnxModelBuilder::ints(dw, "pads", {1, 1, 1, 1});
  auto& pw = b.node("Conv", "pw", {"d", "pw.w"}, {"y"});
  OnnxModelBuilder::integer(pw, "group", 4);
  b.output("y");
  const auto im = import(b, "grouped");
  EXPECT_EQ(im.model_batch, 1u);
  const Conv2dShape& d = layer(im, "dw").conv;
  EXPECT_EQ(d.groups, 16u);
  EXPECT_EQ(d.out_height(), 5u);  // (10 + 2 - 3) / 2 + 1
  // 16 GEMMs of M = 5*5, K = 1*3*3, N = 1.
  EXPECT_EQ(lower_conv(d), (GemmShape{.m = 25, .n = 1, .k = 9, .count = 16}));
  const Conv2dShape& p = layer(im, "pw").conv;
  EXPECT_EQ(p.in_channels, 16u);
  EXPECT_EQ(p.out_channels, 32u);
  // 4 GEMMs of M = 25, K = 16/4, N = 32/4: 3200 MACs.
  EXPECT_EQ(lower_conv(p), (GemmShape{.m = 25, .n = 8, .k = 4, .count = 4}));
  EXPECT_EQ(pass_macs(generate_workload(im.net, {.batch = 1}), Pass::forward), 3600u + 3200u);
}

TEST(ImporterOnnx, AsymmetricPaddingKeepsTheOutputShape) {
  // TF "SAME" style: pads end only, 8x8 stride 2 -> (8 + 1 - 3) / 2 + 1 = 4.
  // Symmetric padding 1 gives the same 4x4 output, hence the same MACs.
  OnnxModelBuilder b;
  b.input("x", {1, 2, 8, 8}).weight("w", {4, 2, 3, 3});
  auto& c = b.node("Conv", "c", {"x", "w"}, {"y"});
  OnnxModelBuilder::ints(c, "strides", {2, 2});
  OnnxModelBuilder::ints(c, "pads", {0, 0, 1, 1});
  b.output("y");
  const Conv2dShape s = import(b, "asym").net.layers.at(0).conv;
  EXPECT_EQ(s.padding, 1u);
  EXPECT_EQ(s.out_height(), 4u);
  EXPECT_EQ(lower_conv(s).macs(), 16u * 4 * 2 * 9);

  // A 1-D conv with padding: no symmetric 2-D padding keeps height 1, so
  // the padding is folded into the width: 10 + 2 = 12, output 10.
  OnnxModelBuilder b1;
  b1.input("x", {1, 4, 10}).weight("w", {6, 4, 3});
  auto& c1 = b1.node("Conv", "c1", {"x", "w"}, {"y"});
  OnnxModelBuilder::ints(c1, "pads", {1, 1});
  b1.output("y");
  const Conv2dShape s1 = import(b1, "conv1d").net.layers.at(0).conv;
  EXPECT_EQ(s1.in_height, 1u);
  EXPECT_EQ(s1.in_width, 12u);
  EXPECT_EQ(s1.padding, 0u);
  EXPECT_EQ(s1.out_width(), 10u);
  EXPECT_EQ(lower_conv(s1).macs(), 10u * 6 * 4 * 3);
}

TEST(ImporterOnnx, BatchedMatMulAndWeightMatMul) {
  OnnxModelBuilder b;
  b.input("q", {2, 4, 16, 8}).input("k", {2, 4, 8, 16}).weight("w", {16, 32});
  b.node("MatMul", "scores", {"q", "k"}, {"s"});
  b.node("MatMul", "proj", {"s", "w"}, {"y"});
  b.output("y");
  const auto im = import(b, "matmul");
  EXPECT_EQ(im.model_batch, 2u);
  const auto& scores = layer(im, "scores");
  EXPECT_EQ(scores.type, ArchLayerType::matmul);
  // 2*4 products per batch, 4 per sample.
  EXPECT_EQ(scores.matmul, (GemmShape{.m = 16, .n = 16, .k = 8, .count = 4}));
  const auto& proj = layer(im, "proj");
  EXPECT_EQ(proj.type, ArchLayerType::linear);
  EXPECT_EQ(proj.tokens, 4u * 16);  // rows of one sample: 4 heads x 16
  EXPECT_EQ(proj.in_features, 16u);
  EXPECT_EQ(proj.out_features, 32u);
  const Workload w = generate_workload(im.net, {.batch = 2});
  // scores 8 * 16*16*8 = 16384; proj 2*64 rows * 16 * 32 = 65536.
  EXPECT_EQ(pass_macs(w, Pass::forward), 16384u + 65536u);
}

TEST(ImporterOnnx, ReshapeAndFlattenAroundGemmWithSymbolicBatch) {
  // x[N,4,3,3] -Reshape[0,-1]-> [N,36] -Gemm-> [N,20] -Reshape(Concat(
  // Gather(Shape(x),0), [4,5]))-> [N,4,5] -Flatten-> [N,20] -Softmax.
  OnnxModelBuilder b;
  b.input("x", {-1, 4, 3, 3}).weight("w", {36, 20}).weight("bias", {20});
  b.int64s("flat", {0, -1}).int64s("zero", {0}).int64s("tail", {4, 5});
  b.node("Reshape", "reshape1", {"x", "flat"}, {"r1"});
  b.node("Gemm", "fc", {"r1", "w", "bias"}, {"g"});
  b.node("Shape", "shape", {"x"}, {"xs"});
  auto& gather = b.node("Gather", "gather", {"xs", "zero"}, {"n"});
  OnnxModelBuilder::integer(gather, "axis", 0);
  auto& cat = b.node("Concat", "concat", {"n", "tail"}, {"target"});
  OnnxModelBuilder::integer(cat, "axis", 0);
  b.node("Reshape", "reshape2", {"g", "target"}, {"r2"});
  b.node("Flatten", "flatten", {"r2"}, {"f"});
  b.node("Softmax", "softmax", {"f"}, {"y"});
  b.output("y");
  const auto im = import(b, "reshape", 3);
  EXPECT_EQ(im.model_batch, 3u);
  EXPECT_EQ(im.shape_only_nodes, 6u);  // 2 Reshape, Flatten, Shape, Gather, Concat
  ASSERT_EQ(im.net.layers.size(), 2u);
  const auto& fc = layer(im, "fc");
  EXPECT_EQ(fc.in_features, 36u);
  EXPECT_EQ(fc.out_features, 20u);
  EXPECT_EQ(fc.tokens, 1u);
  EXPECT_EQ(layer(im, "softmax").vector.elements, 20u);
  const Workload w = generate_workload(im.net, {.batch = 3});
  EXPECT_EQ(pass_macs(w, Pass::forward), 3u * 36 * 20);
}

TEST(ImporterOnnx, FixedBatchIsDividedOut) {
  OnnxModelBuilder b;
  b.input("x", {4, 16}).weight("w", {16, 8});
  b.node("Gemm", "fc", {"x", "w"}, {"y"});
  b.output("y");
  const auto im = import(b, "fixed", 32);  // --batch does not override a fixed batch
  EXPECT_EQ(im.model_batch, 4u);
  EXPECT_EQ(layer(im, "fc").tokens, 1u);

  // Rows that do not split into the model batch: [4,16] -> [2,32] -> Gemm.
  OnnxModelBuilder r;
  r.input("x", {4, 16}).weight("w", {32, 8}).int64s("to", {2, 32});
  r.node("Reshape", "fold", {"x", "to"}, {"f"});
  r.node("Gemm", "fc", {"f", "w"}, {"y"});
  r.output("y");
  const std::string err = import_error(r, "fold");
  EXPECT_NE(err.find("node 'fc' (Gemm): row count 2 does not divide by the model batch 4"),
            std::string::npos)
      << err;
}

TEST(ImporterOnnx, WorkloadJsonRoundTrips) {
  const auto im = import(test::tiny_cnn(), "roundtrip", 4);
  const Workload w = generate_workload(im.net, {.batch = 4, .training = true});
  const std::string path = test::temp_dir("onnx_json") + "/w.json";
  write_workload(w, path);
  EXPECT_EQ(read_workload(path), w);
}

TEST(ImporterOnnx, UnsupportedOpIsNamed) {
  OnnxModelBuilder b;
  b.input("x", {1, 5, 8}).weight("W", {1, 64, 8}).weight("R", {1, 64, 16});
  b.node("LSTM", "rnn1", {"x", "W", "R"}, {"y"});
  b.output("y");
  const std::string err = import_error(b, "lstm");
  EXPECT_NE(err.find("lstm.onnx: node 'rnn1' has op type LSTM"), std::string::npos) << err;
  EXPECT_NE(err.find("supported: "), std::string::npos) << err;
  EXPECT_NE(err.find(" Conv "), std::string::npos) << err;

  OnnxModelBuilder c;
  c.input("x", {1, 4});
  c.node("FusedGemm", "fused", {"x"}, {"y"}).set_domain("com.microsoft");
  c.output("y");
  const std::string err2 = import_error(c, "custom");
  EXPECT_NE(err2.find("node 'fused' has op type com.microsoft::FusedGemm"), std::string::npos)
      << err2;
}

TEST(ImporterOnnx, BadFilesFailCleanly) {
  const std::string dir = test::temp_dir("onnx_bad");
  const std::string bytes = test::tiny_cnn().bytes();
  const std::string truncated = dir + "/truncated.onnx";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  try {
    read_onnx_model(truncated, {.batch = 1});
    FAIL() << "truncated model imported";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated.onnx: not an ONNX model"), std::string::npos)
        << e.what();
  }
  const std::string text = dir + "/text.onnx";
  std::ofstream(text) << "{\"format\": \"nibble-workload\"}\n";
  EXPECT_THROW(read_onnx_model(text), InputError);
  try {
    read_onnx_model(dir + "/missing.onnx");
    FAIL() << "missing file imported";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.onnx: no such file"), std::string::npos);
  }
}

TEST(ImporterOnnx, ShapeAndOpsetErrors) {
  // Symbolic batch without --batch.
  std::string err = import_error(test::tiny_cnn(), "nobatch");
  EXPECT_NE(err.find("graph input 'x': dimension 0 (the batch) is symbolic ('N'); give --batch"),
            std::string::npos)
      << err;
  // A symbolic dimension other than the batch.
  OnnxModelBuilder b;
  b.input("x", {1, -1}).weight("w", {16, 8});
  b.node("Gemm", "fc", {"x", "w"}, {"y"});
  b.output("y");
  err = import_error(b, "seq", 1);
  EXPECT_NE(err.find("dimension 1 is symbolic ('N'); only dimension 0"), std::string::npos) << err;
  // Opset newer than the library.
  auto future = test::tiny_cnn();
  future.model().mutable_opset_import(0)->set_version(onnx_max_opset() + 1);
  err = import_error(future, "future", 1);
  EXPECT_NE(err.find(fmt::format("opset {} is newer", onnx_max_opset() + 1)), std::string::npos)
      << err;
  // Dilation.
  OnnxModelBuilder d;
  d.input("x", {1, 2, 8, 8}).weight("w", {4, 2, 3, 3});
  OnnxModelBuilder::ints(d.node("Conv", "dil", {"x", "w"}, {"y"}), "dilations", {2, 2});
  d.output("y");
  err = import_error(d, "dilated");
  EXPECT_NE(err.find("node 'dil' (Conv): dilation 2; only dilation 1"), std::string::npos) << err;
  // Inconsistent shapes: ONNX shape inference refuses, we report it.
  OnnxModelBuilder m;
  m.input("x", {1, 16}).weight("w", {8, 8});
  m.node("MatMul", "mm", {"x", "w"}, {"y"});
  m.output("y");
  err = import_error(m, "mismatch");
  EXPECT_NE(err.find("mismatch.onnx: ONNX shape inference failed"), std::string::npos) << err;
}

// tests/data/onnx/tiny_cnn.onnx (used by tests/scripts/import_onnx.sh) is
// tiny_cnn() serialized; NIBBLE_REGEN_ONNX=1 rewrites it.
TEST(ImporterOnnx, CheckedInFixtureMatchesBuilder) {
  const std::string path = test::source_path("tests/data/onnx/tiny_cnn.onnx");
  const std::string bytes = test::tiny_cnn().bytes();
  if (std::getenv("NIBBLE_REGEN_ONNX")) test::tiny_cnn().write(path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), bytes) << path << " is stale: rerun with NIBBLE_REGEN_ONNX=1";
}

// Issue 18: attributes and dimensions are range-checked before ONNX shape
// inference (which divides by strides) and before any MAC arithmetic.
TEST(ImporterOnnx, ZeroStridesAndHugeDimensionsAreInputErrors) {
  for (const char* op : {"Conv", "MaxPool"}) {
    OnnxModelBuilder b;
    b.input("x", {1, 2, 8, 8});
    if (std::string(op) == "Conv") b.weight("w", {4, 2, 3, 3});
    auto& n = std::string(op) == "Conv" ? b.node(op, "n0", {"x", "w"}, {"y"})
                                        : b.node(op, "n0", {"x"}, {"y"});
    OnnxModelBuilder::ints(n, "strides", {0, 0});
    if (std::string(op) == "MaxPool") OnnxModelBuilder::ints(n, "kernel_shape", {2, 2});
    b.output("y");
    const std::string err = import_error(b, std::string("stride0_") + op);
    EXPECT_NE(err.find(fmt::format("node 'n0' ({}): attribute strides: expected values in [1, "
                                   "65536], found 0",
                                   op)),
              std::string::npos)
        << err;
  }
  for (const int64_t big : {int64_t{1} << 32, int64_t{1} << 40}) {
    OnnxModelBuilder b;
    b.input("x", {1, big}).weight("w", {big, 8});
    b.node("Gemm", "fc", {"x", "w"}, {"y"});
    b.output("y");
    const std::string err = import_error(b, "huge");
    EXPECT_NE(err.find(fmt::format("expected a dimension in [0, 2147483647], found {}", big)),
              std::string::npos)
        << err;
  }
}

// Two shapes of the Conv that crashed ONNX 1.12's shape inference (fuzzing,
// tests/data/fuzz_regressions/onnx): each is now a named input error.
TEST(ImporterOnnx, ConvSchemaAndKernelRankAreCheckedBeforeShapeInference) {
  {
    OnnxModelBuilder b;
    b.input("x", {1, 2, 8, 8}).weight("w", {4, 2, 3, 3});
    auto& n = b.node("Conv", "c0", {"x", "w"}, {"y"});
    OnnxModelBuilder::ints(n, "kernegrouppe", {3, 3});
    b.output("y");
    const std::string err = import_error(b, "unknown_attr");
    EXPECT_NE(err.find("node 'c0' (Conv) breaks its ONNX schema: Unrecognized attribute: "
                       "kernegrouppe"),
              std::string::npos)
        << err;
  }
  {
    OnnxModelBuilder b;
    b.input("x", {8, 8}).weight("w", {4, 2, 3, 3});  // rank-2 input, 2-D kernel
    b.node("Conv", "c0", {"x", "w"}, {"y"});
    b.output("y");
    const std::string err = import_error(b, "kernel_rank");
    EXPECT_NE(err.find("kernel_shape has incorrect size"), std::string::npos) << err;
  }
  {
    OnnxModelBuilder b;
    b.input("x", {1, 2, 8, 8}).input("w", {4, 2, 3, 3});  // weight not an initializer
    b.node("Conv", "c0", {"x", "w"}, {"y"});
    b.output("y");
    const std::string err = import_error(b, "dynamic_weight");
    EXPECT_NE(err.find("node 'c0' (Conv) has no kernel_shape attribute and its weight 'w' is "
                       "not an initializer"),
              std::string::npos)
        << err;
  }
}

}  // namespace
}  // namespace nibble::workload
