#pragma once
// E2M1, the 4-bit element of the block-scaled formats MXFP4 (OCP Microscaling
// Formats v1.0, section 5.3.3) and NVFP4. Code layout: bit 3 = sign,
// bits 2..1 = exponent (bias 1), bit 0 = mantissa. Magnitudes of codes 0..7:
//   0, 0.5 (subnormal), 1, 1.5, 2, 3, 4, 6.   No Inf, no NaN.
// Code 8 is -0: produced for a negative input whose magnitude rounds to 0
// (as TransformerEngine's reference cast does), decodes to 0.
//
// Encoding of an already scaled value y (exact, a double):
//   nearest_even : round to the nearest magnitude, ties to the even mantissa
//                  bit (0.25->0, 0.75->1, 1.25->1, 1.75->2, 2.5->2, 3.5->4,
//                  5->4); |y| > 6 (incl. inf) saturates to 6.
//   nearest_away : the same, ties away from zero (0.25->0.5, 1.25->1.5,
//                  2.5->3, 5->6): microxcaling's round="nearest".
//   stochastic   : lo <= |y| < hi neighbouring magnitudes; up with probability
//                  (|y| - lo) / (hi - lo), i.e. iff counter_uniform(seed,
//                  index) < p (exact in double); |y| >= 6 saturates to 6.
// The sign bit is set iff y < 0 (so -0.0 gives code 0). NaN -> code 0.
#include <cstdint>

namespace nibble::num {

enum class E2m1Rounding : uint8_t { nearest_even, nearest_away, stochastic };

inline constexpr double kE2m1Max = 6.0;
inline constexpr int kE2m1Emax = 2;  // log2 of the largest power of two (4), OCP emax_elem

uint8_t e2m1_encode(double y, E2m1Rounding r, uint64_t seed = 0, uint64_t index = 0);

// Twice the code's value: an integer in {0, +-1, 2, 3, 4, 6, 8, 12}. The
// MAC array's E2M1 x E2M1 product is (2a)(2b)/4, a 7-bit integer times 1/4.
constexpr int e2m1_twice(uint8_t code) {
  constexpr int kTwice[8] = {0, 1, 2, 3, 4, 6, 8, 12};
  const int m = kTwice[code & 0x7];
  return (code & 0x8u) ? -m : m;
}
// The code's value; code 8 is -0.0.
constexpr double e2m1_decode(uint8_t code) {
  const double m = 0.5 * e2m1_twice(code & 0x7u);
  return (code & 0x8u) ? -m : m;
}

}  // namespace nibble::num
