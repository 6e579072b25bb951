#include "hw_models/mac_array_fast.hpp"

#include "hw_models/mac_accumulator.hpp"

namespace nibble::hw {

MacArrayFast::MacArrayFast(sc_core::sc_module_name name, const MacArrayParams& params,
                           sc_core::sc_time clock_period, std::shared_ptr<const MacDatapath> datapath)
    : MacArray(name, params, clock_period, std::move(datapath)) {}

// Same reduction groups, same ascending-K order and same saturating adder as
// the PEs, so results match DETAILED bit for bit even under saturation.
// (With no saturation possible, a vectorised numerics GEMM kernel could
// replace this loop: the exact accumulation makes order irrelevant.)
void MacArrayFast::compute(const GemmJob& job, GemmOutput& out) {
  const auto& s = job.shape;
  const uint32_t k = params_.macs_per_cycle_per_pe.of(job.precision);
  const uint32_t kg = static_cast<uint32_t>(ceil_div(s.k, k));
  const uint32_t kpad = kg * k;
  // Operands packed group-contiguous and zero-padded to whole groups, as the
  // PE registers hold them.
  std::vector<OperandCode> a(uint64_t{s.m} * kpad, 0), bt(uint64_t{s.n} * kpad, 0);
  for (uint32_t m = 0; m < s.m; ++m)
    for (uint32_t i = 0; i < s.k; ++i) a[uint64_t{m} * kpad + i] = job.a[uint64_t{m} * s.k + i];
  for (uint32_t i = 0; i < s.k; ++i)
    for (uint32_t n = 0; n < s.n; ++n) bt[uint64_t{n} * kpad + i] = job.b[uint64_t{i} * s.n + n];

  const SaturatingAccumulator adder(params_.accumulator_bits);
  uint64_t zero_products = 0;
  out.accumulators.assign(uint64_t{s.m} * s.n, 0);
  for (uint32_t m = 0; m < s.m; ++m) {
    const OperandCode* arow = &a[uint64_t{m} * kpad];
    for (uint32_t n = 0; n < s.n; ++n) {
      const OperandCode* bcol = &bt[uint64_t{n} * kpad];
      int64_t acc = 0;
      for (uint32_t g = 0; g < kg; ++g)
        acc = adder.add(acc, datapath_->group_sum(arow + g * k, bcol + g * k, k, zero_products),
                        counters_.accumulator_saturations);
      out.accumulators[uint64_t{m} * s.n + n] = acc;
    }
  }
  // Padding codes are zero products too; count only the real MACs.
  counters_.zero_gated_macs += zero_products - uint64_t{s.m} * s.n * (kpad - s.k);
  round_outputs(out);
}

void MacArrayFast::run(const GemmJob& job, GemmOutput& out) {
  check_job(job);
  const uint64_t cycles = gemm_cycles(params_, job.precision, job.shape);
  if (arithmetic_enabled()) {
    compute(job, out);
  } else {
    out.accumulators.clear();
    out.fp16.clear();
  }
  counters_.folds += fold_geometry(params_, job.precision, job.shape).folds();
  counters_.macs[static_cast<int>(job.precision)] += uint64_t{job.shape.m} * job.shape.n * job.shape.k;
  wait(static_cast<double>(cycles) * clock_period_);
  out.cycles = cycles;
  counters_.busy_cycles += cycles;
  ++counters_.gemms;
}

}  // namespace nibble::hw
