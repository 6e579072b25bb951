#pragma once
#include "workloads/trainer/layer.hpp"

namespace nibble::train {

class Relu : public Layer {
 public:
  Relu(std::string name, Shape s) : Layer(std::move(name), s, s) {}
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;
  bool output_nonnegative(bool) const override { return true; }

 private:
  Mat mask_;  // 1 where x > 0
};

}  // namespace nibble::train
