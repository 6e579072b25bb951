#include "hw_models/sfu.hpp"

#include "hw_models/numerics/tensor_ops.hpp"

#include "hw_models/lane_pipeline.hpp"
#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Sfu::Sfu(sc_core::sc_module_name name, const SfuParams& params, sc_core::sc_time clock_period)
    : sc_core::sc_module(name), params_(params), clock_period_(clock_period) {
  if (params_.lanes == 0 || params_.fp16_latency_cycles == 0 || params_.fp32_latency_cycles == 0)
    throw InputError(std::string(basename()) + ": sfu lanes and latencies must be >= 1");
}

uint64_t Sfu::cycles(const SfuOp& op, uint64_t elements) const {
  return lane_pipeline_cycles(elements * op.ops_per_element, params_.lanes,
                              op.fp32 ? params_.fp32_latency_cycles : params_.fp16_latency_cycles);
}

uint64_t Sfu::run(const SfuOp& op, uint64_t elements) {
  const uint64_t t = cycles(op, elements);
  wait(clock_period_ * static_cast<double>(t));
  const uint64_t n = elements * op.ops_per_element;
  (op.fp32 ? counters_.fp32_ops : counters_.fp16_ops) += n;
  counters_.ops += 1;
  counters_.busy_cycles += t;
  return t;
}

uint64_t Sfu::sgd_update(std::span<float> w, std::span<float> v, std::span<const float> g, float lr,
                         float momentum, float weight_decay, std::span<const float> row_factor) {
  num::sgd_momentum_update(w, v, g, lr, momentum, weight_decay, row_factor);
  const SfuOp op{
      .fp32 = true,
      .ops_per_element = (weight_decay != 0.0f ? 6u : 4u) + (row_factor.empty() ? 0u : 1u)};
  return run(op, w.size());
}

void Sfu::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".ops", "events", "SFU element-wise op passes", &counters_.ops);
  registry.add(prefix + ".fp16_ops", "FLOPs", "FP16 element operations", &counters_.fp16_ops);
  registry.add(prefix + ".fp32_ops", "FLOPs", "FP32 element operations", &counters_.fp32_ops);
  registry.add(prefix + ".busy_cycles", "cycles", "Cycles the SFU was busy",
               &counters_.busy_cycles);
}

}  // namespace nibble::hw
