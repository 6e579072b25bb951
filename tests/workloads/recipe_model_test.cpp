// Recipes and network definitions: the shipped files load, resolve to the
// intended per-layer formats, and bad input is rejected with the file and
// the JSON pointer.
#include <gtest/gtest.h>

#include <map>

#include "hw_models/numerics/errors.hpp"
#include "test_util.hpp"
#include "workloads/trainer/conv2d.hpp"
#include "workloads/trainer/json_reader.hpp"
#include "workloads/trainer/model.hpp"
#include "workloads/trainer/recipe.hpp"

namespace nibble::train {
namespace {

using nlohmann::json;

std::string recipe_error(const json& j) {
  try {
    Recipe::from_json(j, "r.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string model_error(const json& j) {
  try {
    Model::from_json(j, "m.json", 1);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Recipe, ShippedRecipesLoad) {
  for (const char* n : {"fp32", "fp16", "ibm4", "ibm4_paper", "hfp8", "mxfp4", "nvfp4"}) {
    const Recipe r =
        Recipe::load(test::source_path(std::string("configs/recipes/") + n + ".json"), {});
    EXPECT_EQ(r.name, n);
  }
}

TEST(Recipe, Fp16RecipePutsEveryGemmInFp16) {
  const Recipe r = Recipe::load(test::source_path("configs/recipes/fp16.json"), {});
  EXPECT_EQ(r.default_precision, "fp16");
  EXPECT_EQ(r.precision("fp16").weights.format, Format::fp16);
  EXPECT_EQ(r.precision("fp16").gradients.format, Format::fp16);
}

TEST(Recipe, Ibm4ResolvesTheIbmFormats) {
  const Recipe r = Recipe::load(test::source_path("configs/recipes/ibm4.json"), {});
  const LayerPrecision& p = r.precision("ibm4");
  EXPECT_EQ(p.weights.format, Format::int4);
  EXPECT_EQ(p.weights.scale_mode, "sawb");
  EXPECT_EQ(p.activations.format, Format::uint4);
  EXPECT_EQ(p.activations.scale_mode, "pact");
  EXPECT_EQ(p.gradients.format, Format::fp4_radix4);
  EXPECT_EQ(p.dx_phase, Phase::even);
  EXPECT_EQ(p.dw_phase, Phase::odd);
  EXPECT_EQ(r.first_layer, "fp16");
  EXPECT_EQ(r.last_layer, "fp16");
  EXPECT_EQ(r.precision("hfp8").weights.format, Format::hfp8_143);
  EXPECT_EQ(r.precision("hfp8").gradients.format, Format::hfp8_152);
  // The knobs the shipped recipe adds to the published one (docs/trainer.md).
  const Recipe paper = Recipe::load(test::source_path("configs/recipes/ibm4_paper.json"), {});
  const LayerPrecision& q = paper.precision("ibm4");
  EXPECT_EQ(q.weights.format, p.weights.format);
  EXPECT_EQ(q.gradients.format, p.gradients.format);
  EXPECT_EQ(q.gradients.rounding, "nearest");
  EXPECT_EQ(p.gradients.rounding, "stochastic");
  EXPECT_FALSE(q.gradients.dw_channel_scale);
  EXPECT_TRUE(p.gradients.dw_channel_scale);
  EXPECT_EQ(q.gradients.scale_mode, "max");
  EXPECT_EQ(p.gradients.scale_mode, "max");
}

TEST(Recipe, UnknownKeyNamesFileAndPointer) {
  const std::string e =
      recipe_error(json::parse(R"({"name": "x", "ibm4": {"gradients": {"phase_dx": "odd"}}})"));
  EXPECT_NE(e.find("r.json: /ibm4/gradients/phase_dx"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
}

TEST(Recipe, WrongTypeNamesExpectedAndFound) {
  const std::string e = recipe_error(json::parse(R"({"name": "x", "optimizer": {"lr": "fast"}})"));
  EXPECT_NE(e.find("/optimizer/lr"), std::string::npos) << e;
  EXPECT_NE(e.find("expected a number"), std::string::npos) << e;
  EXPECT_NE(e.find("\"fast\""), std::string::npos) << e;
}

TEST(Recipe, OutOfRangeAndBadEnum) {
  EXPECT_NE(recipe_error(json::parse(R"({"name": "x", "optimizer": {"batch": 0}})"))
                .find("/optimizer/batch"),
            std::string::npos);
  const std::string e =
      recipe_error(json::parse(R"({"name": "x", "precision": {"default": "int3"}})"));
  EXPECT_NE(e.find("one of fp32, fp16, hfp8, ibm4"), std::string::npos) << e;
  EXPECT_NE(recipe_error(json::parse(R"({"name": "x", "version": 2})")).find("/version"),
            std::string::npos);
  EXPECT_NE(recipe_error(json::parse(R"({"optimizer": {}})")).find("/name"), std::string::npos);
}

TEST(Recipe, SetOverridesAnyKnob) {
  const Recipe r = Recipe::load(test::source_path("configs/recipes/ibm4.json"),
                                {"/ibm4/gradients/dx_phase=odd", "/ibm4/gradients/dw_phase=even",
                                 "/optimizer/lr=0.2", "/precision/first_layer=ibm4"});
  EXPECT_EQ(r.precision("ibm4").dx_phase, Phase::odd);
  EXPECT_EQ(r.precision("ibm4").dw_phase, Phase::even);
  EXPECT_DOUBLE_EQ(r.optimizer.lr, 0.2);
  EXPECT_EQ(r.first_layer, "ibm4");
  EXPECT_EQ(r.effective["optimizer"]["lr"], 0.2);  // the report shows the effective recipe
}

TEST(Recipe, DwChannelScaleIsReadOffByDefault) {
  const std::string path = test::source_path("configs/recipes/ibm4_paper.json");
  EXPECT_FALSE(Recipe::load(path, {}).precision("ibm4").gradients.dw_channel_scale);
  EXPECT_TRUE(Recipe::load(path, {"/ibm4/gradients/dw_channel_scale=true"})
                  .precision("ibm4")
                  .gradients.dw_channel_scale);
  EXPECT_THROW(Recipe::load(path, {"/ibm4/gradients/dw_channel_scale=1"}), InputError);
}

TEST(Recipe, GradScaleTopLog2IsReadAndRangeChecked) {
  const std::string path = test::source_path("configs/recipes/ibm4.json");
  EXPECT_EQ(Recipe::load(path, {"/ibm4/gradients/grad_scale_top_log2=8"})
                .precision("ibm4")
                .gradients.grad_scale_top_log2,
            8);
  for (const char* bad :
       {"/ibm4/gradients/grad_scale_top_log2=5", "/ibm4/gradients/grad_scale_top_log2=19"}) {
    try {
      Recipe::load(path, {bad});
      FAIL() << "accepted " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("/ibm4/gradients/grad_scale_top_log2"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("[6, 18]"), std::string::npos) << e.what();
    }
  }
}

TEST(Recipe, SetWithMisspeltKeyIsRejected) {
  try {
    Recipe::load(test::source_path("configs/recipes/fp32.json"), {"/optimiser/lr=0.1"});
    FAIL() << "accepted a misspelt key";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/optimiser"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Recipe::load(test::source_path("configs/recipes/fp32.json"), {"optimizer/lr=0.1"}),
               InputError);
}

TEST(Model, ShippedNetsBuildWithExpectedShapes) {
  Model mlp = Model::load(test::source_path("workloads/nets/mlp.json"), 1);
  EXPECT_EQ(mlp.parameter_count(), 784u * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  EXPECT_EQ(mlp.gemm_layers().size(), 3u);
  Model cnn = Model::load(test::source_path("workloads/nets/cnn.json"), 1);
  EXPECT_EQ(cnn.gemm_layers().size(), 4u);
  EXPECT_EQ(cnn.gemm_layers()[2]->in_shape(), (Shape{64, 7, 7}));
  Model res = Model::load(test::source_path("workloads/nets/resnet8.json"), 1);
  EXPECT_EQ(res.gemm_layers().size(), 10u);  // stem, 3x2 convs, 2 projections, fc
  EXPECT_EQ(res.gemm_layers().back()->in_shape(), (Shape{64, 1, 1}));
}

// The published recipe keeps every other conv in 4 bits; the shipped ibm4
// also puts block 1 (the full-resolution convs) in HFP8.
TEST(Model, RecipeAssignsFirstLastAndPointwisePrecisions) {
  for (const char* name : {"ibm4_paper", "ibm4"}) {
    Model res = Model::load(test::source_path("workloads/nets/resnet8.json"), 1);
    res.apply_recipe(
        Recipe::load(test::source_path(std::string("configs/recipes/") + name + ".json"), {}));
    const bool block1_hfp8 = std::string(name) == "ibm4";
    for (GemmLayer* g : res.gemm_layers()) {
      const std::string& n = g->name();
      const auto* conv = dynamic_cast<Conv2d*>(g);
      if (n == "stem" || n == "fc")
        EXPECT_EQ(g->precision().name, "fp16") << name << " " << n;
      else if ((conv && conv->geometry().kernel == 1) ||
               (block1_hfp8 && n.rfind("b1_conv", 0) == 0))
        EXPECT_EQ(g->precision().name, "hfp8") << name << " " << n;
      else
        EXPECT_EQ(g->precision().name, "ibm4") << name << " " << n;
      // Post-ReLU inputs use UINT4 PACT; b1_conv1's input is post-ReLU.
      if (n == "b1_conv1" && !block1_hfp8) {
        EXPECT_EQ(g->precision().activations.format, Format::uint4);
      }
    }
  }
}

// full_resolution_conv takes the convolutions whose output keeps the input
// image's height and width: ResNet-8's block 1 (the stem is the first layer,
// whose rule wins); nothing in the CNN (conv2 follows a pooling); any conv
// of a net without stride or pooling.
TEST(Model, FullResolutionConvRuleTakesTheFirstStageOnly) {
  const Recipe r = Recipe::load(test::source_path("configs/recipes/ibm4.json"),
                                {"/precision/full_resolution_conv=mxfp4"});
  Model res = Model::load(test::source_path("workloads/nets/resnet8.json"), 1);
  res.apply_recipe(r);
  for (GemmLayer* g : res.gemm_layers()) {
    const std::string& n = g->name();
    const bool stage1 = n == "b1_conv1" || n == "b1_conv2";
    EXPECT_EQ(g->precision().name == "mxfp4", stage1) << n;
  }
  Model cnn = Model::load(test::source_path("workloads/nets/cnn.json"), 1);
  cnn.apply_recipe(r);
  for (GemmLayer* g : cnn.gemm_layers()) EXPECT_NE(g->precision().name, "mxfp4") << g->name();
  Model flat = Model::from_json(json::parse(R"({"name": "flat", "input": [1, 8, 8], "classes": 2,
      "layers": [{"type": "conv2d", "name": "a", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "relu"},
                 {"type": "conv2d", "name": "b", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "relu"},
                 {"type": "conv2d", "name": "c", "out_channels": 4, "kernel": 3, "padding": 0},
                 {"type": "avgpool", "global": true}, {"type": "linear", "name": "fc", "out": 2}]})"),
                                "flat.json", 1);
  flat.apply_recipe(r);
  std::vector<std::string> got;
  for (GemmLayer* g : flat.gemm_layers()) got.push_back(g->precision().name);
  EXPECT_EQ(got, (std::vector<std::string>{"fp16", "mxfp4", "ibm4", "fp16"}));
}

// PACT's initial clip: `pact_alpha_init_bn` for inputs that come through a
// BatchNorm since the previous GEMM on every path, `pact_alpha_init` for the
// others; without the key both are `pact_alpha_init`.
TEST(Model, PactInitialClipFollowsBatchNorm) {
  const auto alphas = [](Model& m, const Recipe& r) {
    m.apply_recipe(r);
    std::map<std::string, float> out;
    for (GemmLayer* g : m.gemm_layers())
      if (g->precision().name == "ibm4") out[g->name()] = g->pact_alpha();
    return out;
  };
  const std::string ibm4 = test::source_path("configs/recipes/ibm4_paper.json");
  const Recipe bn3 = Recipe::load(ibm4, {"/ibm4/activations/pact_alpha_init_bn=3"});
  Model res = Model::load(test::source_path("workloads/nets/resnet8.json"), 1);
  const auto res_alpha = alphas(res, bn3);
  EXPECT_EQ(res_alpha.size(), 6u);  // b1..b3 conv1/conv2; the 1x1 projections are hfp8
  for (const auto& [name, a] : res_alpha) EXPECT_EQ(a, 3.0f) << name;
  Model cnn = Model::load(test::source_path("workloads/nets/cnn.json"), 1);
  for (const auto& [name, a] : alphas(cnn, bn3)) EXPECT_EQ(a, 10.0f) << name;

  const json net = json::parse(R"({"name": "paths", "input": [1, 8, 8], "classes": 2,
      "layers": [{"type": "conv2d", "name": "a", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "batchnorm"}, {"type": "relu"},
                 {"type": "residual", "body": [
                    {"type": "conv2d", "name": "b", "out_channels": 4, "kernel": 3, "padding": 1},
                    {"type": "batchnorm"}]},
                 {"type": "relu"},
                 {"type": "conv2d", "name": "c", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "residual", "body": [
                    {"type": "conv2d", "name": "d", "out_channels": 4, "kernel": 3, "padding": 1},
                    {"type": "batchnorm"}],
                  "shortcut": [
                    {"type": "conv2d", "name": "e", "out_channels": 4, "kernel": 3, "padding": 1}]},
                 {"type": "relu"}, {"type": "maxpool", "kernel": 2},
                 {"type": "conv2d", "name": "f", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "avgpool", "global": true}, {"type": "linear", "name": "fc", "out": 2}]})");
  Model m = Model::from_json(net, "paths.json", 1);
  // b: after BN + ReLU; c: a residual of a BN body and the identity of a BN
  // input; d, e: after conv c; f: a residual whose shortcut has no BN.
  EXPECT_EQ(alphas(m, bn3),
            (std::map<std::string, float>{
                {"b", 3.0f}, {"c", 3.0f}, {"d", 10.0f}, {"e", 10.0f}, {"f", 10.0f}}));
  const Recipe plain = Recipe::load(ibm4, {"/ibm4/activations/pact_alpha_init=7"});
  for (const auto& [name, a] : alphas(m, plain)) EXPECT_EQ(a, 7.0f) << name;
}

// Per-channel weight grids go to the int4 GEMMs whose output goes straight
// into a BatchNorm (the builder decides from the graph), and to no other.
TEST(Model, ChannelGridsOnlyBeforeBatchNorm) {
  const auto grids = [](Model& m, const Recipe& r) {
    m.apply_recipe(r);
    std::map<std::string, bool> out;
    for (GemmLayer* g : m.gemm_layers()) out[g->name()] = g->precision().weights.channel_grids;
    return out;
  };
  const std::string ibm4 = test::source_path("configs/recipes/ibm4_paper.json");
  const Recipe on = Recipe::load(ibm4, {"/ibm4/weights/channel_grids_before_bn=true"});
  const Recipe off = Recipe::load(ibm4, {});
  Model res = Model::load(test::source_path("workloads/nets/resnet8.json"), 1);
  size_t with = 0;
  for (const auto& [name, g] : grids(res, on)) {
    // conv1 (first layer, fp16), the 1x1 projections (hfp8) and fc keep one scale.
    const bool interior = name.rfind("b", 0) == 0 && name.find("conv") != std::string::npos;
    EXPECT_EQ(g, interior) << name;
    with += g;
  }
  EXPECT_EQ(with, 6u);
  for (const auto& [name, g] : grids(res, off)) EXPECT_FALSE(g) << name;
  Model cnn = Model::load(test::source_path("workloads/nets/cnn.json"), 1);
  for (const auto& [name, g] : grids(cnn, on)) EXPECT_FALSE(g) << name << ": no BatchNorm";
  const json net = json::parse(R"({"name": "grids", "input": [1, 8, 8], "classes": 2,
      "layers": [{"type": "conv2d", "name": "a", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "conv2d", "name": "b", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "batchnorm"}, {"type": "relu"},
                 {"type": "conv2d", "name": "c", "out_channels": 4, "kernel": 3, "padding": 1},
                 {"type": "relu"}, {"type": "batchnorm"},
                 {"type": "residual", "body": [
                    {"type": "conv2d", "name": "d", "out_channels": 4, "kernel": 3, "padding": 1},
                    {"type": "batchnorm"}],
                  "shortcut": [
                    {"type": "conv2d", "name": "e", "out_channels": 4, "kernel": 1}]},
                 {"type": "batchnorm"},
                 {"type": "avgpool", "global": true}, {"type": "linear", "name": "fc", "out": 2}]})");
  Model m = Model::from_json(net, "grids.json", 1);
  // b, d: straight into a BatchNorm; c: a ReLU between; e: its residual sum
  // goes into the BatchNorm, not e alone; a, fc: first and last (fp16).
  const Recipe all4 = Recipe::load(
      ibm4, {"/ibm4/weights/channel_grids_before_bn=true", "/precision/first_layer=default",
             "/precision/pointwise_conv=default", "/precision/last_layer=default"});
  EXPECT_EQ(
      grids(m, all4),
      (std::map<std::string, bool>{
          {"a", false}, {"b", true}, {"c", false}, {"d", true}, {"e", false}, {"fc", false}}));
}

TEST(Model, SameSeedSameInitialWeights) {
  Model a = Model::load(test::source_path("workloads/nets/cnn.json"), 3);
  Model b = Model::load(test::source_path("workloads/nets/cnn.json"), 3);
  Model c = Model::load(test::source_path("workloads/nets/cnn.json"), 4);
  EXPECT_EQ(a.params()[0]->value, b.params()[0]->value);
  EXPECT_NE(a.params()[0]->value, c.params()[0]->value);
}

TEST(Model, BadDefinitionsAreRejected) {
  const json base = json::parse(R"({"name": "m", "input": [1, 8, 8], "classes": 2, "layers": []})");
  json j = base;
  j["layers"] = json::parse(R"([{"type": "dense", "out": 2}])");
  EXPECT_NE(model_error(j).find("m.json: /layers/0/type"), std::string::npos) << model_error(j);
  j["layers"] = json::parse(R"([{"type": "linear", "out": 3}])");
  EXPECT_NE(model_error(j).find("expected 2 classes"), std::string::npos) << model_error(j);
  j["layers"] = json::parse(R"([{"type": "conv2d", "out_channels": 2, "kernel": 9}])");
  EXPECT_NE(model_error(j).find("does not fit"), std::string::npos) << model_error(j);
  j["layers"] = json::parse(R"([{"type": "linear", "out": 2, "units": 4}])");
  EXPECT_NE(model_error(j).find("/layers/0/units"), std::string::npos) << model_error(j);
  j["layers"] = json::parse(
      R"([{"type": "linear", "name": "a", "out": 4}, {"type": "linear", "name": "a", "out": 2}])");
  EXPECT_NE(model_error(j).find("unique"), std::string::npos) << model_error(j);
}

}  // namespace
}  // namespace nibble::train
