#pragma once
// Parameters of the lane-parallel units beside the array: the log-domain
// gradient unit (LGU), the scale unit and the SFU.
#include <cstdint>
#include <string>

#include "hw_models/param_decl.hpp"

namespace nibble::hw {

// Log-domain gradient unit: FP16 -> radix-4 FP4 with GradScale, both TPR phases.
struct LguParams {
  uint32_t lanes = 16;
  uint32_t latency_cycles = 3;
  bool both_phases_per_pass = true;
  uint32_t hadamard_latency_cycles = 4;

  template <class V>
  void declare(V& v) {
    v.param("lanes", lanes,
            {.unit = "elements/cycle",
             .desc = "FP16 gradients quantized per cycle",
             .min = 1,
             .max = 4096,
             .required = true});
    v.param("latency_cycles", latency_cycles,
            {.unit = "cycles",
             .desc = "Pipeline latency from FP16 in to FP4 code out",
             .min = 1,
             .max = 64});
    v.param("both_phases_per_pass", both_phases_per_pass,
            {.desc = "One pass emits the even and odd TPR copies (else two passes)"});
    v.param("hadamard_latency_cycles", hadamard_latency_cycles,
            {.unit = "cycles",
             .desc = "Extra pipeline stages of the 16-point Hadamard stage in front of the E2M1 "
                     "encoder (log2 16 = 4 butterfly stages; 4 FP32 adders per lane)",
             .min = 1,
             .max = 64});
  }
  template <class C>
  void check(C&) const {}
};

// Scale unit: per-tensor statistics (max|x|, sum|x|, sum x^2), the per-layer
// scale registers, and FP16 -> INT4/UINT4 quantization into the scratchpad.
struct ScaleUnitParams {
  uint32_t lanes = 16;
  uint32_t latency_cycles = 4;
  uint32_t register_update_cycles = 2;
  uint32_t scale_registers = 64;

  template <class V>
  void declare(V& v) {
    v.param("lanes", lanes,
            {.unit = "elements/cycle",
             .desc = "Elements reduced or quantized per cycle",
             .min = 1,
             .max = 4096,
             .required = true});
    v.param("latency_cycles", latency_cycles,
            {.unit = "cycles",
             .desc = "Pipeline latency of a reduction or quantize pass",
             .min = 1,
             .max = 64});
    v.param("register_update_cycles", register_update_cycles,
            {.unit = "cycles",
             .desc = "Cycles to compute and write a scale register after its statistics",
             .min = 1,
             .max = 64});
    v.param("scale_registers", scale_registers,
            {.unit = "registers",
             .desc = "Per-layer scale registers held on chip",
             .min = 1,
             .max = 65536});
  }
  template <class C>
  void check(C&) const {}
};

// Special function / vector unit: FP16/FP32 element-wise work including the
// SGD-with-momentum weight update on FP32 master weights.
struct SfuParams {
  uint32_t lanes = 16;
  uint32_t fp16_latency_cycles = 2;
  uint32_t fp32_latency_cycles = 4;

  template <class V>
  void declare(V& v) {
    v.param("lanes", lanes,
            {.unit = "elements/cycle",
             .desc = "Element-wise operations per cycle",
             .min = 1,
             .max = 4096,
             .required = true});
    v.param("fp16_latency_cycles", fp16_latency_cycles,
            {.unit = "cycles",
             .desc = "Pipeline latency of an FP16 element-wise op",
             .min = 1,
             .max = 64});
    v.param("fp32_latency_cycles", fp32_latency_cycles,
            {.unit = "cycles",
             .desc = "Pipeline latency of an FP32 element-wise op (weight update)",
             .min = 1,
             .max = 64});
  }
  template <class C>
  void check(C&) const {}
};

}  // namespace nibble::hw
