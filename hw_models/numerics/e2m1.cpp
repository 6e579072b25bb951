// E2M1 element rounding (see e2m1.hpp for the rule).
#include "hw_models/numerics/e2m1.hpp"

#include <cmath>

#include "hw_models/numerics/counter_rng.hpp"

namespace nibble::num {
namespace {

constexpr double kMag[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};

// Index of the largest magnitude <= a (a >= 0, finite).
int floor_index(double a) {
  int i = 0;
  while (i < 7 && a >= kMag[i + 1]) ++i;
  return i;
}

}  // namespace

uint8_t e2m1_encode(double y, E2m1Rounding r, uint64_t seed, uint64_t index) {
  if (std::isnan(y)) return 0;
  const uint8_t sign = y < 0 ? 0x8 : 0x0;
  const double a = std::fabs(y);
  if (a >= kE2m1Max) return sign | 7;  // saturation, incl. inf
  const int lo = floor_index(a);       // kMag[lo] <= a < kMag[lo + 1]
  if (a == kMag[lo]) return static_cast<uint8_t>(sign | lo);
  int m;
  if (r == E2m1Rounding::stochastic) {
    const double p = (a - kMag[lo]) / (kMag[lo + 1] - kMag[lo]);  // exact: power-of-two step
    m = counter_uniform(seed, index) < p ? lo + 1 : lo;
  } else {
    const double mid = 0.5 * (kMag[lo] + kMag[lo + 1]);
    if (a < mid)
      m = lo;
    else if (a > mid)
      m = lo + 1;
    else if (r == E2m1Rounding::nearest_away)
      m = lo + 1;
    else
      m = (lo & 1) ? lo + 1 : lo;  // the code's low bit is the mantissa bit: even = 0
  }
  return static_cast<uint8_t>(sign | m);
}

}  // namespace nibble::num
