#pragma once
// Reproducible fit of the SAWB coefficients (Choi et al. 2018): for each
// distribution (unit-variance Gaussian, Laplace, uniform; n samples from a
// fixed seed) find the MSE-optimal clipping value alpha* for the given
// symmetric grid (fine search), then least-squares fit
//   alpha* = c1 * sqrt(E[w^2]) - c2 * E[|w|].
// The defaults in SawbCoefficients are this fit for max_code 7 (4 bits),
// n = 100000, seed 2020 (tests/numerics/sawb_fit_test.cpp recomputes them).
#include <cstdint>
#include <vector>

#include "hw_models/numerics/int4.hpp"

namespace nibble::num {

struct SawbFitPoint {
  const char* distribution;
  double rms;       // sqrt(E[w^2])
  double mean_abs;  // E[|w|]
  double alpha;     // MSE-optimal clipping value
};

struct SawbFit {
  SawbCoefficients coefficients;
  std::vector<SawbFitPoint> points;
};

SawbFit fit_sawb(int max_code, int samples, uint64_t seed);

}  // namespace nibble::num
