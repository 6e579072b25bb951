// End-to-end behaviour of the trainer on the synthetic set: learning,
// determinism (same seed -> same bits), and a pinned regression figure.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "train_fixture.hpp"

namespace nibble::test {
namespace {

TEST(Trainer, Fp32LearnsTheSyntheticSet) {
  const RunResult r = short_run("fp32", 3, 1);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  EXPECT_GT(r.history.back().test_accuracy, 0.9);  // chance is 0.25
}

TEST(Trainer, Ibm4LearnsTheSyntheticSet) {
  const RunResult r = short_run("ibm4", 3, 1);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  EXPECT_GT(r.history.back().test_accuracy, 0.85);
}

TEST(Trainer, Hfp8LearnsTheSyntheticSet) {
  const RunResult r = short_run("hfp8", 3, 1);
  EXPECT_GT(r.history.back().test_accuracy, 0.85);
}

TEST(Trainer, Ibm4VariantsFromSetOverridesRun) {
  // Stochastic FP4 rounding, dynamic GradScale, single-phase rounding, MSE
  // weight scaling and a 4-bit last layer: every knob reaches the numerics and still trains.
  const data::Dataset train_set = data::make_synthetic(512, 12, 12, 4, 11, 0);
  const data::Dataset test_set = data::make_synthetic(128, 12, 12, 4, 11, 1);
  const train::Recipe recipe =
      recipe_named("ibm4", {"/optimizer/batch=32", "/ibm4/gradients/rounding=stochastic",
                            "/ibm4/gradients/grad_scale=dynamic", "/ibm4/gradients/two_phase=false",
                            "/ibm4/weights/scale=mse", "/precision/last_layer=ibm4"});
  train::Model model = train::Model::from_json(tiny_cnn_json(), "tiny_cnn", 1);
  train::SoftwareExecutor ex(recipe.gemm);
  train::Trainer t(model, recipe, ex, 1);
  for (int e = 1; e <= 3; ++e) t.train_epoch(train_set, e, 3);
  EXPECT_GT(t.evaluate(test_set).accuracy, 0.6);
  EXPECT_EQ(model.gemm_layers().back()->precision().name, "ibm4");
  EXPECT_EQ(model.gemm_layers().back()->precision().dw_phase, train::Phase::even);  // no TPR
}

TEST(Trainer, SameSeedSameBits) {
  for (const char* recipe : {"fp32", "ibm4"}) {
    const RunResult a = short_run(recipe, 1, 5), b = short_run(recipe, 1, 5);
    EXPECT_EQ(a.report, b.report) << recipe;
    ASSERT_EQ(a.fc1_weights.size(), b.fc1_weights.size());
    EXPECT_EQ(0, std::memcmp(a.fc1_weights.data(), b.fc1_weights.data(),
                             a.fc1_weights.size() * sizeof(float)))
        << recipe;
  }
}

TEST(Trainer, DifferentSeedDifferentRun) {
  const RunResult a = short_run("fp32", 1, 5), b = short_run("fp32", 1, 6);
  EXPECT_NE(a.report, b.report);
}

TEST(Trainer, QuantizedRunDiffersFromFp32) {
  // The recipe really changes the arithmetic (not silently FP32).
  const RunResult a = short_run("fp32", 1, 5), b = short_run("ibm4", 1, 5);
  EXPECT_FALSE(a.fc1_weights.isApprox(b.fc1_weights, 1e-6f));
}

TEST(Trainer, CosineScheduleEndsNearZero) {
  const auto recipe = recipe_named("fp32");
  train::Model model = train::Model::from_json(tiny_cnn_json(), "tiny", 1);
  train::SoftwareExecutor ex;
  train::Trainer t(model, recipe, ex, 1);
  EXPECT_DOUBLE_EQ(t.learning_rate(0, 100, 10), recipe.optimizer.lr);
  EXPECT_NEAR(t.learning_rate(50, 100, 10), recipe.optimizer.lr / 2, 1e-12);
  EXPECT_LT(t.learning_rate(99, 100, 10), recipe.optimizer.lr * 1e-3);
}

}  // namespace
}  // namespace nibble::test
