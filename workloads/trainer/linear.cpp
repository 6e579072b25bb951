#include "workloads/trainer/linear.hpp"

#include "workloads/trainer/init.hpp"

namespace nibble::train {

Linear::Linear(std::string name, Shape in, int out, bool bias, std::mt19937_64& rng)
    : GemmLayer(std::move(name), in, Shape{out, 1, 1}), has_bias_(bias) {
  w_ = {name_, "weight", kaiming_uniform(out, in.size(), in.size(), rng), {}, {}, true};
  w_.init_state();
  if (has_bias_) {
    b_ = {name_, "bias", Mat::Zero(1, out), {}, {}, false};
    b_.init_state();
  }
}

void Linear::collect_params(std::vector<Param*>& out) {
  out.push_back(&w_);
  if (has_bias_) out.push_back(&b_);
  GemmLayer::collect_params(out);
}

Mat Linear::forward(const Mat& x, StepContext& ctx) {
  const int n = static_cast<int>(x.rows());
  if (block_fp4()) {
    // Y = X W^T: W and X blocked along `in` (their rows); for training also
    // W^T along `out` (dX = dY W) and X^T along the batch (dW = dY^T X).
    auto w = quantize_weight_blocks(ctx, w_.value);
    wq_ = std::move(w.for_fwd);
    wq_dx_ = std::move(w.for_dx);
    auto xs = quantize_blocks(ctx, Role::activation, x,
                              ctx.training ? std::vector<BlockLayout>{{}, dw_layout(true)}
                                           : std::vector<BlockLayout>{{}});
    xq_ = std::move(xs[0]);
    if (ctx.training) xq_dw_ = std::move(xs[1]);
  } else {
    wq_ = quantize_weights(ctx, w_.value);
    xq_ = quantize_input(ctx, x);
  }
  GemmOp op{name_, Pass::forward, n, out_.size(), in_.size(), &xq_, false, &wq_, true};
  Mat y = run_gemm(ctx, op);
  if (has_bias_) y.rowwise() += b_.value.row(0);
  return y;
}

Mat Linear::backward(const Mat& dy, StepContext& ctx) {
  const int n = static_cast<int>(dy.rows());
  const bool blocks = block_fp4();
  // Blocks: dY along `out` for dX, dY^T along the batch for dW.
  GradCopies g = blocks ? quantize_grad_blocks(ctx, dy, {}, dw_layout(true))
                        : quantize_grads(ctx, dy, num::ChannelAxis::cols);
  GemmOp dw{name_, Pass::grad_weight,       out_.size(), in_.size(), n, &g.for_dw,
            true,  blocks ? &xq_dw_ : &xq_, false};
  w_.grad = run_gemm(ctx, dw);
  w_.grad_row_factor = dw_row_factor(wq_, g.for_dw);
  if (has_bias_) b_.grad = dy.colwise().sum();
  if (!need_input_grad_) return Mat();
  GemmOp dx{name_, Pass::grad_input,        n,    in_.size(), out_.size(), &g.for_dx,
            false, blocks ? &wq_dx_ : &wq_, false};
  return input_quant_backward(run_gemm(ctx, dx));
}

}  // namespace nibble::train
