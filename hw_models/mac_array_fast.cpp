#include "hw_models/mac_array_fast.hpp"

#include <bit>

#include "hw_models/numerics/gemm.hpp"

namespace nibble::hw {

MacArrayFast::MacArrayFast(sc_core::sc_module_name name, const MacArrayParams& params,
                           sc_core::sc_time clock_period, bool compute_values)
    : MacArray(name, params, clock_period, compute_values) {}

namespace {

template <class T>
std::vector<T> narrow(std::span<const OperandCode> codes) {
  std::vector<T> v(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) v[i] = static_cast<T>(codes[i] & 0xFFu);
  return v;
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
  out.accumulators.assign(outputs, 0);
  out.fp16.assign(outputs, 0);
  num::GemmConfig cfg;
  cfg.acc_bits = int(params_.accumulator_bits);
  num::GemmStats stats;
  switch (f.precision) {
    case Precision::int4_int4: {
      const auto a = narrow<int8_t>(job.a), b = narrow<int8_t>(job.b);
      num::gemm_int4_int4(num::row_major(a.data(), M, K), num::row_major(b.data(), K, N),
                          f.output_scale, cfg, out.fp16.data(), out.accumulators.data(), &stats);
      break;
    }
    case Precision::int4_fp4:
      if (f.fp4_operand == Fp4Operand::a) {
        const auto a = narrow<uint8_t>(job.a);
        const auto b = narrow<int8_t>(job.b);
        num::gemm_fp4_int4(num::row_major(a.data(), M, K), num::row_major(b.data(), K, N),
                           f.output_scale, cfg, out.fp16.data(), out.accumulators.data(), &stats);
      } else {
        const auto a = narrow<int8_t>(job.a);
        const auto b = narrow<uint8_t>(job.b);
        num::gemm_int4_fp4(num::row_major(a.data(), M, K), num::row_major(b.data(), K, N),
                           f.output_scale, cfg, out.fp16.data(), out.accumulators.data(), &stats);
      }
      break;
    case Precision::hfp8:
    case Precision::fp16: {
      cfg.mode = num::AccumMode::fp32;
      std::vector<float> sums(outputs);
      if (f.precision == Precision::hfp8) {
        const auto a = narrow<uint8_t>(job.a), b = narrow<uint8_t>(job.b);
        num::gemm_hfp8(num::row_major(a.data(), M, K), f.hfp8_a, num::row_major(b.data(), K, N),
                       f.hfp8_b, f.output_scale.scale, cfg, out.fp16.data(), sums.data());
      } else {
        num::gemm_fp16(num::row_major(job.a.data(), M, K), num::row_major(job.b.data(), K, N),
                       f.output_scale.scale, cfg, out.fp16.data(), sums.data());
      }
      for (uint64_t i = 0; i < outputs; ++i)
        out.accumulators[i] = static_cast<int64_t>(std::bit_cast<uint32_t>(sums[i]));
      break;
    }
  }
  events_.saturations += stats.saturations;
  // Zero-gated products, counted without visiting M*N*K: a product (m,n,k) is
  // gated when A(m,k) or B(k,n) is zero.
  std::vector<uint64_t> a_zeros(s.k, 0), b_zeros(s.k, 0);
  for (uint32_t m = 0; m < s.m; ++m)
    for (uint32_t i = 0; i < s.k; ++i)
      a_zeros[i] += datapath_->a_is_zero(job.a[uint64_t{m} * s.k + i]);
  for (uint32_t i = 0; i < s.k; ++i)
    for (uint32_t n = 0; n < s.n; ++n)
      b_zeros[i] += datapath_->b_is_zero(job.b[uint64_t{i} * s.n + n]);
  for (uint32_t i = 0; i < s.k; ++i)
    events_.zero_products += a_zeros[i] * s.n + b_zeros[i] * s.m - a_zeros[i] * b_zeros[i];
}

void MacArrayFast::run(const GemmJob& job, GemmOutput& out) {
  begin_job(job);
  const uint64_t cycles = gemm_cycles(params_, job.format.precision, job.shape);
  if (compute_values_) {
    compute(job, out);
    count_job_events(job, events_.zero_products);
    counters_.accumulator_saturations += events_.saturations;
  } else {
    out.accumulators.clear();
    out.fp16.clear();
    count_job_events(job, 0);  // estimated from the configured densities
  }
  counters_.folds += fold_geometry(params_, job.format.precision, job.shape).folds();
  counters_.macs[static_cast<int>(job.format.precision)] +=
      uint64_t{job.shape.m} * job.shape.n * job.shape.k;
  wait(clock_period_ * static_cast<double>(cycles));
  out.cycles = cycles;
  counters_.busy_cycles += cycles;
  ++counters_.gemms;
}

}  // namespace nibble::hw
