#pragma once
// Block scales of the block-scaled FP4 formats (docs/numerics.md section 10).
//
// E8M0 (OCP MX v1.0 section 5.4.1): 8-bit biased exponent, value 2^(code-127)
// for codes 0..254 (2^-127 .. 2^127), code 255 = NaN. No sign, no mantissa.
// The scale exponent of a block whose largest magnitude is amax (an fp32
// value, exact arithmetic throughout, k = floor(log2 amax), m = amax / 2^k):
//   floor : k - 2                     (OCP v1.0 section 6.3; microxcaling
//                                      _shared_exponents with emax_elem = 2)
//   ceil  : ceil(log2(amax / 6)) = k - 2 if m <= 1.5 else k - 1; never
//           saturates an element (TransformerEngine's MXFP4 reference
//           cast_to_e8, the MXFP8 recipe's "round up")
//   even  : k' - 2 where k' = floor(log2) of amax rounded to E2M1's one
//           mantissa bit (ties away): k' = k + 1 iff m >= 1.75 (torchao
//           ScaleCalculationMode.EVEN)
// then clamped to [-127, 127]. amax == 0 gives -127 (code 0). An amax that
// is NaN or inf (any NaN/inf in the block) gives the NaN code 255.
//
// UE4M3: the unsigned FP8 E4M3 (OCP FP8 "E4M3FN": bias 7, subnormals, only
// S.1111.111 is NaN, max 448) used by NVFP4 block scales; sign bit always 0.
//
// NVFP4 two-level scaling, every step an fp32 operation as in
// TransformerEngine's reference quantizer (reference_nvfp4.py):
//   S_enc = min(fp32(448 * 6 / global_amax), FLT_MAX); S_enc = 1 if it is 0
//   S_dec = fp32(1 / S_enc)
//   block scale  = UE4M3(clamp(min(fp32(amax * fp32(S_enc * fp32(1/6))), FLT_MAX), 0, 448))
//   element encode scale = min(fp32(1 / fp32(UE4M3 value * S_dec)), FLT_MAX)
#include <cstdint>

#include "hw_models/numerics/float_format.hpp"

namespace nibble::num {

enum class ScaleRounding : uint8_t { floor, ceil, even };

inline constexpr int kE8m0Bias = 127;
inline constexpr int kE8m0MinExp = -127;
inline constexpr int kE8m0MaxExp = 127;
inline constexpr uint8_t kE8m0Nan = 0xFF;

// Scale code for a block maximum amax >= 0 (NaN/inf -> kE8m0Nan).
uint8_t e8m0_scale_code(float amax, ScaleRounding r);
inline int e8m0_exp(uint8_t code) {
  return static_cast<int>(code) - kE8m0Bias;
}
double e8m0_decode(uint8_t code);  // 2^(code-127); NaN for 255
// Whether e8m0_scale_code clamped the exponent into [-127, 127] (a finite,
// nonzero amax only).
bool e8m0_scale_clamped(float amax, ScaleRounding r);

// UE4M3 as a FloatFormat (encode_float/decode_float); codes 0x00..0x7F.
inline constexpr FloatFormat kUe4m3{.exp_bits = 4,
                                    .man_bits = 3,
                                    .bias = 7,
                                    .specials = Specials::nan_only,
                                    .subnormals = true,
                                    .saturate = true};
inline constexpr uint8_t kUe4m3Nan = 0x7F;
inline constexpr float kUe4m3Max = 448.0f;

struct Nvfp4TensorScale {
  float encode = 1.0f;  // S_enc
  float decode = 1.0f;  // S_dec = fp32(1 / S_enc)
};
Nvfp4TensorScale nvfp4_tensor_scale(float global_amax);
uint8_t nvfp4_block_scale_code(float block_amax, const Nvfp4TensorScale& t);
// Whether nvfp4_block_scale_code clamped the scale at 448 (UE4M3 overflow).
bool nvfp4_block_scale_clamped(float block_amax, const Nvfp4TensorScale& t);
// The fp32 factor the elements of a block are multiplied by before rounding.
float nvfp4_element_encode_scale(uint8_t scale_code, const Nvfp4TensorScale& t);
double ue4m3_decode(uint8_t code);  // NaN for 0x7F
// encode_float(kUe4m3, d) for 0 <= d <= 448 by fp32 bit arithmetic (RNE);
// any other d goes to encode_float.
uint8_t ue4m3_encode_nonneg(float d);

}  // namespace nibble::num
