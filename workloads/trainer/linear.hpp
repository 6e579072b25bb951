#pragma once
#include <random>

#include "workloads/trainer/gemm_layer.hpp"

namespace nibble::train {

// Fully connected layer y = x W^T + b on a flattened input [N, in].
// Forward C[N,out] = X[N,in] * W^T; dX[N,in] = dY * W; dW[out,in] = dY^T * X.
class Linear : public GemmLayer {
 public:
  Linear(std::string name, Shape in, int out, bool bias, std::mt19937_64& rng);
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;
  void collect_params(std::vector<Param*>& out) override;
  Param& weight() { return w_; }

 private:
  bool has_bias_;
  Param w_, b_;
  QTensor wq_, xq_;  // operands kept from the forward pass
  // mxfp4/nvfp4: W blocked along dX's K (out), X along dW's K (batch).
  QTensor wq_dx_, xq_dw_;
};

}  // namespace nibble::train
