#pragma once
#include <random>

#include "workloads/trainer/gemm_layer.hpp"
#include "workloads/trainer/im2col.hpp"

namespace nibble::train {

// 2-D convolution as im2col + GEMM:
//   forward C[OC,P] = W[OC,K] * cols[K,P]    (P = N*OH*OW, K = C*kh*kw)
//   dX      dcols[K,P] = W^T * dY[OC,P], then col2im
//   dW      dW[OC,K] = dY[OC,P] * cols^T
// The input is quantized before im2col (statistics of the real tensor).
class Conv2d : public GemmLayer {
 public:
  Conv2d(std::string name, const ConvGeometry& g, bool bias, std::mt19937_64& rng);
  Mat forward(const Mat& x, StepContext& ctx) override;
  Mat backward(const Mat& dy, StepContext& ctx) override;
  void collect_params(std::vector<Param*>& out) override;
  const ConvGeometry& geometry() const { return g_; }
  Param& weight() { return w_; }

 private:
  ConvGeometry g_;
  bool has_bias_;
  Param w_, b_;
  QTensor wq_, colq_;
  // mxfp4/nvfp4: W blocked along dX's K (out_c), the im2col matrix along
  // dW's K (batch x pixels).
  QTensor wq_dx_, colq_dw_;
  int batch_ = 0;
};

// im2col of a quantized tensor: gathers values or codes alike.
QTensor im2col(const QTensor& x, const ConvGeometry& g);

}  // namespace nibble::train
