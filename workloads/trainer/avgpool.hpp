#pragma once
#include "workloads/trainer/layer.hpp"
#include "workloads/trainer/pool.hpp"

namespace nibble::train {

// Average pooling; padded positions count as zeros (count_include_pad), so
// every window divides by kernel^2. kernel = input size is global pooling.
class AvgPool : public Layer {
 public:
  AvgPool(std::string name, Shape in, PoolGeometry g);
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;

 private:
  PoolGeometry g_;
};

}  // namespace nibble::train
