#pragma once
#include "workloads/trainer/sequential.hpp"

namespace nibble::train {

// y = body(x) + shortcut(x); an empty shortcut is the identity.
class Residual : public Layer {
 public:
  Residual(std::string name, Shape in, Shape out, Sequential body, Sequential shortcut);
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;
  void collect_params(std::vector<Param*>& out) override;
  void for_each_gemm(const std::function<void(GemmLayer&)>& f) override;
  bool output_nonnegative(bool) const override { return false; }

 private:
  Sequential body_, shortcut_;
};

}  // namespace nibble::train
