#include "hw_models/scale_unit.hpp"

#include "hw_models/lane_pipeline.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"
#include "hw_models/numerics/tensor_ops.hpp"

namespace nibble::hw {

ScaleUnit::ScaleUnit(sc_core::sc_module_name name, const ScaleUnitParams& params,
                     sc_core::sc_time clock_period, bool compute_values)
    : sc_core::sc_module(name),
      params_(params),
      clock_period_(clock_period),
      compute_values_(compute_values),
      registers_(params.scale_registers, 0.0f) {
  if (params_.lanes == 0 || params_.latency_cycles == 0 || params_.register_update_cycles == 0)
    throw InputError(std::string(basename()) + ": scale unit lanes and latencies must be >= 1");
}

uint64_t ScaleUnit::pass_cycles(uint64_t elements) const {
  return lane_pipeline_cycles(elements, params_.lanes, params_.latency_cycles);
}

uint64_t ScaleUnit::pass(uint64_t elements) {
  const uint64_t t = pass_cycles(elements);
  wait(clock_period_ * static_cast<double>(t));
  counters_.elements += elements;
  counters_.busy_cycles += t;
  return t;
}

std::vector<float> ScaleUnit::to_fp32(std::span<const uint16_t> x) const {
  std::vector<float> f(x.size());
  num::fp16_to_fp32_bulk(x, f);
  return f;
}

uint64_t ScaleUnit::gather_stats(std::span<const uint16_t> x_fp16, num::TensorStats& stats) {
  if (compute_values_) stats = num::tensor_stats(to_fp32(x_fp16));
  const uint64_t t = pass(x_fp16.size());
  ++counters_.stat_passes;
  return t;
}

uint64_t ScaleUnit::gather_stats_shapes(uint64_t elements) {
  const uint64_t t = pass(elements);
  ++counters_.stat_passes;
  return t;
}

uint64_t ScaleUnit::block_scales_pass(uint64_t elements) {
  return gather_stats_shapes(elements);
}

uint64_t ScaleUnit::quantize_shapes(uint64_t elements) {
  const uint64_t t = pass(elements);
  ++counters_.quantize_passes;
  return t;
}

void ScaleUnit::check_register(uint32_t index) const {
  if (index >= registers_.size())
    throw InputError(std::string(name()) + ": scale register " + std::to_string(index) +
                     " does not exist (" + std::to_string(registers_.size()) + " registers)");
}

uint64_t ScaleUnit::write_register(uint32_t index, float value) {
  check_register(index);
  wait(clock_period_ * static_cast<double>(params_.register_update_cycles));
  registers_[index] = value;  // visible once the update latency has passed
  counters_.busy_cycles += params_.register_update_cycles;
  ++counters_.register_updates;
  return params_.register_update_cycles;
}

uint64_t ScaleUnit::weight_alpha(std::span<const float> w, const num::Int4WeightConfig& cfg,
                                 float& alpha) {
  if (compute_values_) alpha = num::int4_alpha(w, cfg);
  const uint64_t t = pass(w.size());
  ++counters_.stat_passes;
  return t;
}

uint64_t ScaleUnit::max_abs(std::span<const float> x, float& max_abs_value) {
  if (compute_values_) max_abs_value = num::max_abs(x);
  const uint64_t t = pass(x.size());
  ++counters_.stat_passes;
  return t;
}

uint64_t ScaleUnit::channel_max_abs(std::span<const float> x, int rows, int cols,
                                    num::ChannelAxis axis, std::span<float> channel_max) {
  if (compute_values_) num::channel_max_abs(x, rows, cols, axis, channel_max);
  const uint64_t t = pass(x.size());
  ++counters_.stat_passes;
  return t;
}

uint64_t ScaleUnit::quantize_weights(std::span<const float> w, float step, int max_code,
                                     std::span<int8_t> codes, uint64_t* clipped) {
  if (compute_values_) num::quantize_int4_bulk(w, step, max_code, codes, clipped);
  const uint64_t t = pass(w.size());
  ++counters_.quantize_passes;
  return t;
}

uint64_t ScaleUnit::quantize_weight_rows(std::span<const float> w, const num::Int4WeightConfig& cfg,
                                         float tensor_step, std::span<int8_t> codes,
                                         std::span<float> row_factor, uint64_t* clipped) {
  if (compute_values_)
    num::quantize_int4_rows(w, row_factor.size(), cfg, tensor_step, codes, row_factor, clipped);
  const uint64_t t = pass(w.size());
  ++counters_.quantize_passes;
  return t;
}

uint64_t ScaleUnit::quantize_activations(std::span<const float> x, float alpha,
                                         const num::PactConfig& pact, std::span<int8_t> codes,
                                         uint64_t* clipped) {
  if (compute_values_) num::pact_quantize_bulk(x, alpha, pact, codes, clipped);
  const uint64_t t = pass(x.size());
  ++counters_.quantize_passes;
  return t;
}

uint64_t ScaleUnit::convert_fp16(std::span<const float> x, int exp, std::span<uint16_t> codes) {
  if (compute_values_) num::fp32_to_fp16_scaled_bulk(x, exp, codes);
  const uint64_t t = pass(x.size());
  ++counters_.quantize_passes;
  return t;
}

uint64_t ScaleUnit::convert_float8(std::span<const float> x, const num::FloatFormat& f, int exp,
                                   std::span<uint8_t> codes) {
  if (compute_values_) num::encode_float_scaled_bulk(f, x, exp, codes);
  const uint64_t t = pass(x.size());
  ++counters_.quantize_passes;
  return t;
}

float ScaleUnit::scale_register(uint32_t index) const {
  check_register(index);
  return registers_[index];
}

uint64_t ScaleUnit::quantize_weights(std::span<const uint16_t> w_fp16, float step, int max_code,
                                     std::span<int8_t> codes, uint64_t* clipped) {
  if (compute_values_) num::quantize_int4_bulk(to_fp32(w_fp16), step, max_code, codes, clipped);
  const uint64_t t = pass(w_fp16.size());
  ++counters_.quantize_passes;
  return t;
}

uint64_t ScaleUnit::quantize_activations(std::span<const uint16_t> x_fp16, float alpha,
                                         const num::PactConfig& pact, std::span<int8_t> codes,
                                         uint64_t* clipped) {
  if (compute_values_) num::pact_quantize_bulk(to_fp32(x_fp16), alpha, pact, codes, clipped);
  const uint64_t t = pass(x_fp16.size());
  ++counters_.quantize_passes;
  return t;
}

void ScaleUnit::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".stat_passes", "events", "Statistics passes (max|x|, sum|x|, sum x^2)",
               &counters_.stat_passes);
  registry.add(prefix + ".quantize_passes", "events", "FP16 -> INT4/UINT4 quantize passes",
               &counters_.quantize_passes);
  registry.add(prefix + ".register_updates", "events", "Scale register writes",
               &counters_.register_updates);
  registry.add(prefix + ".elements", "elements", "Elements read by the scale unit",
               &counters_.elements);
  registry.add(prefix + ".busy_cycles", "cycles", "Cycles the scale unit was busy",
               &counters_.busy_cycles);
}

}  // namespace nibble::hw
