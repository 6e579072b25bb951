#pragma once
// IEEE 754 binary16 ("FP16", 1-5-10, bias 15, subnormals, inf/NaN), used by
// the array output, the SFU and the first/last layers.
// Conversions round to nearest, ties to even; overflow goes to +-inf
// (|x| >= 65520 rounds to inf). NaN -> quiet NaN keeping the sign and the top
// 10 payload bits (the x86 F16C behaviour), so results are reproducible.
#include <cstdint>

#include "hw_models/numerics/float_format.hpp"

namespace nibble::num {

inline constexpr FloatFormat kFp16{.exp_bits = 5,
                                   .man_bits = 10,
                                   .bias = 15,
                                   .specials = Specials::ieee,
                                   .subnormals = true,
                                   .saturate = false};

uint16_t fp32_to_fp16(float x);
uint16_t fp64_to_fp16(double x);  // single rounding from double (not via fp32)
float fp16_to_fp32(uint16_t h);   // exact

inline float round_to_fp16(float x) {
  return fp16_to_fp32(fp32_to_fp16(x));
}

// FP16 adder: exact sum rounded once to FP16 (what a hardware FP16 adder does).
uint16_t fp16_add(uint16_t a, uint16_t b);

}  // namespace nibble::num
