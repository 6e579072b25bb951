#include "hw_models/mac_array.hpp"

#include <string>

#include "hw_models/mac_array_detailed.hpp"
#include "hw_models/mac_array_fast.hpp"
#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

MacArray::MacArray(sc_core::sc_module_name name, const MacArrayParams& params,
                   sc_core::sc_time clock_period, bool compute_values)
    : sc_core::sc_module(name),
      params_(params),
      clock_period_(clock_period),
      compute_values_(compute_values) {
  if (params_.rows == 0 || params_.cols == 0 || params_.pe_pipeline_depth == 0)
    throw InputError(std::string(basename()) +
                     ": array rows, cols and pe_pipeline_depth must be >= 1");
  if (params_.accumulation != Accumulation::int_exact)
    throw InputError(
        std::string(basename()) +
        ": accumulation 'fp16_chunked' is not modelled by the MAC array yet (use int_exact)");
  if (params_.accumulator_bits < 2 || params_.accumulator_bits > 64)
    throw InputError(std::string(basename()) + ": accumulator_bits must be in [2, 64]");
}

void MacArray::begin_job(const GemmJob& job) {
  const auto& s = job.shape;
  // The message is built only on error: begin_job runs once per tile step.
  auto who = [&] {
    return std::string(name()) + ": GEMM " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
           std::to_string(s.k);
  };
  if (s.m == 0 || s.n == 0 || s.k == 0) throw InputError(who() + ": M, N and K must be >= 1");
  // The compiler refuses such GEMMs with the chip file and pointer
  // (hw::absent_lane_error); a program built by hand meets this.
  if (params_.macs_per_cycle_per_pe.of(job.format.precision) == 0)
    throw InputError(who() + ": the array has no " + precision_key(job.format.precision) +
                     " lane (macs_per_cycle_per_pe." + precision_key(job.format.precision) +
                     " is 0)");
  if (!compute_values_) return;
  if (job.a.size() != uint64_t{s.m} * s.k)
    throw InputError(who() + ": A holds " + std::to_string(job.a.size()) + " codes, expected M*K");
  if (job.b.size() != uint64_t{s.k} * s.n)
    throw InputError(who() + ": B holds " + std::to_string(job.b.size()) + " codes, expected K*N");
  datapath_ = make_mac_datapath(job.format, params_.accumulator_bits);
  events_ = {};
}

void MacArray::round_outputs(GemmOutput& out) const {
  out.fp16.resize(out.accumulators.size());
  for (size_t i = 0; i < out.accumulators.size(); ++i)
    out.fp16[i] = datapath_->round_output(out.accumulators[i]);
}

void MacArray::count_job_events(const GemmJob& job, uint64_t zero_products) {
  const auto& s = job.shape;
  const uint64_t macs = uint64_t{s.m} * s.n * s.k;
  if (!compute_values_) {
    // P(product gated) = 1 - (1 - za)(1 - zb) for independent operands.
    const double za = params_.assumed_zero_fraction_a, zb = params_.assumed_zero_fraction_b;
    zero_products =
        static_cast<uint64_t>(static_cast<double>(macs) * (1.0 - (1.0 - za) * (1.0 - zb)) + 0.5);
  }
  counters_.zero_gated_macs += zero_products;
  counters_.zero_gated[static_cast<int>(job.format.precision)] += zero_products;
  const uint64_t k = params_.macs_per_cycle_per_pe.of(job.format.precision);
  counters_.register_file_accesses += 2 * uint64_t{s.m} * s.n * ceil_div(s.k, k);
}

void MacArray::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".gemms", "events", "GEMMs run on the array", &counters_.gemms);
  registry.add(prefix + ".folds", "events", "Array folds (stationary tile loads / output tiles)",
               &counters_.folds);
  registry.add(prefix + ".busy_cycles", "cycles", "Cycles the array was busy",
               &counters_.busy_cycles);
  const auto& kModeNames = kPrecisionKeys;
  for (int p = 0; p < kNumPrecisions; ++p)
    registry.add(prefix + ".macs_" + kModeNames[p], "MACs",
                 std::string("Real MACs in mode ") + kModeNames[p], &counters_.macs[p]);
  registry.add(prefix + ".zero_gated_macs", "MACs",
               "MACs with a zero operand (gated, no switching)", &counters_.zero_gated_macs);
  for (int p = 0; p < kNumPrecisions; ++p)
    registry.add(prefix + ".zero_gated_macs_" + kModeNames[p], "MACs",
                 std::string("Zero-gated MACs in mode ") + kModeNames[p], &counters_.zero_gated[p]);
  registry.add(prefix + ".register_file_accesses", "accesses",
               "PE operand-forward and partial-sum register accesses",
               &counters_.register_file_accesses);
  registry.add(prefix + ".accumulator_saturations", "events",
               "Partial-sum additions that saturated", &counters_.accumulator_saturations);
}

std::unique_ptr<MacArray> make_mac_array(FidelityMode mode, sc_core::sc_module_name name,
                                         const MacArrayParams& params,
                                         sc_core::sc_time clock_period) {
  switch (mode) {
    case FidelityMode::detailed:
      // SCALE-Sim's convention is a count of demand lines, not a PE grid:
      // DETAILED computes its (identical) values with the FAST kernels.
      if (params.timing_model == TimingModel::scalesim_v2)
        return std::make_unique<MacArrayFast>(name, params, clock_period, true);
      return std::make_unique<MacArrayDetailed>(name, params, clock_period);
    case FidelityMode::fast:
      return std::make_unique<MacArrayFast>(name, params, clock_period, true);
    case FidelityMode::timing:
      return std::make_unique<MacArrayFast>(name, params, clock_period, false);
  }
  throw SimulationError("unknown fidelity mode");
}

}  // namespace nibble::hw
