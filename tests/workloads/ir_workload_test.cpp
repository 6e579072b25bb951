// The workload IR: conv lowering (im2col dimensions, groups, depthwise) and
// the strict JSON format (round trip; every error names file + JSON pointer).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hw_models/numerics/errors.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::workload {
namespace {

using ::testing::HasSubstr;

TEST(IrLowering, ConvIm2colDimensions) {
  // ResNet conv1: 224x224x3, 64 filters 7x7, stride 2, pad 3 -> 112x112.
  const Conv2dShape c{.batch = 2,
                      .in_channels = 3,
                      .in_height = 224,
                      .in_width = 224,
                      .out_channels = 64,
                      .kernel_h = 7,
                      .kernel_w = 7,
                      .stride = 2,
                      .padding = 3,
                      .groups = 1};
  EXPECT_EQ(c.out_height(), 112u);
  EXPECT_EQ(lower_conv(c), (GemmShape{.m = 2 * 112 * 112, .n = 64, .k = 3 * 49, .count = 1}));
}

TEST(IrLowering, DepthwiseIsOneTinyGemmPerChannel) {
  const Conv2dShape dw{.batch = 1,
                       .in_channels = 32,
                       .in_height = 10,
                       .in_width = 10,
                       .out_channels = 32,
                       .kernel_h = 3,
                       .kernel_w = 3,
                       .stride = 1,
                       .padding = 1,
                       .groups = 32};
  const GemmShape g = lower_conv(dw);
  EXPECT_EQ(g, (GemmShape{.m = 100, .n = 1, .k = 9, .count = 32}));
  // MACs equal the direct count: every output pixel of every channel reads 9 inputs.
  EXPECT_EQ(g.macs(), 32u * 100 * 9);
}

TEST(IrLowering, GroupsMustDivideChannels) {
  const Conv2dShape bad{.batch = 1,
                        .in_channels = 6,
                        .in_height = 4,
                        .in_width = 4,
                        .out_channels = 8,
                        .kernel_h = 1,
                        .kernel_w = 1,
                        .stride = 1,
                        .padding = 0,
                        .groups = 4};
  EXPECT_THROW(lower_conv(bad), InputError);
}

Workload sample() {
  Workload w;
  w.name = "t";
  w.batch = 4;
  w.training = true;
  Op conv = make_op("c.fwd", "c", OpType::conv2d, Pass::forward);
  conv.precision = Precision::fp16;
  conv.conv = {.batch = 4,
               .in_channels = 3,
               .in_height = 8,
               .in_width = 8,
               .out_channels = 4,
               .kernel_h = 3,
               .kernel_w = 3,
               .stride = 1,
               .padding = 1,
               .groups = 1};
  conv.a = operand("c.x", false, true);
  conv.b = operand("c.w");
  Op dw = make_op("c.dW", "c", OpType::gemm, Pass::dW);
  dw.precision = Precision::int4_fp4;
  dw.gemm = {.m = 27, .n = 4, .k = 256, .count = 1};
  dw.a = operand("c.x", true, true);
  dw.b = operand("c.dy");
  Op q = make_op("c.q_dy", "c", OpType::quantize, Pass::dX);
  q.quantize = {.to = "fp4", .elements = 1024, .phases = 2};
  Op u = make_op("c.update", "c", OpType::vector, Pass::weight_update);
  u.vector = {.function = "sgd_momentum", .elements = 108, .format = "fp32"};
  w.ops = {conv, dw, q, u};
  return w;
}

TEST(IrJson, RoundTripIsExact) {
  const Workload w = sample();
  EXPECT_EQ(workload_from_json(to_json(w), "mem"), w);
}

// Mutates the sample's JSON and returns the reader's error message.
template <typename F>
std::string error_of(F mutate) {
  Json j = to_json(sample());
  mutate(j);
  try {
    workload_from_json(j, "w.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(IrJson, ErrorsNameFileAndPointer) {
  EXPECT_THAT(error_of([](Json& j) { j["ops"][1]["mm"] = 3; }),
              HasSubstr("w.json: /ops/1/mm: expected one of the known keys"));
  EXPECT_THAT(error_of([](Json& j) { j["ops"][1]["m"] = -3; }),
              HasSubstr("w.json: /ops/1/m: expected an integer in [1, "));
  EXPECT_THAT(error_of([](Json& j) { j["ops"][0]["precision"] = "int8"; }),
              HasSubstr("/ops/0/precision: expected one of int4_int4"));
  EXPECT_THAT(error_of([](Json& j) { j["ops"][2]["to"] = "int2"; }), HasSubstr("/ops/2/to"));
  EXPECT_THAT(error_of([](Json& j) { j["ops"][1]["name"] = "c.fwd"; }),
              HasSubstr("/ops/1/name: duplicate op name"));
  EXPECT_THAT(error_of([](Json& j) { j["ops"][1]["a"]["transposed"] = "yes"; }),
              HasSubstr("/ops/1/a/transposed: expected true or false"));
  EXPECT_THAT(error_of([](Json& j) { j["ops"][0]["groups"] = 2; }),
              HasSubstr("/ops/0: conv with 3 input"));
  EXPECT_THAT(error_of([](Json& j) { j["version"] = 2; }), HasSubstr("/version"));
  EXPECT_THAT(error_of([](Json& j) { j.erase("ops"); }), HasSubstr("/ops: expected a value"));
}

TEST(IrJson, FileRoundTripAndSyntaxErrorLine) {
  const auto dir = std::filesystem::temp_directory_path() / "nibble_ir_test";
  std::filesystem::create_directories(dir);
  write_workload(sample(), dir / "w.json");
  EXPECT_EQ(read_workload(dir / "w.json"), sample());
  { std::ofstream(dir / "bad.json") << "{\n \"format\": \"nibble-workload\",\n oops\n}\n"; }
  try {
    read_workload(dir / "bad.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.json:3:"));
  }
  {
    std::ofstream(dir / "dup.json")
        << R"({"format": "nibble-workload", "ops": [{"m": 1, "m": 2}]})";
  }
  EXPECT_THROW(
      {
        try {
          read_workload(dir / "dup.json");
        } catch (const InputError& e) {
          EXPECT_THAT(e.what(), HasSubstr("dup.json: /ops/0/m: duplicate key"));
          throw;
        }
      },
      InputError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nibble::workload
