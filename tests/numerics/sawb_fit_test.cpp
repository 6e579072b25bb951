// Recomputes the SAWB default coefficients (the reproducible fit quoted in
// docs/numerics.md) and checks the library defaults are that fit.
#include <gtest/gtest.h>

#include <cstdio>

#include "hw_models/numerics/sawb_fit.hpp"

namespace nibble::num {
namespace {

TEST(SawbFit, DefaultsAreTheReproducibleFourBitFit) {
  const SawbFit fit = fit_sawb(7, 100000, 2020);
  for (const auto& p : fit.points)
    std::printf("  %-8s rms %.4f  E|w| %.4f  alpha* %.4f\n", p.distribution, p.rms, p.mean_abs,
                p.alpha);
  std::printf("  fit: c1 = %.3f, c2 = %.3f\n", fit.coefficients.c1, fit.coefficients.c2);
  const SawbCoefficients defaults;
  EXPECT_NEAR(fit.coefficients.c1, defaults.c1, 5e-4);
  EXPECT_NEAR(fit.coefficients.c2, defaults.c2, 5e-4);
  // The fitted line reproduces each distribution's optimum closely.
  for (const auto& p : fit.points)
    EXPECT_NEAR(fit.coefficients.c1 * p.rms - fit.coefficients.c2 * p.mean_abs, p.alpha,
                0.05 * p.alpha)
        << p.distribution;
}

}  // namespace
}  // namespace nibble::num
