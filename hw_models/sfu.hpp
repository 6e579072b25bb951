#pragma once
// Special-function / vector unit: FP16 and FP32 element-wise work (bias,
// ReLU, pooling, BN, loss, the SGD-with-momentum weight update on FP32
// master weights). Timing it owns: an op with p FP operations per element
// on n elements takes T = ceil(n*p / V) + L - 1, L = fp16_latency_cycles or
// fp32_latency_cycles by the op's precision. The weight update computes its
// values with numerics' sgd_momentum_update (shared with the software
// trainer); other element-wise ops are modelled by timing and op counts.
#include <systemc>

#include <cstdint>
#include <span>
#include <string>

#include "hw_models/stats.hpp"
#include "hw_models/vector_unit_params.hpp"

namespace nibble::hw {

struct SfuOp {
  bool fp32 = false;             // FP32 (weight update) or FP16 op
  uint32_t ops_per_element = 1;  // e.g. SGD with momentum: v = mu*v + g; w -= lr*v -> 4
};

struct SfuCounters {
  uint64_t ops = 0;  // op passes issued
  uint64_t fp16_ops = 0;
  uint64_t fp32_ops = 0;
  uint64_t busy_cycles = 0;
};

class Sfu : public sc_core::sc_module {
 public:
  Sfu(sc_core::sc_module_name name, const SfuParams& params, sc_core::sc_time clock_period);

  uint64_t cycles(const SfuOp& op, uint64_t elements) const;
  uint64_t run(const SfuOp& op, uint64_t elements);  // blocking; returns cycles
  // SGD with momentum and weight decay on FP32 master weights (numerics'
  // sgd_momentum_update, the trainer's one definition): v = mu*v + g + wd*w
  // (4 FP32 ops, 2 more with weight decay), w -= lr*v (2); with row_factor
  // (per-channel weight grids) g is first multiplied by its row's factor
  // (1 more). Blocking.
  uint64_t sgd_update(std::span<float> w, std::span<float> v, std::span<const float> g, float lr,
                      float momentum, float weight_decay, std::span<const float> row_factor = {});

  uint64_t completed() const { return counters_.ops; }
  const SfuCounters& counters() const { return counters_; }
  void register_stats(StatRegistry& registry, const std::string& prefix) const;

 private:
  SfuParams params_;
  sc_core::sc_time clock_period_;
  SfuCounters counters_;
};

}  // namespace nibble::hw
