#include "hw_models/log_grad_unit.hpp"

#include <vector>

#include "hw_models/lane_pipeline.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/hadamard.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

namespace nibble::hw {

LogGradUnit::LogGradUnit(sc_core::sc_module_name name, const LguParams& params,
                         sc_core::sc_time clock_period, bool compute_values)
    : sc_core::sc_module(name),
      params_(params),
      clock_period_(clock_period),
      compute_values_(compute_values) {
  if (params_.lanes == 0 || params_.latency_cycles == 0)
    throw InputError(std::string(basename()) + ": lgu lanes and latency_cycles must be >= 1");
}

uint64_t LogGradUnit::cycles(uint64_t elements) const {
  const uint64_t pass = lane_pipeline_cycles(elements, params_.lanes, params_.latency_cycles);
  return params_.both_phases_per_pass ? pass : 2 * pass;
}

uint64_t LogGradUnit::quantize(const LguJob& job) {
  const bool fp32_in = !job.gradients_fp32.empty();
  if (fp32_in && !job.gradients_fp16.empty())
    throw InputError(std::string(name()) + ": a job holds either FP16 or FP32 gradients");
  const size_t n = fp32_in ? job.gradients_fp32.size() : job.gradients_fp16.size();
  if (compute_values_) {
    const int copies =
        !job.even_codes.empty() + !job.odd_codes.empty() + !job.channel_codes.empty();
    if (copies > 2)
      throw InputError(std::string(name()) + ": a pass writes at most 2 FP4 copies, not " +
                       std::to_string(copies));
    for (auto out : {job.even_codes, job.odd_codes, job.channel_codes})
      if (!out.empty() && out.size() != n)
        throw InputError(std::string(name()) + ": FP4 output holds " + std::to_string(out.size()) +
                         " codes for " + std::to_string(n) + " gradients");
    std::vector<float> widened;
    std::span<const float> x = job.gradients_fp32;
    if (!fp32_in) {
      widened.resize(n);
      num::fp16_to_fp32_bulk(job.gradients_fp16, widened);
      x = widened;
    }
    if (!job.even_codes.empty())
      num::fp4_quantize_bulk(x, num::fp4_grid_exp(job.gradscale_exp, num::TprPhase::even, job.fp4),
                             job.fp4, job.index_base, job.even_codes, job.counts);
    if (!job.odd_codes.empty())
      num::fp4_quantize_bulk(x, num::fp4_grid_exp(job.gradscale_exp, num::TprPhase::odd, job.fp4),
                             job.fp4, job.index_base, job.odd_codes, job.odd_counts);
    if (!job.channel_codes.empty())
      num::fp4_quantize_channels(x, job.rows, job.cols, job.channel_axis, job.channel_grid_exp,
                                 job.fp4, job.index_base, job.channel_codes, job.channel_counts);
  }
  const uint64_t t = cycles(n);
  wait(clock_period_ * static_cast<double>(t));
  counters_.elements += n;
  counters_.fp4_codes += job.even_codes.size() + job.odd_codes.size() + job.channel_codes.size();
  counters_.busy_cycles += t;
  ++counters_.passes;
  return t;
}

uint64_t LogGradUnit::quantize_shapes(uint64_t elements) {
  const uint64_t t = cycles(elements);
  wait(clock_period_ * static_cast<double>(t));
  counters_.elements += elements;
  counters_.fp4_codes += 2 * elements;
  counters_.busy_cycles += t;
  ++counters_.passes;
  return t;
}

uint64_t LogGradUnit::block_fp4_cycles(uint64_t elements, bool hadamard) const {
  return lane_pipeline_cycles(elements, params_.lanes, params_.latency_cycles) +
         (hadamard && elements > 0 ? params_.hadamard_latency_cycles : 0);
}

uint64_t LogGradUnit::quantize_block_fp4(const LguBlockFp4Job& job) {
  const uint64_t n = uint64_t(job.rows) * uint64_t(job.cols);
  if (compute_values_) {
    if (job.out == nullptr || job.rows < 0 || job.cols < 0 || job.x.size() != n)
      throw InputError(std::string(name()) +
                       ": block fp4 job needs rows x cols inputs and an output");
    *job.out = num::quantize_block_fp4_rht(job.x, job.rows, job.cols, job.format, job.hadamard,
                                           job.sign_mask, job.index_base);
  }
  const uint64_t t = block_fp4_cycles(n, job.hadamard);
  wait(clock_period_ * static_cast<double>(t));
  counters_.elements += n;
  counters_.e2m1_codes += n;
  if (job.hadamard) counters_.hadamard_elements += n;
  counters_.busy_cycles += t;
  ++counters_.passes;
  return t;
}

void LogGradUnit::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".passes", "events", "LGU quantization passes", &counters_.passes);
  registry.add(prefix + ".elements", "elements", "FP16 gradients quantized", &counters_.elements);
  registry.add(prefix + ".fp4_codes", "elements", "FP4 codes written (both TPR phases)",
               &counters_.fp4_codes);
  registry.add(prefix + ".e2m1_codes", "elements", "Block-scaled E2M1 codes written",
               &counters_.e2m1_codes);
  registry.add(prefix + ".hadamard_elements", "elements",
               "Elements through the 16-point Hadamard stage (4 FP32 adds each)",
               &counters_.hadamard_elements);
  registry.add(prefix + ".busy_cycles", "cycles", "Cycles the LGU was busy",
               &counters_.busy_cycles);
}

}  // namespace nibble::hw
