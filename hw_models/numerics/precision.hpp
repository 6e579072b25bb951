#pragma once
// The datapath precision modes of the MAC array.
#include <cstdint>

namespace nibble {

enum class Precision : uint8_t {
  int4_int4,  // INT4 weights x UINT4/INT4 activations (forward)
  int4_fp4,   // INT4 x radix-4 FP4 gradients: shift-add, no multiplier (dX, dW)
  hfp8,       // HFP8 1-4-3 forward / 1-5-2 backward
  fp16,       // IEEE binary16 (first and last layers)
  mxfp4,      // OCP MXFP4: E2M1 x E2M1, one E8M0 scale per K block (numerics/block_fp4.hpp)
  nvfp4,      // NVFP4: E2M1 x E2M1, one UE4M3 scale per K block, FP32 tensor scales
};

inline constexpr int kNumPrecisions = 6;

// The mode's key in configs and reports (macs_per_cycle_per_pe/<key>,
// array.macs_<key>).
inline constexpr const char* kPrecisionKeys[kNumPrecisions] = {"int4_int4", "int4_fp4", "hfp8",
                                                               "fp16",      "mxfp4",    "nvfp4"};
constexpr const char* precision_key(Precision p) {
  return kPrecisionKeys[static_cast<int>(p)];
}

constexpr bool is_block_fp4(Precision p) {
  return p == Precision::mxfp4 || p == Precision::nvfp4;
}

}  // namespace nibble
