#pragma once
// Scale unit: per-tensor statistics (max|x|, sum|x|, sum x^2 for SAWB), the
// per-layer scale registers, and FP16 -> INT4 (weights) / PACT UINT4|INT4
// (activations) quantization into the scratchpad. Arithmetic from numerics
// (int4.hpp tensor_stats, quantize_bulk.hpp). Timing it owns:
//   statistics pass  T(n) = ceil(n/V) + L - 1
//   register update  register_update_cycles
//   quantize pass    T(n)
#include <systemc>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hw_models/numerics/float_format.hpp"
#include "hw_models/numerics/fp4_channels.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"
#include "hw_models/stats.hpp"
#include "hw_models/vector_unit_params.hpp"

namespace nibble::hw {

struct ScaleUnitCounters {
  uint64_t stat_passes = 0;
  uint64_t quantize_passes = 0;
  uint64_t register_updates = 0;
  uint64_t elements = 0;
  uint64_t busy_cycles = 0;
};

class ScaleUnit : public sc_core::sc_module {
 public:
  ScaleUnit(sc_core::sc_module_name name, const ScaleUnitParams& params,
            sc_core::sc_time clock_period, bool compute_values);

  uint64_t pass_cycles(uint64_t elements) const;

  // Blocking calls (from an SC_THREAD); each returns the cycles it took.
  uint64_t gather_stats(std::span<const uint16_t> x_fp16, num::TensorStats& stats);
  uint64_t write_register(uint32_t index, float value);
  uint64_t quantize_weights(std::span<const uint16_t> w_fp16, float step, int max_code,
                            std::span<int8_t> codes, uint64_t* clipped = nullptr);
  uint64_t quantize_activations(std::span<const uint16_t> x_fp16, float alpha,
                                const num::PactConfig& pact, std::span<int8_t> codes,
                                uint64_t* clipped = nullptr);

  // The same timing and counters for n elements without their values
  // (workload runs carry no tensor data).
  uint64_t gather_stats_shapes(uint64_t elements);
  // Block-scaled FP4: one statistics pass finds every block's max|x| (and
  // the NVFP4 tensor's, in the same pass) and encodes the E8M0 / UE4M3 scale
  // at the end of each block (numerics/block_scale.hpp); the LGU then writes
  // the elements. T(n) as any statistics pass.
  uint64_t block_scales_pass(uint64_t elements);
  uint64_t quantize_shapes(uint64_t elements);

  // FP32 inputs (the trainer's master weights, FP32 activations and
  // gradients): the same passes and cycles. The statistics pass computes
  // what the register update needs with numerics' one copy of the formula:
  // the INT4 clip alpha (SAWB/max/MSE) or max|x| (GradScale, loss scale).
  uint64_t weight_alpha(std::span<const float> w, const num::Int4WeightConfig& cfg, float& alpha);
  uint64_t max_abs(std::span<const float> x, float& max_abs_value);
  // The same one pass, latching max|x| per channel (per-channel GradScale of
  // dW, numerics/fp4_channels.hpp); the tensor's max is the largest.
  uint64_t channel_max_abs(std::span<const float> x, int rows, int cols, num::ChannelAxis axis,
                           std::span<float> channel_max);
  // clipped (optional): += the elements the quantizer's clamp changed
  // (numerics/quantize_bulk.hpp), counted in the same pass.
  uint64_t quantize_weights(std::span<const float> w, float step, int max_code,
                            std::span<int8_t> codes, uint64_t* clipped = nullptr);
  // Per-channel grids (numerics/int4.hpp quantize_int4_rows): the same one
  // pass as quantize_weights. Each row's statistics were latched at its end
  // in the statistics pass (weight_alpha), so the row's step is ready when
  // the row streams back; row_factor (one per row) goes to the SFU for dW.
  uint64_t quantize_weight_rows(std::span<const float> w, const num::Int4WeightConfig& cfg,
                                float tensor_step, std::span<int8_t> codes,
                                std::span<float> row_factor, uint64_t* clipped = nullptr);
  uint64_t quantize_activations(std::span<const float> x, float alpha, const num::PactConfig& pact,
                                std::span<int8_t> codes, uint64_t* clipped = nullptr);
  // FP32 -> FP16 / HFP8 with a power-of-two scale 2^exp (first/last layers).
  uint64_t convert_fp16(std::span<const float> x, int exp, std::span<uint16_t> codes);
  uint64_t convert_float8(std::span<const float> x, const num::FloatFormat& f, int exp,
                          std::span<uint8_t> codes);

  float scale_register(uint32_t index) const;
  uint32_t register_count() const { return static_cast<uint32_t>(registers_.size()); }
  uint64_t completed() const {
    return counters_.stat_passes + counters_.quantize_passes + counters_.register_updates;
  }
  const ScaleUnitCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  uint64_t pass(uint64_t elements);
  void check_register(uint32_t index) const;
  std::vector<float> to_fp32(std::span<const uint16_t> x) const;

  ScaleUnitParams params_;
  sc_core::sc_time clock_period_;
  bool compute_values_;
  std::vector<float> registers_;
  ScaleUnitCounters counters_;
};

}  // namespace nibble::hw
