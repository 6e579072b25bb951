#include "hw_models/mac_array_fast.hpp"

#include <bit>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gemm.hpp"
#include "hw_models/scalesim_timing.hpp"

namespace nibble::hw {

MacArrayFast::MacArrayFast(sc_core::sc_module_name name, const MacArrayParams& params,
                           sc_core::sc_time clock_period, bool compute_values)
    : MacArray(name, params, clock_period, compute_values) {}

namespace {

// The low byte of each code, as the bulk kernels take it (the same byte the
// PE datapath decodes); `out` is reused scratch.
template <class T>
const T* narrow(std::span<const OperandCode> codes, std::vector<uint8_t>& out) {
  out.resize(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) out[i] = static_cast<uint8_t>(codes[i]);
  return reinterpret_cast<const T*>(out.data());
}

// A block-scaled operand as numerics' tensor, K along its rows: A (M x K)
// as is, B (K x N) transposed. The scale of block kb is read from the
// operand code of the block's first element (the one the scale unit wrote).
num::BlockFp4Tensor block_tensor(std::span<const OperandCode> codes, uint32_t lines, uint32_t K,
                                 bool k_along_rows, uint32_t cols, const MacFormat& f) {
  num::BlockFp4Tensor t;
  t.format = f.precision == Precision::mxfp4 ? num::BlockFormat::mxfp4 : num::BlockFormat::nvfp4;
  t.rows = int(lines);
  t.cols = int(K);
  t.block_size = int(f.block_size);
  const int nb = t.blocks_per_row();
  t.codes.resize(uint64_t{lines} * K);
  t.scale_codes.resize(uint64_t{lines} * uint64_t(nb));
  for (uint32_t l = 0; l < lines; ++l)
    for (uint32_t k = 0; k < K; ++k) {
      const OperandCode c = codes[k_along_rows ? uint64_t{l} * K + k : uint64_t{k} * cols + l];
      t.codes[uint64_t{l} * K + k] = static_cast<uint8_t>(c & 0xFu);
      if (k % f.block_size == 0)
        t.scale_codes[uint64_t{l} * nb + k / f.block_size] = static_cast<uint8_t>((c >> 4) & 0xFFu);
    }
  return t;
}

}  // namespace

// The whole GEMM through numerics' bulk kernels (numerics/gemm.hpp): they are
// bit-exact with the sequential K-order reference, saturation included, which
// is exactly the order the PEs apply products in -- so FAST equals DETAILED
// without re-running the PE datapath per group.
void MacArrayFast::compute(const GemmJob& job, GemmOutput& out) {
  const auto& s = job.shape;
  const int M = int(s.m), N = int(s.n), K = int(s.k);
  const uint64_t outputs = uint64_t{s.m} * s.n;
  const MacFormat& f = job.format;
  // The kernels write every output: no zero fill (resize keeps the buffers).
  out.accumulators.resize(outputs);
  out.fp16.resize(outputs);
  num::GemmConfig cfg;
  cfg.acc_bits = int(params_.accumulator_bits);
  num::GemmStats stats;
  switch (f.precision) {
    case Precision::int4_int4: {
      const int8_t* a = narrow<int8_t>(job.a, a8_);
      const int8_t* b = narrow<int8_t>(job.b, b8_);
      num::gemm_int4_int4(num::row_major(a, M, K), num::row_major(b, K, N), f.output_scale, cfg,
                          out.fp16.data(), out.accumulators.data(), &stats);
      break;
    }
    case Precision::int4_fp4:
      if (f.fp4_operand == Fp4Operand::a) {
        const uint8_t* a = narrow<uint8_t>(job.a, a8_);
        const int8_t* b = narrow<int8_t>(job.b, b8_);
        num::gemm_fp4_int4(num::row_major(a, M, K), num::row_major(b, K, N), f.output_scale, cfg,
                           out.fp16.data(), out.accumulators.data(), &stats);
      } else {
        const int8_t* a = narrow<int8_t>(job.a, a8_);
        const uint8_t* b = narrow<uint8_t>(job.b, b8_);
        num::gemm_int4_fp4(num::row_major(a, M, K), num::row_major(b, K, N), f.output_scale, cfg,
                           out.fp16.data(), out.accumulators.data(), &stats);
      }
      break;
    case Precision::hfp8:
    case Precision::fp16: {
      cfg.mode = num::AccumMode::fp32;
      sums_.resize(outputs);
      if (f.precision == Precision::hfp8) {
        const uint8_t* a = narrow<uint8_t>(job.a, a8_);
        const uint8_t* b = narrow<uint8_t>(job.b, b8_);
        num::gemm_hfp8(num::row_major(a, M, K), f.hfp8_a, num::row_major(b, K, N), f.hfp8_b,
                       f.output_scale.scale, cfg, out.fp16.data(), sums_.data());
      } else {
        num::gemm_fp16(num::row_major(job.a.data(), M, K), num::row_major(job.b.data(), K, N),
                       f.output_scale.scale, cfg, out.fp16.data(), sums_.data());
      }
      for (uint64_t i = 0; i < outputs; ++i)
        out.accumulators[i] = static_cast<int64_t>(std::bit_cast<uint32_t>(sums_[i]));
      break;
    }
    case Precision::mxfp4:
    case Precision::nvfp4: {
      // numerics/block_fp4.hpp: the same block order as the PEs (ascending K
      // blocks, fp32), so the words equal DETAILED's (open block sum 0).
      const num::BlockFp4Tensor a = block_tensor(job.a, s.m, s.k, true, s.k, f);
      const num::BlockFp4Tensor b = block_tensor(job.b, s.n, s.k, false, s.n, f);
      sums_.resize(outputs);
      num::gemm_block_fp4(a, b, nullptr, nullptr, sums_.data());
      for (uint64_t i = 0; i < outputs; ++i) {
        out.accumulators[i] = static_cast<int64_t>(std::bit_cast<uint32_t>(sums_[i]));
        out.fp16[i] = num::fp64_to_fp16(static_cast<double>(sums_[i]) *
                                        static_cast<double>(f.output_scale.scale));
      }
      break;
    }
  }
  events_.saturations += stats.saturations;
  events_.zero_products += count_zero_products(job);
}

namespace {

// Zero-gated products, counted without visiting M*N*K: a product (m,n,k) is
// gated when A(m,k) or B(k,n) is zero.
template <class ZeroA, class ZeroB>
uint64_t gated_products(const GemmJob& job, ZeroA zero_a, ZeroB zero_b,
                        std::vector<uint64_t>& a_zeros) {
  const auto& s = job.shape;
  a_zeros.assign(s.k, 0);
  const OperandCode* a = job.a.data();
  for (uint32_t m = 0; m < s.m; ++m, a += s.k)
    for (uint32_t i = 0; i < s.k; ++i) a_zeros[i] += zero_a(a[i]);
  uint64_t gated = 0;
  const OperandCode* b = job.b.data();
  for (uint32_t i = 0; i < s.k; ++i, b += s.n) {
    uint64_t b_zeros = 0;
    for (uint32_t n = 0; n < s.n; ++n) b_zeros += zero_b(b[n]);
    gated += a_zeros[i] * s.n + b_zeros * s.m - a_zeros[i] * b_zeros;
  }
  return gated;
}

}  // namespace

// Whether a code is zero is asked of the datapath once per distinct low byte
// (a 256-entry table), not once per operand: INT4 and FP4 codes are decoded
// from their low byte only, HFP8 codes above 255 go to the datapath. An FP16
// code is zero exactly when its bits other than the sign are.
uint64_t MacArrayFast::count_zero_products(const GemmJob& job) {
  const Precision p = job.format.precision;
  if (p == Precision::fp16) {
    auto zero = [](OperandCode c) { return (c & 0x7FFFu) == 0; };
    return gated_products(job, zero, zero, a_zeros_);
  }
  bool a_zero[256], b_zero[256];
  for (uint32_t c = 0; c < 256; ++c) {
    a_zero[c] = datapath_->a_is_zero(static_cast<OperandCode>(c));
    b_zero[c] = datapath_->b_is_zero(static_cast<OperandCode>(c));
  }
  if (p != Precision::hfp8)
    return gated_products(
        job, [&](OperandCode c) { return a_zero[c & 0xFFu]; },
        [&](OperandCode c) { return b_zero[c & 0xFFu]; }, a_zeros_);
  const MacDatapath& dp = *datapath_;
  return gated_products(
      job, [&](OperandCode c) { return c < 256 ? a_zero[c] : dp.a_is_zero(c); },
      [&](OperandCode c) { return c < 256 ? b_zero[c] : dp.b_is_zero(c); }, a_zeros_);
}

void MacArrayFast::run(const GemmJob& job, GemmOutput& out) {
  begin_job(job);
  // Under SCALE-Sim's convention the GEMM also includes its OFMAP
  // write-buffer stalls (scalesim_timing.hpp); Nibble's own has none here.
  const bool scalesim = params_.timing_model == TimingModel::scalesim_v2;
  const ScaleSimCycles ss =
      scalesim ? scalesim_gemm_cycles(params_, job.format.precision, job.shape, job.scalesim_layer)
               : ScaleSimCycles{};
  const uint64_t cycles =
      scalesim ? ss.total : gemm_cycles(params_, job.format.precision, job.shape);
  out.stall_cycles = ss.stalls;
  if (compute_values_) {
    compute(job, out);
    count_job_events(job, events_.zero_products);
    counters_.accumulator_saturations += events_.saturations;
  } else {
    out.accumulators.clear();
    out.fp16.clear();
    count_job_events(job, 0);  // estimated from the configured densities
  }
  counters_.folds +=
      scalesim ? ss.folds : fold_geometry(params_, job.format.precision, job.shape).folds();
  counters_.macs[static_cast<int>(job.format.precision)] +=
      uint64_t{job.shape.m} * job.shape.n * job.shape.k;
  wait(clock_period_ * static_cast<double>(cycles));
  out.cycles = cycles;
  counters_.busy_cycles += cycles;
  ++counters_.gemms;
}

}  // namespace nibble::hw
