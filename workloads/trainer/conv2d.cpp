#include "workloads/trainer/conv2d.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"
#include "workloads/trainer/init.hpp"

namespace nibble::train {

QTensor im2col(const QTensor& x, const ConvGeometry& g) {
  QTensor c;
  c.format = x.format;
  c.phase = x.phase;
  c.scale = x.scale;
  c.exp2 = x.exp2;
  c.rows_ = g.k();
  c.cols_ = x.rows() * g.out_h() * g.out_w();
  if (x.values.size()) c.values = im2col(x.values, g);
  if (x.codes8.size()) c.codes8 = im2col(x.codes8, g);
  if (x.codes16.size()) c.codes16 = im2col(x.codes16, g);
  return c;
}

Conv2d::Conv2d(std::string name, const ConvGeometry& g, bool bias, std::mt19937_64& rng)
    : GemmLayer(std::move(name), g.in, Shape{g.out_c, g.out_h(), g.out_w()}),
      g_(g),
      has_bias_(bias) {
  if (g.kernel <= 0 || g.stride <= 0 || g.padding < 0 || g.out_h() <= 0 || g.out_w() <= 0)
    throw InputError(fmt::format("{}: kernel {} stride {} padding {} does not fit a {}x{} input",
                                 name_, g.kernel, g.stride, g.padding, g.in.h, g.in.w));
  w_ = {name_, "weight", kaiming_uniform(g.out_c, g.k(), g.k(), rng), {}, {}, true};
  w_.init_state();
  if (has_bias_) {
    b_ = {name_, "bias", Mat::Zero(1, g.out_c), {}, {}, false};
    b_.init_state();
  }
}

void Conv2d::collect_params(std::vector<Param*>& out) {
  out.push_back(&w_);
  if (has_bias_) out.push_back(&b_);
  GemmLayer::collect_params(out);
}

Mat Conv2d::forward(const Mat& x, StepContext& ctx) {
  batch_ = static_cast<int>(x.rows());
  const int pixels = out_.h * out_.w;
  if (block_fp4()) {
    // Y = W col: W blocked along k (its rows), the im2col matrix along k
    // (down its columns): the blocks are cut from the GEMM operand, so
    // quantization follows im2col. For training also W^T along out_c (dX)
    // and col^T along batch x pixels (dW).
    auto w = quantize_weight_blocks(ctx, w_.value);
    wq_ = std::move(w.for_fwd);
    wq_dx_ = std::move(w.for_dx);
    const Mat col = im2col(x, g_);
    auto cs = quantize_blocks(ctx, Role::activation, col,
                              ctx.training ? std::vector<BlockLayout>{{true}, dw_layout(false)}
                                           : std::vector<BlockLayout>{{true}});
    colq_ = std::move(cs[0]);
    if (ctx.training) colq_dw_ = std::move(cs[1]);
  } else {
    wq_ = quantize_weights(ctx, w_.value);
    colq_ = im2col(quantize_input(ctx, x), g_);
  }
  GemmOp op{name_, Pass::forward, g_.out_c, batch_ * pixels, g_.k(), &wq_, false, &colq_, false};
  Mat y = run_gemm(ctx, op);
  if (has_bias_) y.colwise() += b_.value.row(0).transpose();
  return gemm_to_nchw(y, batch_, g_.out_c, pixels);
}

Mat Conv2d::backward(const Mat& dy, StepContext& ctx) {
  const int pixels = out_.h * out_.w, p = batch_ * pixels;
  const Mat dyg = nchw_to_gemm(dy, batch_, g_.out_c, pixels);
  const bool blocks = block_fp4();
  // Blocks: dY along batch x pixels for dW (its rows), down its columns
  // (out_c) for dX.
  GradCopies g = blocks ? quantize_grad_blocks(ctx, dyg, {true}, dw_layout(false))
                        : quantize_grads(ctx, dyg, num::ChannelAxis::rows);
  GemmOp dw{name_, Pass::grad_weight,           g_.out_c, g_.k(), p, &g.for_dw,
            false, blocks ? &colq_dw_ : &colq_, true};
  w_.grad = run_gemm(ctx, dw);
  w_.grad_row_factor = dw_row_factor(wq_, g.for_dw);
  if (has_bias_) b_.grad = dyg.rowwise().sum().transpose();
  if (!need_input_grad_) return Mat();
  GemmOp dx{name_, Pass::grad_input, g_.k(), p, g_.out_c, blocks ? &wq_dx_ : &wq_,
            true,  &g.for_dx,        false};
  return input_quant_backward(col2im(run_gemm(ctx, dx), batch_, g_));
}

}  // namespace nibble::train
