#include "workloads/trainer/software_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/fp4_channels.hpp"
#include "hw_models/numerics/gemm.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"
#include "hw_models/numerics/tensor_ops.hpp"
#include "workloads/trainer/block_quant.hpp"
#include "workloads/trainer/qtensor_views.hpp"

namespace nibble::train {
namespace {

// Eigen picks its GEMM's depth blocking, where a long dot product is split
// into partial sums that are then added, from the L1 size it reads with
// cpuid, so the same FP32 GEMM rounded differently on machines with other
// caches: `make run`'s FP32 reference gave 0.8474 on the 48 KiB-L1 machine
// that measured the docs' FP32 figures and 0.8508 on 32 KiB-L1 machines
// (issue 17's, session 11's). Setting the sizes before every product (three
// stores; other code in the process may set them too) gives one blocking,
// hence the same FP32 bits on every machine of the same SIMD build; 48 KiB
// keeps the docs' figures. L2 and L3 only size the row and column panels,
// which do not change any sum.
void fix_eigen_blocking() {
  Eigen::setCpuCacheSizes(48 * 1024, 512 * 1024, 32 * 1024 * 1024);
}

num::WeightScaleMode weight_scale_mode(const std::string& m) {
  if (m == "max") return num::WeightScaleMode::max;
  if (m == "mse") return num::WeightScaleMode::mse;
  return num::WeightScaleMode::sawb;
}

float max_abs(const Mat& x) {
  return num::max_abs(span_of(x));
}

// Encodes x * 2^-exp into a float format (the power-of-two scale is exact).
QTensor encode_float_tensor(const Mat& x, Format f, int exp) {
  QTensor q = shell(x, f, Phase::none);
  q.scale = std::ldexp(1.0f, exp);
  if (f == Format::fp16) {
    q.codes16.resize(x.rows(), x.cols());
    num::fp32_to_fp16_scaled_bulk(span_of(x), exp, mspan_of(q.codes16));
  } else {
    q.codes8.resize(x.rows(), x.cols());
    num::encode_float_scaled_bulk(float_format(f), span_of(x), exp, mbytes_of(q.codes8));
  }
  return q;
}

}  // namespace

std::vector<QTensor> SoftwareExecutor::quantize(const QuantizeOp& op) {
  ++stats_.quantizations;
  if (op.input == nullptr || op.reg == nullptr || op.phases.empty())
    throw SimulationError(
        fmt::format("{}: quantize op without input, scale register or phase", op.layer));
  const Mat& x = *op.input;
  const QuantSpec& s = op.spec;
  if (is_block_fp4(s.format)) return quantize_blocks(op);
  if (op.role == Role::gradient) return quantize_gradient(op);
  QTensor q = shell(x, s.format, Phase::none);
  switch (s.format) {
    case Format::fp32:
      q.values = x;
      break;
    case Format::fp16:
    case Format::hfp8_143:
    case Format::hfp8_152:
      q = encode_float_tensor(x, s.format, 0);
      break;
    case Format::int4:
    case Format::uint4: {
      q.codes8.resize(x.rows(), x.cols());
      if (op.role == Role::activation && s.scale_mode == "pact") {
        num::PactConfig cfg;
        cfg.is_signed = s.format == Format::int4;
        q.scale = num::pact_step(op.pact_alpha, cfg);
        num::pact_quantize_bulk(span_of(x), op.pact_alpha, cfg, mspan_of(q.codes8),
                                op.counts ? &op.counts->clipped : nullptr);
      } else {
        if (s.format != Format::int4)
          throw InputError(
              fmt::format("{}: uint4 {} needs scale_mode pact", op.layer, to_string(op.role)));
        num::Int4WeightConfig cfg;
        cfg.scale_mode = weight_scale_mode(s.scale_mode);
        if (s.sawb_c1 != 0.0 || s.sawb_c2 != 0.0) cfg.sawb = {s.sawb_c1, s.sawb_c2};
        const float alpha = num::int4_alpha(span_of(x), cfg);
        q.scale = num::int4_step(alpha, cfg.max_code);
        uint64_t* clipped = op.counts ? &op.counts->clipped : nullptr;
        if (s.channel_grids) {
          q.row_factor.resize(static_cast<size_t>(x.rows()));
          num::quantize_int4_rows(span_of(x), q.row_factor.size(), cfg, q.scale, mspan_of(q.codes8),
                                  q.row_factor, clipped);
        } else {
          num::quantize_int4_bulk(span_of(x), q.scale, cfg.max_code, mspan_of(q.codes8), clipped);
        }
      }
      if (op.counts) op.counts->elements += static_cast<uint64_t>(x.size());
      break;
    }
    case Format::fp4_radix4:
      throw InputError(fmt::format("{}: fp4_radix4 is a gradient format, not for {}", op.layer,
                                   to_string(op.role)));
    case Format::mxfp4:
    case Format::nvfp4:
      break;  // quantize_blocks
  }
  op.reg->scale = q.scale;
  op.reg->initialised = true;
  return {std::move(q)};
}

std::vector<QTensor> SoftwareExecutor::quantize_blocks(const QuantizeOp& op) {
  const Mat& x = *op.input;
  if (op.layouts.empty())
    throw SimulationError(fmt::format("{}: {} quantize op without a block layout", op.layer,
                                      to_string(op.spec.format)));
  const num::BlockFp4Config cfg = block_config(op.spec, op.step);
  std::vector<QTensor> out;
  for (size_t i = 0; i < op.layouts.size(); ++i) {
    const BlockLayout& l = op.layouts[i];
    const int rows = static_cast<int>(l.transposed ? x.cols() : x.rows());
    const int cols = static_cast<int>(l.transposed ? x.rows() : x.cols());
    // The stored layout without a Hadamard is quantized in place of a copy.
    num::BlockFp4Tensor t;
    if (!l.transposed && !l.hadamard) {
      t = num::quantize_block_fp4(std::span<const float>(x.data(), static_cast<size_t>(x.size())),
                                  rows, cols, cfg, block_index_base(x, i));
    } else {
      const std::span<float> v = block_values(x, l.transposed, block_scratch_);
      t = num::quantize_block_fp4_rht_inplace(v, rows, cols, cfg, l.hadamard, l.sign_mask,
                                              block_index_base(x, i));
    }
    out.push_back(block_qtensor(x, op.spec.format, l, std::move(t)));
  }
  op.reg->scale = out.front().scale;
  op.reg->initialised = true;
  return out;
}

namespace {

// The dW copy with a per-channel GradScale (numerics/fp4_channels.hpp) from
// the channel maxima; a channel of zeros stays on the layer's exponent.
QTensor fp4_channel_copy(const Mat& x, num::ChannelAxis axis, std::span<const float> channel_max,
                         int layer_exp, int top_log2, Phase p, const num::Fp4Config& cfg,
                         num::Fp4Counts& first_counts, bool first, QuantCounts* health) {
  const int rows = static_cast<int>(x.rows()), cols = static_cast<int>(x.cols());
  QTensor q = shell(x, Format::fp4_radix4, p);
  q.channel_exp2.resize(channel_max.size());
  q.exp2 = num::fp4_channel_grid_exps(channel_max, top_log2, layer_exp,
                                      p == Phase::odd ? num::TprPhase::odd : num::TprPhase::even,
                                      cfg, q.channel_exp2);
  q.scale = std::ldexp(1.0f, q.exp2);
  q.codes8.resize(x.rows(), x.cols());
  num::Fp4Counts c;
  num::fp4_quantize_channels(span_of(x), rows, cols, axis, q.channel_exp2, cfg, 0,
                             mbytes_of(q.codes8), &c);
  if (first) first_counts = c;
  if (health) *health += {c.total, c.saturated, c.underflow, 0};
  return q;
}

}  // namespace

std::vector<QTensor> SoftwareExecutor::quantize_gradient(const QuantizeOp& op) {
  const Mat& x = *op.input;
  const QuantSpec& s = op.spec;
  ScaleRegister& reg = *op.reg;
  if (s.format == Format::fp32) return fp32_copies(x, op.phases);
  std::vector<QTensor> out;
  if (s.format != Format::fp4_radix4) {
    // FP16/HFP8 gradients: power-of-two per-layer scale from the max-abs.
    const int exp =
        s.scale_mode == "max" ? num::float_gradient_exp(max_abs(x), float_format(s.format)) : 0;
    reg.exponent = exp;
    reg.scale = std::ldexp(1.0f, exp);
    reg.initialised = true;
    for (Phase p : op.phases) {
      out.push_back(encode_float_tensor(x, s.format, exp));
      out.back().phase = p;
    }
    return out;
  }
  // Radix-4 FP4 with GradScale and two-phase rounding.
  num::Fp4Config cfg;
  cfg.rounding = s.rounding == "stochastic" ? num::Rounding::stochastic : num::Rounding::nearest;
  // Distinct stochastic streams per step (the counter covers the tensor).
  cfg.seed = s.seed ^ (op.step * 0x9E3779B97F4A7C15ull);
  // The per-channel GradScale's statistics (dW's copy).
  std::vector<float> chan_max;
  if (s.dw_channel_scale) {
    const int rows = static_cast<int>(x.rows()), cols = static_cast<int>(x.cols());
    chan_max.resize(static_cast<size_t>(num::channel_count(rows, cols, op.channel_axis)));
    num::channel_max_abs(span_of(x), rows, cols, op.channel_axis, chan_max);
  }
  int exp = reg.exponent;
  if (s.scale_mode == "dynamic") {
    auto it = dynamic_gradscale_.find(op.layer);
    if (it == dynamic_gradscale_.end()) {
      // The first step has no previous statistics: start from this
      // tensor's max-abs (as the max mode would), then adapt.
      num::GradScaleConfig c{.mode = num::GradScaleMode::dynamic};
      const float m = max_abs(x);
      c.top_log2 = s.grad_scale_top_log2;
      if (m > 0 && std::isfinite(m)) c.initial_exp = num::gradscale_exp_from_max(m, c.top_log2);
      it = dynamic_gradscale_.emplace(op.layer, num::GradScaleState(c)).first;
    }
    exp = it->second.exp();
  } else {
    // One read of dY: with per-channel scales the tensor's max is the
    // largest channel's, as in the chip's scale unit.
    float m = 0.0f;
    if (s.dw_channel_scale)
      for (float c : chan_max) m = std::max(m, c);
    else
      m = max_abs(x);
    if (m > 0 && std::isfinite(m)) exp = num::gradscale_exp_from_max(m, s.grad_scale_top_log2);
  }
  num::Fp4Counts counts;  // of the first copy: GradScale's
  for (size_t i = 0; i < op.phases.size(); ++i) {
    const Phase p = op.phases[i];
    if (s.dw_channel_scale && i + 1 == op.phases.size()) {
      // dW's copy (the last): one exponent per output channel.
      QTensor q = fp4_channel_copy(x, op.channel_axis, chan_max, exp, s.grad_scale_top_log2, p, cfg,
                                   counts, out.empty(), op.counts);
      out.push_back(std::move(q));
      continue;
    }
    QTensor q = shell(x, Format::fp4_radix4, p);
    q.exp2 =
        num::fp4_grid_exp(exp, p == Phase::odd ? num::TprPhase::odd : num::TprPhase::even, cfg);
    q.scale = std::ldexp(1.0f, q.exp2);
    q.codes8.resize(x.rows(), x.cols());
    num::Fp4Counts c;
    num::fp4_quantize_bulk(span_of(x), q.exp2, cfg, 0, mbytes_of(q.codes8), &c);
    if (out.empty()) counts = c;
    if (op.counts) *op.counts += {c.total, c.saturated, c.underflow, 0};
    out.push_back(std::move(q));
  }
  if (s.scale_mode == "dynamic") dynamic_gradscale_.at(op.layer).update(counts);
  reg.exponent = exp;
  reg.scale = std::ldexp(1.0f, exp);
  reg.overflows = counts.saturated;
  reg.underflows = counts.underflow;
  reg.initialised = true;
  return out;
}

namespace {

template <class T>
num::MatView<T> view(const T* data, int rows, int cols, bool trans) {
  auto v = num::row_major(data, rows, cols);
  return trans ? v.transposed() : v;
}
num::MatView<int8_t> view8(const QTensor& t, bool trans) {
  return view(t.codes8.data(), t.rows(), t.cols(), trans);
}
num::MatView<uint8_t> viewu8(const QTensor& t, bool trans) {
  return view(reinterpret_cast<const uint8_t*>(t.codes8.data()), t.rows(), t.cols(), trans);
}

}  // namespace

Mat SoftwareExecutor::gemm(const GemmOp& op) {
  ++stats_.gemms;
  const QTensor& a = *op.a;
  const QTensor& b = *op.b;
  check_gemm_shape(op);
  if (op.counts) {
    // Saturations are added below (integer modes only).
    ++op.counts->gemms;
    op.counts->outputs += static_cast<uint64_t>(op.m) * static_cast<uint64_t>(op.n);
  }
  if (a.format == Format::fp32 && b.format == Format::fp32) {
    // Single-threaded Eigen with fixed cache sizes: a fixed blocking, hence
    // a fixed summation order.
    fix_eigen_blocking();
    Mat c(op.m, op.n);
    if (op.a_trans && op.b_trans)
      c.noalias() = a.values.transpose() * b.values.transpose();
    else if (op.a_trans)
      c.noalias() = a.values.transpose() * b.values;
    else if (op.b_trans)
      c.noalias() = a.values * b.values.transpose();
    else
      c.noalias() = a.values * b.values;
    return c;
  }
  if (is_block_fp4(a.format) || is_block_fp4(b.format)) {
    // The block-scaled GEMM's one accumulation order (numerics/block_fp4.hpp).
    check_block_gemm(op);
    CodeMat out(op.m, op.n);
    num::gemm_block_fp4(a.blocks, b.blocks, nullptr, out.data());
    Mat c(op.m, op.n);
    num::fp16_to_fp32_bulk(span_of(out), mspan_of(c));
    return c;
  }
  num::GemmConfig cfg;
  cfg.acc_bits = settings_.acc_bits;
  cfg.chunk = settings_.chunk;
  cfg.threads = settings_.threads;
  const bool chunked = settings_.accumulation == "fp16_chunked";
  CodeMat out(op.m, op.n);
  num::GemmStats gs;
  if (is_int(a.format) && is_int(b.format)) {
    cfg.mode = chunked ? num::AccumMode::fp16_chunked : num::AccumMode::int_exact;
    num::gemm_int4_int4(view8(a, op.a_trans), view8(b, op.b_trans), {a.scale * b.scale, 0}, cfg,
                        out.data(), nullptr, &gs);
  } else if (a.format == Format::fp4_radix4 && is_int(b.format)) {
    cfg.mode = chunked ? num::AccumMode::fp16_chunked : num::AccumMode::int_exact;
    num::gemm_fp4_int4(viewu8(a, op.a_trans), view8(b, op.b_trans),
                       {b.scale, a.exp2 + num::kFp4FixedExp2}, cfg, out.data(), nullptr, &gs);
  } else if (is_int(a.format) && b.format == Format::fp4_radix4) {
    cfg.mode = chunked ? num::AccumMode::fp16_chunked : num::AccumMode::int_exact;
    num::gemm_int4_fp4(view8(a, op.a_trans), viewu8(b, op.b_trans),
                       {a.scale, b.exp2 + num::kFp4FixedExp2}, cfg, out.data(), nullptr, &gs);
  } else if (is_hfp8(a.format) && is_hfp8(b.format)) {
    cfg.mode = chunked ? num::AccumMode::fp16_chunked : num::AccumMode::fp32;
    num::gemm_hfp8(viewu8(a, op.a_trans), float_format(a.format), viewu8(b, op.b_trans),
                   float_format(b.format), a.scale * b.scale, cfg, out.data());
  } else if (a.format == Format::fp16 && b.format == Format::fp16) {
    cfg.mode = chunked ? num::AccumMode::fp16_chunked : num::AccumMode::fp32;
    num::gemm_fp16(view(a.codes16.data(), a.rows(), a.cols(), op.a_trans),
                   view(b.codes16.data(), b.rows(), b.cols(), op.b_trans), a.scale * b.scale, cfg,
                   out.data());
  } else {
    throw SimulationError(fmt::format("{} {}: no MAC mode multiplies {} by {}", op.layer,
                                      to_string(op.pass), to_string(a.format),
                                      to_string(b.format)));
  }
  stats_.accumulator_saturations += gs.saturations;
  if (op.counts) op.counts->acc_saturations += gs.saturations;
  Mat c(op.m, op.n);
  num::fp16_to_fp32_bulk(span_of(out), mspan_of(c));
  return c;
}

void SoftwareExecutor::weight_update(const UpdateOp& op) {
  ++stats_.updates;
  // One copy of the arithmetic, shared with the chip's SFU.
  num::sgd_momentum_update(mspan_of(*op.weights), mspan_of(*op.velocity), span_of(*op.grad), op.lr,
                           op.momentum, op.weight_decay, op.row_factor);
}

Mat dequantize(const QTensor& t) {
  Mat m(t.rows(), t.cols());
  switch (t.format) {
    case Format::fp32:
      return t.values;
    case Format::fp16:
      num::fp16_to_fp32_bulk(span_of(t.codes16), mspan_of(m));
      return m * t.scale;
    case Format::hfp8_143:
    case Format::hfp8_152:
      num::decode_float_bulk(float_format(t.format), bytes_of(t.codes8), mspan_of(m));
      return m * t.scale;
    case Format::int4:
    case Format::uint4:
      num::dequantize_int4_bulk(span_of(t.codes8), t.scale, mspan_of(m));
      return m;
    case Format::fp4_radix4:
      num::fp4_dequantize_bulk(bytes_of(t.codes8), t.exp2, mspan_of(m));
      return m;
    case Format::mxfp4:
    case Format::nvfp4: {
      Mat b(t.blocks.rows, t.blocks.cols);
      num::dequantize_block_fp4(t.blocks, mspan_of(b));
      if (t.blocks_transposed) return b.transpose();
      return b;
    }
  }
  return m;
}

}  // namespace nibble::train
