#pragma once
// Shared machinery of the GEMM layers (linear, conv2d): the layer's
// precision policy, its scale registers and the PACT clip, and the three
// quantization points of a training step (weights, input activations,
// output gradients with two-phase rounding). All quantization is delegated
// to the Executor, which calls hw_models/numerics.
#include <string>

#include "workloads/trainer/layer.hpp"
#include "workloads/trainer/numerics_health.hpp"

namespace nibble::train {

// The formats one GEMM layer uses, resolved from the recipe.
struct LayerPrecision {
  std::string name = "fp32";  // fp32 | fp16 | hfp8 | ibm4 | mxfp4 | nvfp4
  QuantSpec weights, activations, gradients;
  Phase dx_phase = Phase::none, dw_phase = Phase::none;  // TPR copies (fp4)
  // mxfp4/nvfp4: random Hadamard transform on the dW GEMM's two operands
  // (along its K axis, the batch), with this sign vector.
  bool dw_hadamard = false;
  uint16_t hadamard_sign_mask = 0;
  float pact_alpha_init = 10.0f;
  // PACT's initial clip for inputs that come through a BatchNorm since the
  // previous GEMM (on every path): those are O(1) by construction, so a
  // clip near 3 puts the 4-bit step where they are from the first step.
  float pact_alpha_init_bn = 10.0f;
  float pact_weight_decay = 0.0f;
};

class GemmLayer : public Layer {
 public:
  using Layer::Layer;
  // input_nonnegative: whether this layer's input is post-ReLU (UINT4 PACT)
  // or may be negative (signed INT4 PACT).
  void set_precision(const LayerPrecision& p, bool input_nonnegative);
  const LayerPrecision& precision() const { return prec_; }
  void set_need_input_grad(bool v) { need_input_grad_ = v; }
  // Whether the input is post-ReLU (set by the model builder).
  void set_input_nonnegative(bool v) { input_nonnegative_ = v; }
  bool input_nonnegative() const { return input_nonnegative_; }
  // Whether the input comes through a BatchNorm since the previous GEMM on
  // every path (set by the model builder; picks PACT's initial clip).
  void set_input_normalized(bool v) { input_normalized_ = v; }
  bool input_normalized() const { return input_normalized_; }
  // Whether the output goes straight into a BatchNorm (set by the model
  // builder): only then may int4 weights use per-channel grids, because the
  // BatchNorm absorbs a per-channel factor.
  void set_output_normalized(bool v) { output_normalized_ = v; }
  bool output_normalized() const { return output_normalized_; }
  void collect_params(std::vector<Param*>& out) override;
  void for_each_gemm(const std::function<void(GemmLayer&)>& f) override { f(*this); }
  bool output_nonnegative(bool) const override { return false; }
  const ScaleRegister& weight_register() const { return w_reg_; }
  const ScaleRegister& activation_register() const { return a_reg_; }
  const ScaleRegister& gradient_register() const { return g_reg_; }
  float pact_alpha() const { return pact_ ? alpha_.value(0, 0) : 0.0f; }
  // Health counts of the training steps since the last reset (evaluation
  // passes are not counted).
  const LayerHealth& health() const { return health_; }
  void reset_health() { health_ = {}; }

 protected:
  // Runs a GEMM through the executor, counting it in the pass's health.
  Mat run_gemm(StepContext& ctx, GemmOp op);
  QTensor quantize_weights(StepContext& ctx, const Mat& w);
  // Keeps x for the PACT backward.
  QTensor quantize_input(StepContext& ctx, const Mat& x);
  // Straight-through PACT backward of the input quantizer: dL/dx from
  // dL/d(quantized x); accumulates dL/dalpha.
  Mat input_quant_backward(const Mat& dxq);
  struct GradCopies {
    QTensor for_dx, for_dw;
  };
  // FP4 copies of dY; `channels` says where its output channels are (for
  // the per-channel GradScale of the dW copy).
  GradCopies quantize_grads(StepContext& ctx, const Mat& dy, num::ChannelAxis channels);
  // dW's per-row factor: the per-channel weight grids' (wq.row_factor) times
  // the per-channel GradScale's 2^(channel_exp2[o] - exp2); empty when
  // neither is on.
  static std::vector<float> dw_row_factor(const QTensor& wq, const QTensor& dy_for_dw);

  // Block-scaled FP4 (mxfp4/nvfp4): each tensor is quantized once per GEMM
  // that reads it, blocked along that GEMM's K axis (block_quant.hpp).
  bool block_fp4() const { return is_block_fp4(prec_.weights.format); }
  // The layout of a dW GEMM operand (Hadamard transform per the recipe).
  BlockLayout dw_layout(bool transposed) const {
    return {transposed, prec_.dw_hadamard, prec_.hadamard_sign_mask};
  }
  std::vector<QTensor> quantize_blocks(StepContext& ctx, Role role, const Mat& x,
                                       std::vector<BlockLayout> layouts);
  // Weight copies: blocked along its rows for the forward GEMM, and
  // transposed (along `out`) for dX when training needs the input gradient.
  struct WeightCopies {
    QTensor for_fwd, for_dx;
  };
  WeightCopies quantize_weight_blocks(StepContext& ctx, const Mat& w);
  // Gradient copies for dX (dx layout, only if the input gradient is
  // needed) and dW (dw layout).
  GradCopies quantize_grad_blocks(StepContext& ctx, const Mat& dy, BlockLayout dx, BlockLayout dw);

  LayerPrecision prec_;
  bool need_input_grad_ = true;
  bool input_nonnegative_ = false;
  bool input_normalized_ = false;
  bool output_normalized_ = false;
  bool pact_ = false, input_signed_ = false;
  Param alpha_;  // PACT clip, 1x1
  Mat x_raw_;    // input before quantization (PACT backward)
  ScaleRegister w_reg_, a_reg_, g_reg_;
  LayerHealth health_;
};

}  // namespace nibble::train
