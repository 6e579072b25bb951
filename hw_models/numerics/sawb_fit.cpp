// SAWB coefficient fit (see sawb_fit.hpp). Samples come from the
// counter-based generator so the fit is reproducible on any platform
// (std:: distributions are implementation-defined).
#include "hw_models/numerics/sawb_fit.hpp"

#include <cmath>
#include <numbers>

#include "hw_models/numerics/counter_rng.hpp"

namespace nibble::num {
namespace {

// Uniform in (0, 1): never 0, so logs are finite.
double open_uniform(uint64_t seed, uint64_t i) {
  return (static_cast<double>(counter_hash(seed, i) >> 11) + 0.5) * 0x1.0p-53;
}

std::vector<float> sample(int dist, int n, uint64_t seed) {
  std::vector<float> w(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<uint64_t>(i);
    const double u = open_uniform(seed, 2 * k);
    double v;
    if (dist == 0) {  // Gaussian (Box-Muller), variance 1
      v = std::sqrt(-2.0 * std::log(u)) *
          std::cos(2.0 * std::numbers::pi * open_uniform(seed, 2 * k + 1));
    } else if (dist == 1) {  // Laplace, variance 2b^2 = 1
      const double b = 1.0 / std::sqrt(2.0);
      v = u < 0.5 ? b * std::log(2.0 * u) : -b * std::log(2.0 * (1.0 - u));
    } else {  // uniform on [-sqrt3, sqrt3], variance 1
      v = (2.0 * u - 1.0) * std::sqrt(3.0);
    }
    w[static_cast<std::size_t>(i)] = static_cast<float>(v);
  }
  return w;
}

// MSE-optimal alpha: coarse grid, then a fine grid around the best point.
double optimal_alpha(const std::vector<float>& w, double max_abs, int max_code) {
  auto sse = [&](double a) { return quant_sse(w, static_cast<float>(a), max_code); };
  constexpr int kCoarse = 200, kFine = 100;
  double best = max_abs, best_sse = sse(max_abs);
  for (int i = 1; i < kCoarse; ++i) {
    const double a = max_abs * i / kCoarse;
    const double s = sse(a);
    if (s < best_sse) best_sse = s, best = a;
  }
  const double lo = best - max_abs / kCoarse, width = 2 * max_abs / kCoarse;
  for (int i = 0; i <= kFine; ++i) {
    const double a = lo + width * i / kFine;
    if (a <= 0) continue;
    const double s = sse(a);
    if (s < best_sse) best_sse = s, best = a;
  }
  return best;
}

}  // namespace

SawbFit fit_sawb(int max_code, int samples, uint64_t seed) {
  static constexpr const char* kNames[] = {"gaussian", "laplace", "uniform"};
  SawbFit fit;
  for (int d = 0; d < 3; ++d) {
    const auto w = sample(d, samples, seed + static_cast<uint64_t>(d));
    const TensorStats s = tensor_stats(w);
    const double n = static_cast<double>(s.count);
    fit.points.push_back(
        {kNames[d], std::sqrt(s.sum_sq / n), s.sum_abs / n, optimal_alpha(w, s.max_abs, max_code)});
  }
  // Least squares for alpha = c1 * rms - c2 * mean_abs (2x2 normal equations).
  double srr = 0, srm = 0, smm = 0, sar = 0, sam = 0;
  for (const auto& p : fit.points) {
    srr += p.rms * p.rms;
    srm += p.rms * p.mean_abs;
    smm += p.mean_abs * p.mean_abs;
    sar += p.alpha * p.rms;
    sam += p.alpha * p.mean_abs;
  }
  // Unknowns x = (c1, -c2): [srr srm; srm smm] x = [sar; sam].
  const double det = srr * smm - srm * srm;
  const double c1 = (sar * smm - srm * sam) / det;
  const double neg_c2 = (srr * sam - srm * sar) / det;
  fit.coefficients = {c1, -neg_c2};
  return fit;
}

}  // namespace nibble::num
