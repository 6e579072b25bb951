#pragma once
#include "workloads/trainer/layer.hpp"

namespace nibble::train {

// Batch normalisation per channel over (batch, H, W). Training uses the
// batch statistics and updates running ones; evaluation uses running ones.
class BatchNorm : public Layer {
 public:
  BatchNorm(std::string name, Shape s, float momentum, float eps);
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;
  void collect_params(std::vector<Param*>& out) override;
  bool output_nonnegative(bool) const override { return false; }

 private:
  float momentum_, eps_;
  Param gamma_, beta_;
  Vec running_mean_, running_var_;
  Mat xhat_;     // normalised input of the last training forward
  Vec inv_std_;  // per channel
};

}  // namespace nibble::train
