#include "workloads/trainer/gemm_layer.hpp"

#include <cmath>

#include "hw_models/numerics/pact.hpp"

namespace nibble::train {

void GemmLayer::set_precision(const LayerPrecision& p, bool input_nonnegative) {
  prec_ = p;
  pact_ = p.activations.scale_mode == "pact";
  prec_.weights.channel_grids = p.weights.channel_grids && output_normalized_;
  input_signed_ = !input_nonnegative;
  if (pact_) {
    // Inputs that may be negative use the signed INT4 PACT variant.
    prec_.activations.format = input_signed_ ? Format::int4 : Format::uint4;
    const float alpha0 = input_normalized_ ? p.pact_alpha_init_bn : p.pact_alpha_init;
    alpha_ = {name_, "pact_alpha", Mat::Constant(1, 1, alpha0), {}, {}, false, p.pact_weight_decay};
    alpha_.init_state();
  }
}

void GemmLayer::collect_params(std::vector<Param*>& out) {
  if (pact_) out.push_back(&alpha_);
}

Mat GemmLayer::run_gemm(StepContext& ctx, GemmOp op) {
  if (ctx.training)
    op.counts = op.pass == Pass::forward      ? &health_.forward
                : op.pass == Pass::grad_input ? &health_.dx
                                              : &health_.dw;
  return ctx.exec->gemm(op);
}

QTensor GemmLayer::quantize_weights(StepContext& ctx, const Mat& w) {
  QuantizeOp op;
  if (ctx.training) op.counts = &health_.weights;
  op.layer = name_;
  op.role = Role::weight;
  op.spec = prec_.weights;
  op.input = &w;
  op.step = ctx.step;
  op.reg = &w_reg_;
  return std::move(ctx.exec->quantize(op).front());
}

QTensor GemmLayer::quantize_input(StepContext& ctx, const Mat& x) {
  if (ctx.training && pact_) x_raw_ = x;
  QuantizeOp op;
  op.layer = name_;
  op.role = Role::activation;
  op.spec = prec_.activations;
  if (ctx.training) op.counts = &health_.activations;
  op.input = &x;
  op.pact_alpha = pact_ ? alpha_.value(0, 0) : 0.0f;
  op.step = ctx.step;
  op.reg = &a_reg_;
  return std::move(ctx.exec->quantize(op).front());
}

Mat GemmLayer::input_quant_backward(const Mat& dxq) {
  if (!pact_) return dxq;
  num::PactConfig cfg;
  cfg.is_signed = input_signed_;
  const float a = alpha_.value(0, 0);
  Mat dx(dxq.rows(), dxq.cols());
  const float* xs = x_raw_.data();
  const float* gs = dxq.data();
  float* out = dx.data();
  for (Eigen::Index i = 0; i < dx.size(); ++i) out[i] = num::pact_grad_x(xs[i], gs[i], a, cfg);
  alpha_.grad(0, 0) = static_cast<float>(num::pact_grad_alpha(
      {xs, static_cast<size_t>(x_raw_.size())}, {gs, static_cast<size_t>(dxq.size())}, a, cfg));
  return dx;
}

GemmLayer::GradCopies GemmLayer::quantize_grads(StepContext& ctx, const Mat& dy,
                                                num::ChannelAxis channels) {
  QuantizeOp op;
  op.layer = name_;
  op.role = Role::gradient;
  op.spec = prec_.gradients;
  op.input = &dy;
  op.step = ctx.step;
  op.reg = &g_reg_;
  op.counts = &health_.gradients;  // backward runs in training steps only
  op.channel_axis = channels;
  const bool was_set = g_reg_.initialised;
  const int32_t old_exp = g_reg_.exponent;
  // The per-channel GradScale needs dW's own copy even on one phase.
  const bool two = prec_.dx_phase != prec_.dw_phase || prec_.gradients.dw_channel_scale;
  if (!need_input_grad_)
    op.phases = {prec_.dw_phase};
  else if (two)
    op.phases = {prec_.dx_phase, prec_.dw_phase};
  else
    op.phases = {prec_.dx_phase};
  auto q = ctx.exec->quantize(op);
  if (was_set) {
    ++health_.gradscale_updates;
    health_.gradscale_changes += g_reg_.exponent != old_exp;
  }
  GradCopies out;
  if (!need_input_grad_) {
    out.for_dw = std::move(q[0]);
  } else if (two) {
    out.for_dx = std::move(q[0]);
    out.for_dw = std::move(q[1]);
  } else {
    out.for_dx = q[0];
    out.for_dw = std::move(q[0]);
  }
  return out;
}

std::vector<float> GemmLayer::dw_row_factor(const QTensor& wq, const QTensor& dy_for_dw) {
  const std::vector<int>& e = dy_for_dw.channel_exp2;
  if (e.empty()) return wq.row_factor;
  std::vector<float> f(e.size());
  for (size_t o = 0; o < e.size(); ++o) {
    // A power of two: exact, in either order with the grid factor.
    const float g = std::ldexp(1.0f, e[o] - dy_for_dw.exp2);
    f[o] = wq.row_factor.empty() ? g : wq.row_factor.at(o) * g;
  }
  return f;
}

GemmLayer::WeightCopies GemmLayer::quantize_weight_blocks(StepContext& ctx, const Mat& w) {
  const bool dx = ctx.training && need_input_grad_;
  auto q =
      quantize_blocks(ctx, Role::weight, w,
                      dx ? std::vector<BlockLayout>{{}, {true}} : std::vector<BlockLayout>{{}});
  WeightCopies out;
  out.for_fwd = std::move(q[0]);
  if (dx) out.for_dx = std::move(q[1]);
  return out;
}

std::vector<QTensor> GemmLayer::quantize_blocks(StepContext& ctx, Role role, const Mat& x,
                                                std::vector<BlockLayout> layouts) {
  QuantizeOp op;
  op.layer = name_;
  op.role = role;
  op.spec = role == Role::weight       ? prec_.weights
            : role == Role::activation ? prec_.activations
                                       : prec_.gradients;
  op.layouts = std::move(layouts);
  op.input = &x;
  op.step = ctx.step;
  op.reg = role == Role::weight ? &w_reg_ : role == Role::activation ? &a_reg_ : &g_reg_;
  std::vector<QTensor> out = ctx.exec->quantize(op);
  if (ctx.training) {
    // The block encoder counts as it encodes (numerics/block_fp4.hpp).
    QuantCounts& c = role == Role::weight       ? health_.weights
                     : role == Role::activation ? health_.activations
                                                : health_.gradients;
    for (const QTensor& t : out) {
      const num::BlockFp4Counts& b = t.blocks.counts;
      c += {b.elements, b.saturated, b.underflow, b.scale_clamps};
    }
  }
  return out;
}

GemmLayer::GradCopies GemmLayer::quantize_grad_blocks(StepContext& ctx, const Mat& dy,
                                                      BlockLayout dx, BlockLayout dw) {
  GradCopies out;
  if (!need_input_grad_) {
    out.for_dw = std::move(quantize_blocks(ctx, Role::gradient, dy, {dw}).front());
    return out;
  }
  auto q = quantize_blocks(ctx, Role::gradient, dy, {dx, dw});
  out.for_dx = std::move(q[0]);
  out.for_dw = std::move(q[1]);
  return out;
}

}  // namespace nibble::train
