// Radix-4 FP4: every code, every rounding boundary (just below / at / just
// above), underflow and saturation edges, TPR phases, stochastic rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/fp4.hpp"

namespace nibble::num {
namespace {

TEST(Fp4, EveryCodeDecodesAndReencodesToItself) {
  for (int grid = -10; grid <= 10; ++grid) {
    for (int code = 0; code < 16; ++code) {
      const auto c = static_cast<uint8_t>(code);
      const double v = fp4_decode(c, grid);
      if (code == 8) {  // "-0": decodes to zero, canonical zero is code 0
        EXPECT_EQ(v, 0.0);
        EXPECT_EQ(fp4_encode_nearest(static_cast<float>(v), grid), 0);
        continue;
      }
      EXPECT_EQ(fp4_encode_nearest(static_cast<float>(v), grid), c) << code << " grid " << grid;
      EXPECT_EQ(fp4_encode_stochastic(static_cast<float>(v), grid, 1, 2), c)
          << "grid points are exact";
    }
  }
}

TEST(Fp4, MagnitudesArePowersOfFour) {
  for (int e = 1; e <= 7; ++e) {
    EXPECT_EQ(fp4_decode(static_cast<uint8_t>(e), 0), std::ldexp(1.0, 2 * (e - 4)));
    EXPECT_EQ(fp4_decode(static_cast<uint8_t>(8 | e), 0), -std::ldexp(1.0, 2 * (e - 4)));
    EXPECT_EQ(fp4_fixed(static_cast<uint8_t>(e)), 1 << (2 * (e - 1)));  // units of 4^-3
    EXPECT_EQ(fp4_decode(static_cast<uint8_t>(e), 0),
              std::ldexp(fp4_fixed(static_cast<uint8_t>(e)), kFp4FixedExp2));
  }
}

TEST(Fp4, RoundingBoundariesBelowAtAbove) {
  for (int grid : {-3, 0, 1, 5}) {
    const double s = std::ldexp(1.0, grid);
    // Underflow edge: half the smallest magnitude.
    const auto under = static_cast<float>(0.5 * std::ldexp(1.0, -6) * s);
    EXPECT_EQ(fp4_encode_nearest(std::nextafter(under, 0.0f), grid), 0);
    EXPECT_EQ(fp4_encode_nearest(under, grid), 1);  // ties go to the larger magnitude
    EXPECT_EQ(fp4_encode_nearest(std::nextafter(under, 1.0f), grid), 1);
    EXPECT_EQ(fp4_encode_nearest(-std::nextafter(under, 0.0f), grid), 0) << "no negative zero code";
    EXPECT_EQ(fp4_encode_nearest(-under, grid), 9);
    // Thresholds 2.5 * 4^(e-4) between fields e and e + 1.
    for (int e = 1; e <= 6; ++e) {
      const auto t = static_cast<float>(2.5 * std::ldexp(1.0, 2 * (e - 4)) * s);
      EXPECT_EQ(fp4_encode_nearest(std::nextafter(t, 0.0f), grid), e);
      EXPECT_EQ(fp4_encode_nearest(t, grid), e + 1);
      EXPECT_EQ(fp4_encode_nearest(std::nextafter(t, 1e30f), grid), e + 1);
      EXPECT_EQ(fp4_encode_nearest(-t, grid), 8 | (e + 1));
    }
    // Saturation: everything from 40 * s up, including the max and inf.
    const auto top = static_cast<float>(64 * s);
    EXPECT_EQ(fp4_encode_nearest(top, grid), 7);
    EXPECT_EQ(fp4_encode_nearest(std::nextafter(top, 1e30f), grid), 7);
    EXPECT_EQ(fp4_encode_nearest(1e30f, grid), 7);
    EXPECT_EQ(fp4_encode_nearest(-INFINITY, grid), 15);
  }
  EXPECT_EQ(fp4_encode_nearest(NAN, 0), 0);
}

TEST(Fp4, TwoPhaseRoundingOddPhaseIsTheScaleDoubled) {
  const Fp4Config c;
  EXPECT_EQ(fp4_grid_exp(3, TprPhase::even, c), 3);
  EXPECT_EQ(fp4_grid_exp(3, TprPhase::odd, c), 4);
  // Odd grid points 2 * 4^k are exact; even grid points are ties of the odd grid? No: they
  // sit between 2*4^(k-1) and 2*4^k, at 4^k = 0.5 * 2*4^k < 2.5 * 2*4^(k-1): rounds down.
  for (int e = 1; e <= 7; ++e) {
    const auto odd_point = static_cast<float>(2 * std::ldexp(1.0, 2 * (e - 4)));
    EXPECT_EQ(fp4_encode_nearest(odd_point, fp4_grid_exp(0, TprPhase::odd, c)), e);
    EXPECT_EQ(fp4_decode(static_cast<uint8_t>(e), fp4_grid_exp(0, TprPhase::odd, c)), odd_point);
  }
}

TEST(Fp4, CountsSaturationAndUnderflow) {
  Fp4Counts n;
  const Fp4Config c;
  for (float x : {0.0f, 1e-9f, 1.0f, 64.0f, 65.0f, -1000.0f}) fp4_encode(x, 0, c, 0, &n);
  EXPECT_EQ(n.total, 6u);
  EXPECT_EQ(n.saturated, 2u);  // 65 and -1000 are clipped; 64 is exact
  EXPECT_EQ(n.underflow, 1u);  // 1e-9 (0 is not an underflow)
  EXPECT_EQ(n.max_abs, 1000.0);
}

TEST(Fp4, StochasticRoundingIsUnbiasedAndReproducible) {
  // 10^6 samples spread over the whole range (incl. the underflow interval):
  // the mean error must be within 4 standard errors of 0.
  const int n = 1000000;
  const uint64_t seed = 2020;
  double sum = 0, sum_sq = 0;
  uint64_t state = 1;
  for (int i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = static_cast<double>(state >> 11) * 0x1.0p-53;
    const auto x =
        static_cast<float>(std::ldexp(1.0, -8) * std::pow(2.0, 13.9 * u) * ((i & 1) ? -1 : 1));
    const double err =
        fp4_decode(fp4_encode_stochastic(x, 0, seed, static_cast<uint64_t>(i)), 0) - x;
    sum += err;
    sum_sq += err * err;
  }
  const double mean = sum / n;
  const double se = std::sqrt((sum_sq / n - mean * mean) / n);
  EXPECT_LT(std::fabs(mean), 4 * se) << "mean " << mean << " se " << se;
  // Same seed -> same codes; another seed -> different codes somewhere.
  int diff = 0;
  for (int i = 0; i < 1000; ++i) {
    const float x = 0.3f + 0.001f * static_cast<float>(i);
    EXPECT_EQ(fp4_encode_stochastic(x, 0, 7, static_cast<uint64_t>(i)),
              fp4_encode_stochastic(x, 0, 7, static_cast<uint64_t>(i)));
    diff += fp4_encode_stochastic(x, 0, 7, static_cast<uint64_t>(i)) !=
            fp4_encode_stochastic(x, 0, 8, static_cast<uint64_t>(i));
  }
  EXPECT_GT(diff, 100);
}

TEST(Fp4, StochasticProbabilityMatchesDistance) {
  // x = 0.25 + 0.25 * 3 * 0.3 lies 30% of the way from 4^-1 to 4^0: P(up) = 0.3.
  const float x = 0.25f + 0.75f * 0.3f;
  int up = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) up += fp4_encode_stochastic(x, 0, 99, static_cast<uint64_t>(i)) == 4;
  const double p = static_cast<double>(up) / n;
  EXPECT_NEAR(p, 0.3, 4 * std::sqrt(0.3 * 0.7 / n));
  EXPECT_EQ(fp4_encode_stochastic(100.0f, 0, 1, 1), 7) << "saturates";
}

}  // namespace
}  // namespace nibble::num
