// E8M0 and UE4M3 block scales, NVFP4 tensor scale (see block_scale.hpp).
#include "hw_models/numerics/block_scale.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>

#include "hw_models/numerics/e2m1.hpp"

namespace nibble::num {

namespace {
// The scale exponent before the clamp (amax finite and nonzero).
int e8m0_unclamped_exp(float amax, ScaleRounding r) {
  int k2;  // amax = f * 2^k2, f in [0.5, 1): floor(log2 amax) = k2 - 1, m = 2f
  const double m = 2.0 * std::frexp(static_cast<double>(std::fabs(amax)), &k2);
  const int k = k2 - 1;
  switch (r) {
    case ScaleRounding::floor:
      return k - kE2m1Emax;
    case ScaleRounding::ceil:
      return (m <= 1.5 ? k : k + 1) - kE2m1Emax;
    default:
      return (m >= 1.75 ? k + 1 : k) - kE2m1Emax;  // even
  }
}
}  // namespace

bool e8m0_scale_clamped(float amax, ScaleRounding r) {
  if (!std::isfinite(amax) || amax == 0.0f) return false;
  const int e = e8m0_unclamped_exp(amax, r);
  return e < kE8m0MinExp || e > kE8m0MaxExp;
}

uint8_t e8m0_scale_code(float amax, ScaleRounding r) {
  if (!std::isfinite(amax)) return kE8m0Nan;
  int e = amax == 0.0f ? kE8m0MinExp : e8m0_unclamped_exp(amax, r);
  e = std::clamp(e, kE8m0MinExp, kE8m0MaxExp);
  return static_cast<uint8_t>(e + kE8m0Bias);
}

double e8m0_decode(uint8_t code) {
  if (code == kE8m0Nan) return NAN;
  return std::ldexp(1.0, e8m0_exp(code));
}

Nvfp4TensorScale nvfp4_tensor_scale(float global_amax) {
  constexpr float kNum = kUe4m3Max * 6.0f;  // 2688, exact
  float enc = kNum / global_amax;
  enc = std::min(enc, FLT_MAX);  // amax 0 -> inf -> FLT_MAX (NaN stays NaN)
  if (enc == 0.0f) enc = 1.0f;   // amax inf
  return {enc, 1.0f / enc};
}

uint8_t ue4m3_encode_nonneg(float d) {
  const uint32_t bits = std::bit_cast<uint32_t>(d);
  if (bits > 0x43E00000u)  // above 448, negative (-0 too) or NaN: the generic code
    return static_cast<uint8_t>(encode_float(kUe4m3, d));
  if (bits >= 0x3C800000u) {  // d >= 2^-6: normal; the UE4M3 exponent is the fp32 one - 120
    const uint32_t r = bits - (120u << 23);
    return static_cast<uint8_t>((r + 0x7FFFFu + ((r >> 20) & 1u)) >> 20);  // RNE to 3 bits
  }
  // Subnormal (quantum 2^-9): d * 512 is exact; nearbyint rounds half to even.
  return static_cast<uint8_t>(std::nearbyint(d * 512.0f));
}

uint8_t nvfp4_block_scale_code(float block_amax, const Nvfp4TensorScale& t) {
  const float mult = t.encode * (1.0f / 6.0f);  // fp32(S_enc * fp32(1/6)), as TE folds it
  float d = block_amax * mult;
  if (std::isnan(d)) return kUe4m3Nan;
  d = std::min(d, FLT_MAX);
  d = std::clamp(d, -kUe4m3Max, kUe4m3Max);
  return ue4m3_encode_nonneg(d);
}

bool nvfp4_block_scale_clamped(float block_amax, const Nvfp4TensorScale& t) {
  const float mult = t.encode * (1.0f / 6.0f);  // as nvfp4_block_scale_code
  const float d = block_amax * mult;
  return !std::isnan(d) && d > kUe4m3Max;
}

float nvfp4_element_encode_scale(uint8_t scale_code, const Nvfp4TensorScale& t) {
  const float s = decode_float(kUe4m3, scale_code);
  const float prod = s * t.decode;
  const float enc = 1.0f / prod;
  return std::isnan(enc) ? enc : std::min(enc, FLT_MAX);
}

double ue4m3_decode(uint8_t code) {
  return static_cast<double>(decode_float(kUe4m3, code));
}

}  // namespace nibble::num
