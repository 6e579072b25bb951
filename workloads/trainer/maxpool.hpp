#pragma once
#include <vector>

#include "workloads/trainer/layer.hpp"
#include "workloads/trainer/pool.hpp"

namespace nibble::train {

class MaxPool : public Layer {
 public:
  MaxPool(std::string name, Shape in, PoolGeometry g);
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;

 private:
  PoolGeometry g_;
  std::vector<int> argmax_;  // input index of each output's maximum (first on ties)
};

}  // namespace nibble::train
