#pragma once
// Hybrid FP8 (Sun et al., NeurIPS 2019): 1-4-3 for the forward pass
// (weights, activations), 1-5-2 for the backward pass (gradients).
// Both are FloatFormat instances: every knob (bias, specials, subnormals,
// saturation) is a field a chip config may override. Defaults:
//   1-4-3: bias 7, IEEE specials (top binade = inf/NaN), subnormals,
//          saturating (max finite 240; overflow -> +-240, inf input -> inf).
//   1-5-2: bias 15, IEEE specials, subnormals, saturating (max 57344).
// The paper does not publish its exponent bias; 2^(e-1)-1 is the default.
#include <cstdint>

#include "hw_models/numerics/float_format.hpp"

namespace nibble::num {

inline constexpr FloatFormat kHfp8Fwd143{.exp_bits = 4,
                                         .man_bits = 3,
                                         .bias = 7,
                                         .specials = Specials::ieee,
                                         .subnormals = true,
                                         .saturate = true};
inline constexpr FloatFormat kHfp8Bwd152{.exp_bits = 5,
                                         .man_bits = 2,
                                         .bias = 15,
                                         .specials = Specials::ieee,
                                         .subnormals = true,
                                         .saturate = true};

inline uint8_t fp32_to_hfp8(const FloatFormat& f, float x) {
  return static_cast<uint8_t>(encode_float(f, x));
}
inline float hfp8_to_fp32(const FloatFormat& f, uint8_t code) {
  return decode_float(f, code);
}
// From FP16 (the SFU's format): exact FP16 value, one rounding to HFP8.
inline uint8_t fp16_to_hfp8(const FloatFormat& f, uint16_t h);

}  // namespace nibble::num

#include "hw_models/numerics/fp16.hpp"

namespace nibble::num {
inline uint8_t fp16_to_hfp8(const FloatFormat& f, uint16_t h) {
  return static_cast<uint8_t>(encode_float(f, fp16_to_fp32(h)));
}
}  // namespace nibble::num
