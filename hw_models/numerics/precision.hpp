#pragma once
// The datapath precision modes of the MAC array.
#include <cstdint>

namespace nibble {

enum class Precision : uint8_t {
  int4_int4,  // INT4 weights x UINT4/INT4 activations (forward)
  int4_fp4,   // INT4 x radix-4 FP4 gradients: shift-add, no multiplier (dX, dW)
  hfp8,       // HFP8 1-4-3 forward / 1-5-2 backward
  fp16,       // IEEE binary16 (first and last layers)
};

inline constexpr int kNumPrecisions = 4;

}  // namespace nibble
