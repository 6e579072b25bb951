// Pins the outcome of a short deterministic run (synthetic set, tiny CNN,
// seed 3, 2 epochs of 3 steps: still far from converged, so the figures
// are sensitive to every bit of the arithmetic). A change here means the trainer's or the numerics'
// arithmetic changed: if intended, update the figures in the same change.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "train_fixture.hpp"

namespace nibble::test {
namespace {

void print_figures(const RunResult& r) {
  for (const auto& e : r.history)
    std::printf("  epoch %d: train_loss %.9f test_accuracy %.9f test_loss %.9f\n", e.epoch,
                e.train_loss, e.test_accuracy, e.test_loss);
}

TEST(Regression, Fp32ShortRun) {
  const RunResult r = short_run("fp32", 2, 3, 96);
  print_figures(r);
  EXPECT_EQ(r.history[1].test_accuracy, 94.0 / 128);  // 0.734375
  EXPECT_NEAR(r.history[1].train_loss, 0.678702765, 1e-6);
}

TEST(Regression, Ibm4PaperShortRun) {
  const RunResult r = short_run("ibm4_paper", 2, 3, 96);
  print_figures(r);
  EXPECT_EQ(r.history[1].test_accuracy, 88.0 / 128);  // 0.6875
  EXPECT_NEAR(r.history[1].train_loss, 0.876317589, 1e-6);
}

TEST(Regression, Ibm4ShortRun) {
  const RunResult r = short_run("ibm4", 2, 3, 96);
  print_figures(r);
  EXPECT_EQ(r.history[1].test_accuracy, 92.0 / 128);  // 0.71875
  EXPECT_NEAR(r.history[1].train_loss, 0.792651478, 1e-6);
}

}  // namespace
}  // namespace nibble::test
