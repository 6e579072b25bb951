#include "workloads/trainer/relu.hpp"

namespace nibble::train {

Mat Relu::forward(const Mat& x, StepContext& ctx) {
  if (ctx.training) mask_ = (x.array() > 0.0f).cast<float>();
  return x.cwiseMax(0.0f);
}

Mat Relu::backward(const Mat& dy, StepContext&) {
  return dy.cwiseProduct(mask_);
}

}  // namespace nibble::train
