#pragma once
// Numerics health of a GEMM layer over some training steps (an epoch): what
// its quantizers clipped or flushed to zero, how often its GradScale moved,
// and how often its accumulators saturated, per pass. The counts come from
// the executor (QuantizeOp::counts, GemmOp::counts), so the software trainer
// and the closed loop on the chip report the same numbers. report.json's
// "numerics_health" (train_report.hpp, docs/trainer.md) is built from them.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/trainer/executor.hpp"

namespace nibble::train {

struct LayerHealth {
  GemmCounts forward, dx, dw;
  // 4-bit quantizers only (int4/uint4, fp4_radix4, mxfp4/nvfp4); FP16 and
  // HFP8 tensors are not counted.
  QuantCounts weights, activations, gradients;
  uint64_t gradscale_updates = 0;  // gradient scale register writes after the first
  uint64_t gradscale_changes = 0;  // of those, the ones that changed the exponent
  LayerHealth& operator+=(const LayerHealth& o) {
    forward += o.forward;
    dx += o.dx;
    dw += o.dw;
    weights += o.weights;
    activations += o.activations;
    gradients += o.gradients;
    gradscale_updates += o.gradscale_updates;
    gradscale_changes += o.gradscale_changes;
    return *this;
  }
  bool operator==(const LayerHealth&) const = default;
};

// One layer's health in one epoch, named as in the report's gemm_layers.
struct LayerHealthRecord {
  std::string layer, precision;
  LayerHealth health;
  bool operator==(const LayerHealthRecord&) const = default;
};

}  // namespace nibble::train
