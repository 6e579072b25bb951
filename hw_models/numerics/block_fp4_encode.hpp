#pragma once
// Internal: the block quantizer's bulk steps (block maximum, E2M1 element
// codes of one block), vectorised where the CPU allows, bit-identical to the
// element-at-a-time rule of e2m1.hpp / block_fp4.hpp (quantize_block_fp4_ref).
//
// Round-to-nearest needs no per-element scaling: with the block's scale
// applied, E2M1 nearest-even is the count of thresholds the magnitude
// passes, |y| > 0.25, >= 0.75, > 1.25, >= 1.75, > 2.5, >= 3.5, > 5 (ties to
// the even mantissa; nearest-away uses >= everywhere). For MXFP4,
// y = x * 2^-e exactly, so |y| vs T equals |x| vs T * 2^e, and every T * 2^e
// (e in -127..126, T with 3 significant bits >= 2^-2) is an fp32 value
// (subnormal at worst, or above FLT_MAX where no finite x reaches it,
// compared as inf); the sign is x's. For NVFP4, y = fp32(x * encode scale)
// as the reference, and the sign is y's (a product that underflows to -0 is
// not negative). Stochastic rounding stays element by element (its counter
// draw), with the MXFP4 scaling as a multiply by the exact power of two.
#include <cstddef>
#include <cstdint>

#include "hw_models/numerics/e2m1.hpp"

namespace nibble::num::detail {

struct AbsMaxResult {
  float max = 0.0f;  // max |x| over non-NaN elements
  bool nan = false;  // any NaN
};
// `simd` false forces the portable code (tests compare both).
AbsMaxResult block_abs_max(const float* x, int n, bool simd = true);

struct E2m1BlockEncoder {
  bool mx = true;          // MXFP4 (scale 2^e) or NVFP4 (fp32 multiply by nv_encode)
  int exp = 0;             // MXFP4 scale exponent e
  float nv_encode = 1.0f;  // NVFP4 element encode scale
  E2m1Rounding rounding = E2m1Rounding::nearest_even;
  uint64_t seed = 0;
};
// codes[i] = the E2M1 code of x[i] (i < n); index_base + i is element i's
// stochastic-rounding counter. MXFP4: x is finite (a block holding NaN or
// inf has the NaN scale and is not encoded).
void encode_e2m1_block(const E2m1BlockEncoder& e, const float* x, int n, uint8_t* codes,
                       uint64_t index_base, bool simd = true);

}  // namespace nibble::num::detail
