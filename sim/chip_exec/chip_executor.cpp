#include "sim/chip_exec/chip_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "hw_models/chip.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"
#include "hw_models/numerics/tensor_ops.hpp"
#include "sim/chip_exec/chip_session.hpp"
#include "sim/compiler/gemm_tiler.hpp"
#include "workloads/trainer/block_quant.hpp"
#include "workloads/trainer/qtensor_views.hpp"

namespace nibble::chip_exec {
namespace {

using train::float_format;
using train::Format;
using train::fp32_copies;
using train::is_hfp8;
using train::is_int;
using train::Mat;
using train::mbytes_of;
using train::mspan_of;
using train::Phase;
using train::QTensor;
using train::shell;
using train::span_of;

// op(t) as row-major codes, rows x cols, one PE register code per element
// (the mapper reads a stored tensor either way: no transpose pass on chip).
template <class T, class Code>
void copy_codes(const T* src, bool trans, int rows, int cols, hw::OperandCode* out, Code code) {
  if (!trans) {
    const size_t n = static_cast<size_t>(rows) * cols;
    for (size_t i = 0; i < n; ++i) out[i] = code(src[i]);
    return;
  }
  // Stored [cols x rows]: walk it in blocks so both sides stay in cache.
  constexpr int kBlock = 64;
  for (int c0 = 0; c0 < cols; c0 += kBlock)
    for (int r = 0; r < rows; ++r) {
      const int c1 = std::min(cols, c0 + kBlock);
      for (int c = c0; c < c1; ++c)
        out[static_cast<size_t>(r) * cols + c] = code(src[static_cast<size_t>(c) * rows + r]);
    }
}

void fill_operand(const QTensor& t, bool trans, int rows, int cols,
                  std::vector<hw::OperandCode>& out) {
  out.resize(static_cast<size_t>(rows) * cols);
  switch (t.format) {
    case Format::int4:
    case Format::uint4:
      return copy_codes(t.codes8.data(), trans, rows, cols, out.data(),
                        [](int8_t v) { return hw::int4_operand(v); });
    case Format::fp4_radix4:
    case Format::hfp8_143:
    case Format::hfp8_152:
      return copy_codes(t.codes8.data(), trans, rows, cols, out.data(), [](int8_t v) {
        return static_cast<hw::OperandCode>(static_cast<uint8_t>(v));
      });
    case Format::fp16:
      return copy_codes(t.codes16.data(), trans, rows, cols, out.data(),
                        [](uint16_t v) { return v; });
    case Format::fp32:
    case Format::mxfp4:
    case Format::nvfp4:  // fill_block_operand
      break;
  }
  throw SimulationError(std::string(train::to_string(t.format)) +
                        " tensor has no plain operand codes");
}

// A block-scaled operand in the array's layout (A: M x K row-major; B: K x N,
// so `k_along_rows` false) from blocks that run along K (check_block_gemm):
// each code carries its block's scale and the block-end flag
// (mac_datapath.hpp block_fp4_operand).
void fill_block_operand(const num::BlockFp4Tensor& t, bool k_along_rows,
                        std::vector<hw::OperandCode>& out) {
  const uint32_t lines = uint32_t(t.rows), K = uint32_t(t.cols), bs = uint32_t(t.block_size);
  out.resize(uint64_t{lines} * K);
  for (uint32_t l = 0; l < lines; ++l)
    for (uint32_t k = 0; k < K; ++k) {
      const bool end = (k + 1) % bs == 0 || k + 1 == K;
      const hw::OperandCode c = hw::block_fp4_operand(t.codes[uint64_t{l} * K + k],
                                                      t.scale_code(int(l), int(k / bs)), end);
      out[k_along_rows ? uint64_t{l} * K + k : uint64_t{k} * lines + l] = c;
    }
}

// The controller computes whole-K tiles only. A plan that splits K keeps
// the partial sums in the array's accumulators instead (docs/closed_loop.md):
// the K steps of one output tile become one step with their summed loads.
void merge_k_steps(hw::CoreProgram& p) {
  std::vector<hw::TileStep> merged;
  merged.reserve(p.steps.size());
  for (const hw::TileStep& s : p.steps) {
    if (s.k0 != 0 && !merged.empty()) {
      hw::TileStep& m = merged.back();
      m.shape.k += s.shape.k;
      m.load_bytes += s.load_bytes;
      m.store_bytes += s.store_bytes;
    } else {
      merged.push_back(s);
    }
  }
  p.steps = std::move(merged);
}

}  // namespace

ChipExecutor::ChipExecutor(const hw::ChipParams& chip, const config::TechParams& tech,
                           hw::FidelityMode mode)
    : chip_(chip), tech_(tech) {
  if (mode == hw::FidelityMode::timing)
    throw InputError("chip executor: TIMING mode computes no values; use fast or detailed");
  session_ = std::make_unique<ChipSession>(chip_, mode);
  const size_t n = session_->stats().entries().size();
  training_.counters.assign(n, 0);
  inference_.counters.assign(n, 0);
  before_.assign(n, 0);
  after_.assign(n, 0);
  // Every core's array counts its accumulator clamps (mac_array.hpp).
  for (const auto& e : session_->stats().entries())
    if (e.name.ends_with(".accumulator_saturations")) saturation_counters_.push_back(e.counter);
}

ChipExecutor::~ChipExecutor() = default;

void ChipExecutor::begin_step(uint64_t) {
  in_step_ = true;
}

void ChipExecutor::end_step() {
  in_step_ = false;
  ++steps_;
}

template <class Job>
void ChipExecutor::run_op(const std::string& layer, const char* pass, const char* kind, Job&& job) {
  const auto& entries = session_->stats().entries();
  for (size_t i = 0; i < entries.size(); ++i) before_[i] = *entries[i].counter;
  const uint64_t cycles = session_->run(std::forward<Job>(job));
  CostTotals& total = in_step_ ? training_ : inference_;
  total.cycles += cycles;
  CostBucket* bucket = nullptr;
  if (in_step_) {
    const std::string key = fmt::format("{}|{}|{}", layer, pass, kind);
    auto it = bucket_index_.find(key);
    if (it == bucket_index_.end()) {
      it = bucket_index_.emplace(key, buckets_.size()).first;
      buckets_.push_back({layer, pass, kind, 0, 0, std::vector<uint64_t>(entries.size(), 0)});
    }
    bucket = &buckets_[it->second];
    ++bucket->calls;
    bucket->cycles += cycles;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const uint64_t d = *entries[i].counter - before_[i];
    total.counters[i] += d;
    if (bucket) bucket->counters[i] += d;
  }
}

energy::EnergyReport ChipExecutor::energy_of(const std::vector<uint64_t>& counters,
                                             uint64_t cycles) const {
  // The energy model reads a registry: bind the same names to the deltas.
  hw::StatRegistry reg;
  const auto& entries = session_->stats().entries();
  for (size_t i = 0; i < entries.size(); ++i)
    reg.add(entries[i].name, entries[i].unit, entries[i].desc, &counters.at(i));
  return energy::compute_energy(reg, chip_, tech_, cycles);
}

uint32_t ChipExecutor::register_index(const std::string& layer, train::Role role) {
  const std::string key = fmt::format("{}|{}", layer, train::to_string(role));
  auto it = registers_.find(key);
  if (it == registers_.end()) {
    // More (layer, role) pairs than registers: the oldest is reloaded (the
    // trainer's ScaleRegister keeps the state between steps either way).
    const uint32_t n = session_->chip().core(0).scale_unit().register_count();
    it = registers_.emplace(key, static_cast<uint32_t>(registers_.size() % n)).first;
  }
  return it->second;
}

std::vector<QTensor> ChipExecutor::quantize(const train::QuantizeOp& op) {
  if (op.input == nullptr || op.reg == nullptr || op.phases.empty())
    throw SimulationError(
        fmt::format("{}: quantize op without input, scale register or phase", op.layer));
  const uint32_t reg_index = register_index(op.layer, op.role);
  if (train::is_block_fp4(op.spec.format)) return quantize_blocks(op, reg_index);
  if (op.role == train::Role::gradient) return quantize_gradient(op, reg_index);
  const Mat& x = *op.input;
  const train::QuantSpec& s = op.spec;
  const uint64_t n = static_cast<uint64_t>(x.size());
  QTensor q = shell(x, s.format, Phase::none);
  if (s.format == Format::fp4_radix4)
    throw InputError(fmt::format("{}: fp4_radix4 is a gradient format, not for {}", op.layer,
                                 train::to_string(op.role)));
  if (s.format == Format::uint4 && !(op.role == train::Role::activation && s.scale_mode == "pact"))
    throw InputError(
        fmt::format("{}: uint4 {} needs scale_mode pact", op.layer, train::to_string(op.role)));
  if (s.format == Format::fp32) {
    // Not a chip format: the tensor stays FP32 (host side, no cost).
    q.values = x;
    op.reg->scale = 1.0f;
    op.reg->initialised = true;
    return {std::move(q)};
  }
  const bool weight = op.role == train::Role::weight;
  run_op(op.layer, "forward", "scale_quantize", [&](hw::Chip& chip) {
    hw::Core& core = chip.core(0);
    hw::ScaleUnit& su = core.scale_unit();
    float scale = 1.0f;
    if (s.format == Format::fp16 || is_hfp8(s.format)) {
      su.write_register(reg_index, 1.0f);
      scale = su.scale_register(reg_index);
      if (s.format == Format::fp16) {
        q.codes16.resize(x.rows(), x.cols());
        su.convert_fp16(span_of(x), 0, mspan_of(q.codes16));
      } else {
        q.codes8.resize(x.rows(), x.cols());
        su.convert_float8(span_of(x), float_format(s.format), 0, mbytes_of(q.codes8));
      }
    } else if (op.role == train::Role::activation && s.scale_mode == "pact") {
      num::PactConfig cfg;
      cfg.is_signed = s.format == Format::int4;
      su.write_register(reg_index, num::pact_step(op.pact_alpha, cfg));
      scale = su.scale_register(reg_index);
      q.codes8.resize(x.rows(), x.cols());
      su.quantize_activations(span_of(x), op.pact_alpha, cfg, mspan_of(q.codes8),
                              op.counts ? &op.counts->clipped : nullptr);
      if (op.counts) op.counts->elements += n;
    } else {
      num::Int4WeightConfig cfg;
      cfg.scale_mode = s.scale_mode == "max"   ? num::WeightScaleMode::max
                       : s.scale_mode == "mse" ? num::WeightScaleMode::mse
                                               : num::WeightScaleMode::sawb;
      if (s.sawb_c1 != 0.0 || s.sawb_c2 != 0.0) cfg.sawb = {s.sawb_c1, s.sawb_c2};
      float alpha = 0.0f;
      su.weight_alpha(span_of(x), cfg, alpha);
      su.write_register(reg_index, num::int4_step(alpha, cfg.max_code));
      scale = su.scale_register(reg_index);
      q.codes8.resize(x.rows(), x.cols());
      uint64_t* clipped = op.counts ? &op.counts->clipped : nullptr;
      if (s.channel_grids) {
        q.row_factor.resize(static_cast<size_t>(x.rows()));
        su.quantize_weight_rows(span_of(x), cfg, scale, mspan_of(q.codes8), q.row_factor, clipped);
      } else {
        su.quantize_weights(span_of(x), scale, cfg.max_code, mspan_of(q.codes8), clipped);
      }
      if (op.counts) op.counts->elements += n;
    }
    q.scale = scale;
    // The scale unit reads the FP32 master weights as the SFU's update pass
    // streams them (fused: no second DRAM read, see weight_update); the
    // quantized copy goes to DRAM for the GEMM programs' tile loads.
    if (weight)
      core.write_dma().transfer(s.format == Format::fp16 ? 2 * n
                                : is_hfp8(s.format)      ? n
                                                         : (n + 1) / 2);
  });
  op.reg->scale = q.scale;
  op.reg->initialised = true;
  return {std::move(q)};
}

std::vector<QTensor> ChipExecutor::quantize_blocks(const train::QuantizeOp& op,
                                                   uint32_t reg_index) {
  const Mat& x = *op.input;
  if (op.layouts.empty())
    throw SimulationError(fmt::format("{}: {} quantize op without a block layout", op.layer,
                                      train::to_string(op.spec.format)));
  const num::BlockFp4Config cfg = train::block_config(op.spec, op.step);
  const uint64_t n = static_cast<uint64_t>(x.size());
  const bool gradient = op.role == train::Role::gradient;
  std::vector<QTensor> out;
  run_op(op.layer, gradient ? "grad_quantize" : "forward", "lgu", [&](hw::Chip& chip) {
    hw::Core& core = chip.core(0);
    for (size_t i = 0; i < op.layouts.size(); ++i) {
      const train::BlockLayout& l = op.layouts[i];
      // The tensor streams from its producer along the layout's K lines (a
      // transposed layout is read column-wise by the DMA, as the mapper
      // reads GEMM operands); the scale unit's statistics pass finds the
      // block (and NVFP4 tensor) maxima, the LGU encodes.
      const std::span<const float> v = train::block_values(x, l.transposed, block_scratch_);
      core.scale_unit().block_scales_pass(n);
      num::BlockFp4Tensor t;
      hw::LguBlockFp4Job job;
      job.x = v;
      job.rows = static_cast<int>(l.transposed ? x.cols() : x.rows());
      job.cols = static_cast<int>(l.transposed ? x.rows() : x.cols());
      job.format = cfg;
      job.hadamard = l.hadamard;
      job.sign_mask = l.sign_mask;
      job.index_base = train::block_index_base(x, i);
      job.out = &t;
      core.lgu().quantize_block_fp4(job);
      // Codes and scales go to DRAM for the GEMM programs' tile loads
      // (weights; activations and gradients too: a layer's tensors do not
      // stay on chip between passes in this model).
      core.write_dma().transfer(train::block_fp4_bytes(t, cfg.tiles_2d));
      out.push_back(train::block_qtensor(x, op.spec.format, l, std::move(t)));
    }
    core.scale_unit().write_register(reg_index, out.front().scale);
  });
  op.reg->scale = out.front().scale;
  op.reg->initialised = true;
  return out;
}

std::vector<QTensor> ChipExecutor::quantize_gradient(const train::QuantizeOp& op,
                                                     uint32_t reg_index) {
  const Mat& x = *op.input;
  const train::QuantSpec& s = op.spec;
  train::ScaleRegister& reg = *op.reg;
  if (s.format == Format::fp32) return fp32_copies(x, op.phases);
  std::vector<QTensor> out;
  if (s.format != Format::fp4_radix4) {
    // FP16/HFP8 gradients: power-of-two per-layer scale from the max-abs,
    // one convert pass (every phase gets the same codes).
    QTensor q = shell(x, s.format, Phase::none);
    int exp = 0;
    run_op(op.layer, "grad_quantize", "scale_quantize", [&](hw::Chip& chip) {
      hw::ScaleUnit& su = chip.core(0).scale_unit();
      if (s.scale_mode == "max") {
        float m = 0.0f;
        su.max_abs(span_of(x), m);
        exp = num::float_gradient_exp(m, float_format(s.format));
      }
      su.write_register(reg_index, std::ldexp(1.0f, exp));
      q.scale = su.scale_register(reg_index);
      if (s.format == Format::fp16) {
        q.codes16.resize(x.rows(), x.cols());
        su.convert_fp16(span_of(x), exp, mspan_of(q.codes16));
      } else {
        q.codes8.resize(x.rows(), x.cols());
        su.convert_float8(span_of(x), float_format(s.format), exp, mbytes_of(q.codes8));
      }
    });
    reg.exponent = exp;
    reg.scale = q.scale;
    reg.initialised = true;
    for (Phase p : op.phases) {
      out.push_back(q);
      out.back().phase = p;
    }
    return out;
  }
  // Radix-4 FP4: statistics pass (max GradScale), register write, one LGU
  // job producing the requested TPR copies.
  num::Fp4Config cfg;
  cfg.rounding = s.rounding == "stochastic" ? num::Rounding::stochastic : num::Rounding::nearest;
  cfg.seed = s.seed ^ (op.step * 0x9E3779B97F4A7C15ull);
  const bool dynamic = s.scale_mode == "dynamic";
  // With a per-channel GradScale the last copy (dW's) is the channel copy;
  // the others sit on the layer's grid.
  const bool channel_dw = s.dw_channel_scale;
  const size_t plain = op.phases.size() - (channel_dw ? 1 : 0);
  bool want_even = false, want_odd = false;
  for (size_t i = 0; i < plain; ++i) (op.phases[i] == Phase::odd ? want_odd : want_even) = true;
  train::Code8Mat even(x.rows(), want_even ? x.cols() : 0), odd(x.rows(), want_odd ? x.cols() : 0);
  train::Code8Mat chan(x.rows(), channel_dw ? x.cols() : 0);
  const int rows = static_cast<int>(x.rows()), cols = static_cast<int>(x.cols());
  std::vector<float> chan_max(channel_dw ? num::channel_count(rows, cols, op.channel_axis) : 0);
  std::vector<int> chan_exp(chan_max.size());
  int chan_top = 0;
  num::Fp4Counts even_counts, odd_counts, chan_counts;
  int exp = reg.exponent;
  if (dynamic) {
    auto it = dynamic_gradscale_.find(op.layer);
    if (it == dynamic_gradscale_.end()) {
      // First step: start from this tensor's max-abs (host-side start-up).
      num::GradScaleConfig c{.mode = num::GradScaleMode::dynamic};
      const float m = num::max_abs(span_of(x));
      c.top_log2 = s.grad_scale_top_log2;
      if (m > 0 && std::isfinite(m)) c.initial_exp = num::gradscale_exp_from_max(m, c.top_log2);
      it = dynamic_gradscale_.emplace(op.layer, num::GradScaleState(c)).first;
    }
    exp = it->second.exp();
  }
  run_op(op.layer, "grad_quantize", "lgu", [&](hw::Chip& chip) {
    hw::Core& core = chip.core(0);
    if (!dynamic || channel_dw) {
      // One statistics pass; per channel when dW has its own scales (the
      // tensor's max is then the largest channel's).
      float m = 0.0f;
      if (channel_dw) {
        core.scale_unit().channel_max_abs(span_of(x), rows, cols, op.channel_axis, chan_max);
        for (float c : chan_max) m = std::max(m, c);
      } else {
        core.scale_unit().max_abs(span_of(x), m);
      }
      if (!dynamic && m > 0 && std::isfinite(m))
        exp = num::gradscale_exp_from_max(m, s.grad_scale_top_log2);
    }
    core.scale_unit().write_register(reg_index, std::ldexp(1.0f, exp));
    if (channel_dw) {
      const auto phase = op.phases.back() == Phase::odd ? num::TprPhase::odd : num::TprPhase::even;
      chan_top =
          num::fp4_channel_grid_exps(chan_max, s.grad_scale_top_log2, exp, phase, cfg, chan_exp);
    }
    hw::LguJob job;
    job.gradients_fp32 = span_of(x);
    job.gradscale_exp = exp;
    job.fp4 = cfg;
    job.even_codes = mbytes_of(even);
    job.odd_codes = mbytes_of(odd);
    job.counts = &even_counts;
    job.odd_counts = &odd_counts;
    job.channel_codes = mbytes_of(chan);
    job.channel_grid_exp = chan_exp;
    job.rows = rows;
    job.cols = cols;
    job.channel_axis = op.channel_axis;
    job.channel_counts = &chan_counts;
    core.lgu().quantize(job);
  });
  // GradScale reads the first copy's counts; the health counts cover all.
  const num::Fp4Counts& counts = plain == 0                        ? chan_counts
                                 : op.phases.front() == Phase::odd ? odd_counts
                                                                   : even_counts;
  if (op.counts)
    for (const num::Fp4Counts* c : {&even_counts, &odd_counts, &chan_counts})
      *op.counts += {c->total, c->saturated, c->underflow, 0};
  for (size_t i = 0; i < op.phases.size(); ++i) {
    const Phase p = op.phases[i];
    QTensor q = shell(x, Format::fp4_radix4, p);
    if (i == plain) {  // the channel copy
      q.exp2 = chan_top;
      q.channel_exp2 = chan_exp;
      q.codes8 = chan;
    } else {
      q.exp2 =
          num::fp4_grid_exp(exp, p == Phase::odd ? num::TprPhase::odd : num::TprPhase::even, cfg);
      q.codes8 = p == Phase::odd ? odd : even;
    }
    q.scale = std::ldexp(1.0f, q.exp2);
    out.push_back(std::move(q));
  }
  if (dynamic) dynamic_gradscale_.at(op.layer).update(counts);
  reg.exponent = exp;
  reg.scale = session_->chip().core(0).scale_unit().scale_register(reg_index);
  reg.overflows = counts.saturated;
  reg.underflows = counts.underflow;
  reg.initialised = true;
  return out;
}

Mat ChipExecutor::gemm(const train::GemmOp& op) {
  const QTensor& a = *op.a;
  const QTensor& b = *op.b;
  train::check_gemm_shape(op);
  auto operands = std::make_shared<hw::GemmOperands>();
  hw::MacFormat& f = operands->format;
  const bool blocks = train::is_block_fp4(a.format) || train::is_block_fp4(b.format);
  if (blocks) {
    train::check_block_gemm(op);
    f.precision = a.format == Format::nvfp4 ? Precision::nvfp4 : Precision::mxfp4;
    f.block_size = static_cast<uint32_t>(a.blocks.block_size);
    f.output_scale = {num::block_fp4_alpha(a.blocks, b.blocks), 0};
  } else if (is_int(a.format) && is_int(b.format)) {
    f.precision = Precision::int4_int4;
    f.output_scale = {a.scale * b.scale, 0};
  } else if (a.format == Format::fp4_radix4 && is_int(b.format)) {
    f.precision = Precision::int4_fp4;
    f.fp4_operand = hw::Fp4Operand::a;
    f.output_scale = {b.scale, a.exp2 + num::kFp4FixedExp2};
  } else if (is_int(a.format) && b.format == Format::fp4_radix4) {
    f.precision = Precision::int4_fp4;
    f.fp4_operand = hw::Fp4Operand::b;
    f.output_scale = {a.scale, b.exp2 + num::kFp4FixedExp2};
  } else if (is_hfp8(a.format) && is_hfp8(b.format)) {
    f.precision = Precision::hfp8;
    f.hfp8_a = float_format(a.format);
    f.hfp8_b = float_format(b.format);
    f.output_scale = {a.scale * b.scale, 0};
  } else if (a.format == Format::fp16 && b.format == Format::fp16) {
    f.precision = Precision::fp16;
    f.output_scale = {a.scale * b.scale, 0};
  } else {
    throw InputError(fmt::format(
        "{} {}: the array has no MAC mode for {} x {} (FP32 GEMMs do not run on the chip: "
        "train with a quantized recipe such as ibm4)",
        op.layer, train::to_string(op.pass), train::to_string(a.format),
        train::to_string(b.format)));
  }
  const uint32_t M = static_cast<uint32_t>(op.m), N = static_cast<uint32_t>(op.n),
                 K = static_cast<uint32_t>(op.k);
  operands->shape = {M, N, K};
  if (blocks) {
    fill_block_operand(a.blocks, true, operands->a);
    fill_block_operand(b.blocks, false, operands->b);
  } else {
    fill_operand(a, op.a_trans, op.m, op.k, operands->a);
    fill_operand(b, op.b_trans, op.k, op.n, operands->b);
  }
  const std::string name = fmt::format("{}.{}", op.layer, train::to_string(op.pass));
  compiler::GemmPlan plan = compiler::plan_gemm({name, M, N, K, f.precision}, chip_, operands);
  for (auto& p : plan.programs) merge_k_steps(p);
  std::vector<uint16_t> fp16(uint64_t{M} * N, 0);
  const std::string pass(train::to_string(op.pass));
  const uint64_t saturations_before = accumulator_saturations();
  run_op(op.layer, pass.c_str(), "array", [&](hw::Chip& chip) {
    chip.run(plan.programs);
    for (uint32_t c = 0; c < plan.programs.size(); ++c) {
      const auto& out = chip.core(c).controller().outputs_fp16();
      const hw::CoreProgram& p = plan.programs[c];
      for (const hw::TileStep& s : p.steps)
        for (uint32_t m = s.m0; m < s.m0 + s.shape.m; ++m) {
          const uint64_t row = uint64_t{m} * N + p.n_offset + s.n0;
          std::copy_n(out.begin() + static_cast<int64_t>(row), s.shape.n,
                      fp16.begin() + static_cast<int64_t>(row));
        }
    }
  });
  if (op.counts) {
    ++op.counts->gemms;
    op.counts->outputs += uint64_t{M} * N;
    op.counts->acc_saturations += accumulator_saturations() - saturations_before;
  }
  Mat c(op.m, op.n);
  num::fp16_to_fp32_bulk(fp16, mspan_of(c));
  return c;
}

uint64_t ChipExecutor::accumulator_saturations() const {
  uint64_t n = 0;
  for (const uint64_t* c : saturation_counters_) n += *c;
  return n;
}

void ChipExecutor::weight_update(const train::UpdateOp& op) {
  const uint64_t n = static_cast<uint64_t>(op.weights->size());
  run_op(op.layer, "update", "sfu", [&](hw::Chip& chip) {
    hw::Core& core = chip.core(0);
    core.read_dma().transfer(n * (4 + 4 + 2));  // w, v (FP32 masters), g (FP16 from the dW GEMM)
    core.sfu().sgd_update(mspan_of(*op.weights), mspan_of(*op.velocity), span_of(*op.grad), op.lr,
                          op.momentum, op.weight_decay, op.row_factor);
    core.write_dma().transfer(n * 8);  // w, v back
  });
}

}  // namespace nibble::chip_exec
