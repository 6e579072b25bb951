// The mxfp4 and nvfp4 recipes (issue 16): the shipped files resolve to the
// published choices, bad values are rejected with the file and the JSON
// pointer, and a linear layer's GEMM operands are blocked along each GEMM's
// own K axis, checked against numerics called directly on the transposed
// tensors.
#include <gtest/gtest.h>

#include <bit>
#include <random>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/hadamard.hpp"
#include "test_util.hpp"
#include "workloads/trainer/linear.hpp"
#include "workloads/trainer/recipe.hpp"
#include "workloads/trainer/software_executor.hpp"

namespace nibble::train {
namespace {

using nlohmann::json;

std::string recipe_error(const std::string& text) {
  try {
    Recipe::from_json(json::parse(text), "r.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

Recipe shipped(const std::string& name) {
  return Recipe::load(test::source_path("configs/recipes/" + name + ".json"), {});
}

TEST(BlockFp4Recipe, Nvfp4FollowsNvidiasRecipe) {
  const Recipe r = shipped("nvfp4");
  EXPECT_EQ(r.name, "nvfp4");
  EXPECT_EQ(r.default_precision, "nvfp4");
  EXPECT_EQ(r.first_layer, "fp16");
  EXPECT_EQ(r.last_layer, "fp16");
  const LayerPrecision& p = r.precision("nvfp4");
  for (const QuantSpec* s : {&p.weights, &p.activations, &p.gradients}) {
    EXPECT_EQ(s->format, Format::nvfp4);
    EXPECT_EQ(s->block_size, 16);
  }
  EXPECT_TRUE(p.weights.tiles_2d);
  EXPECT_FALSE(p.activations.tiles_2d);
  EXPECT_FALSE(p.gradients.tiles_2d);
  EXPECT_EQ(p.weights.rounding, "nearest");
  EXPECT_EQ(p.activations.rounding, "nearest");
  EXPECT_EQ(p.gradients.rounding, "stochastic");
  EXPECT_TRUE(p.dw_hadamard);
  EXPECT_EQ(p.hadamard_sign_mask, num::kTeWgradSignMask);
}

TEST(BlockFp4Recipe, Mxfp4UsesOcpBlocks) {
  const Recipe r = shipped("mxfp4");
  const LayerPrecision& p = r.precision("mxfp4");
  for (const QuantSpec* s : {&p.weights, &p.activations, &p.gradients}) {
    EXPECT_EQ(s->format, Format::mxfp4);
    EXPECT_EQ(s->block_size, 32);
    EXPECT_EQ(s->scale_rounding, "floor");
    EXPECT_FALSE(s->tiles_2d);
  }
  EXPECT_EQ(p.gradients.rounding, "stochastic");
  EXPECT_TRUE(p.dw_hadamard);
}

TEST(BlockFp4Recipe, EveryKnobIsSwitchable) {
  const Recipe r =
      Recipe::load(test::source_path("configs/recipes/nvfp4.json"),
                   {"/nvfp4/weights/tiles_2d=false", "/nvfp4/gradients/rounding=nearest",
                    "/nvfp4/hadamard/dw_operands=false", "/precision/first_layer=nvfp4"});
  const LayerPrecision& p = r.precision("nvfp4");
  EXPECT_FALSE(p.weights.tiles_2d);
  EXPECT_EQ(p.gradients.rounding, "nearest");
  EXPECT_FALSE(p.dw_hadamard);
  EXPECT_EQ(r.first_layer, "nvfp4");
  const Recipe s = Recipe::load(
      test::source_path("configs/recipes/mxfp4.json"),
      {"/mxfp4/hadamard/signs=seeded", "/mxfp4/hadamard/seed=7", "/mxfp4/scale_rounding=ceil",
       "/mxfp4/block_size=16", "/mxfp4/weights/tiles_2d=true"});
  const LayerPrecision& q = s.precision("mxfp4");
  EXPECT_EQ(q.hadamard_sign_mask, num::hadamard_sign_mask(7));
  EXPECT_EQ(q.weights.scale_rounding, "ceil");
  EXPECT_EQ(q.activations.block_size, 16);
  EXPECT_TRUE(q.weights.tiles_2d);
}

TEST(BlockFp4Recipe, BadValuesNameFilePointerExpectedAndFound) {
  struct Case {
    const char* text;
    const char* pointer;
    const char* expected;
  } cases[] = {
      {R"({"name": "x", "mxfp4": {"weights": {"tiles_2d": true}}})",
       "r.json: /mxfp4/weights/tiles_2d", "16x16 tiles need block_size 16"},
      {R"({"name": "x", "nvfp4": {"block_size": 32}})", "r.json: /nvfp4/block_size",
       "an integer in [16, 16]"},
      {R"({"name": "x", "mxfp4": {"block_size": 24}})", "r.json: /mxfp4/block_size", "16 or 32"},
      {R"({"name": "x", "nvfp4": {"gradients": {"rounding": "up"}}})",
       "r.json: /nvfp4/gradients/rounding", "\"up\""},
      {R"({"name": "x", "mxfp4": {"scale_rounding": "nearest"}})", "r.json: /mxfp4/scale_rounding",
       "floor"},
      {R"({"name": "x", "nvfp4": {"scale_rounding": "floor"}})", "r.json: /nvfp4/scale_rounding",
       "unknown key"},
      {R"({"name": "x", "nvfp4": {"hadamard": {"sign": "te"}}})", "r.json: /nvfp4/hadamard/sign",
       "unknown key"},
      {R"({"name": "x", "nvfp4": {"weights": {"tiles_2d": 1}}})", "r.json: /nvfp4/weights/tiles_2d",
       "true or false"},
      {R"({"name": "x", "precision": {"default": "nvfp8"}})", "r.json: /precision/default",
       "nvfp4"},
  };
  for (const Case& c : cases) {
    const std::string e = recipe_error(c.text);
    EXPECT_NE(e.find(c.pointer), std::string::npos) << c.text << " -> " << e;
    EXPECT_NE(e.find(c.expected), std::string::npos) << c.text << " -> " << e;
  }
}

// Records the operands of every GEMM (copies) on top of the software executor.
class Recorder : public SoftwareExecutor {
 public:
  Mat gemm(const GemmOp& op) override {
    Mat c = SoftwareExecutor::gemm(op);
    ops.push_back({op.pass, *op.a, *op.b, c});
    return c;
  }
  struct Rec {
    Pass pass;
    QTensor a, b;
    Mat c;
  };
  std::vector<Rec> ops;
};

// x (rows x cols) transposed, Hadamard along the new rows if asked, then
// quantized with numerics directly.
num::BlockFp4Tensor reference_blocks(const Mat& x, bool transpose, bool hadamard, uint16_t mask,
                                     const num::BlockFp4Config& c) {
  const Mat t = transpose ? Mat(x.transpose()) : x;
  std::vector<float> v(t.data(), t.data() + t.size());
  if (hadamard)
    for (Eigen::Index r = 0; r < t.rows(); ++r)
      num::hadamard16_inplace(std::span<float>(v).subspan(size_t(r * t.cols()), size_t(t.cols())),
                              mask);
  return num::quantize_block_fp4(v, int(t.rows()), int(t.cols()), c);
}

TEST(BlockFp4Recipe, LinearLayerBlocksEachGemmAlongItsOwnK) {
  const Recipe r = shipped("nvfp4");
  const LayerPrecision& p = r.precision("nvfp4");
  std::mt19937_64 rng(5);
  const int batch = 40, in = 48, out = 24;  // ragged: 40 = 2.5 blocks of 16
  Linear fc("fc", Shape{in, 1, 1}, out, false, rng);
  fc.set_precision(p, true);
  Mat x(batch, in), dy(batch, out);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = std::max(0.0f, nd(rng));
  for (Eigen::Index i = 0; i < dy.size(); ++i) dy.data()[i] = 1e-3f * nd(rng);
  Recorder ex;
  StepContext ctx{&ex, true, 3};
  fc.forward(x, ctx);
  fc.backward(dy, ctx);
  ASSERT_EQ(ex.ops.size(), 3u);
  num::BlockFp4Config tile{.format = num::BlockFormat::nvfp4, .block_size = 16, .tiles_2d = true};
  num::BlockFp4Config row{.format = num::BlockFormat::nvfp4, .block_size = 16};
  const Mat& w = fc.weight().value;
  const auto& fwd = ex.ops[0];
  EXPECT_EQ(fwd.pass, Pass::forward);
  EXPECT_EQ(fwd.a.blocks.codes, reference_blocks(x, false, false, 0, row).codes);   // X along in
  EXPECT_EQ(fwd.b.blocks.codes, reference_blocks(w, false, false, 0, tile).codes);  // W along in
  const auto& dw = ex.ops[1];
  EXPECT_EQ(dw.pass, Pass::grad_weight);
  // dW = dY^T X: K is the batch; both operands transposed and Hadamard-rotated.
  const num::BlockFp4Tensor xt = reference_blocks(x, true, true, num::kTeWgradSignMask, row);
  EXPECT_EQ(dw.b.blocks.codes, xt.codes);
  EXPECT_EQ(dw.b.blocks.scale_codes, xt.scale_codes);
  EXPECT_EQ(dw.a.blocks.rows, out);
  EXPECT_EQ(dw.a.blocks.cols, batch);
  const auto& dx = ex.ops[2];
  EXPECT_EQ(dx.pass, Pass::grad_input);
  // dX = dY W: K is `out`; with 16x16 tiles W^T's codes are W's transposed.
  const num::BlockFp4Tensor wt = reference_blocks(w, true, false, 0, tile);
  EXPECT_EQ(dx.b.blocks.codes, wt.codes);
  EXPECT_EQ(dx.b.blocks.scale_codes, wt.scale_codes);
  for (int i = 0; i < out; ++i)
    for (int k = 0; k < in; ++k)
      ASSERT_EQ(fwd.b.blocks.codes[size_t(i * in + k)], dx.b.blocks.codes[size_t(k * out + i)]);
  // Each result is numerics' sequential reference GEMM of the recorded blocks.
  for (const auto& op : ex.ops) {
    std::vector<uint16_t> ref(size_t(op.c.size()));
    num::gemm_block_fp4_ref(op.a.blocks, op.b.blocks, nullptr, ref.data());
    for (size_t i = 0; i < ref.size(); ++i)
      ASSERT_EQ(std::bit_cast<uint32_t>(num::fp16_to_fp32(ref[i])),
                std::bit_cast<uint32_t>(op.c.data()[i]))
          << to_string(op.pass) << " " << i;
  }
}

}  // namespace
}  // namespace nibble::train
