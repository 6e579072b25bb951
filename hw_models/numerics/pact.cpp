// PACT clipping, UINT4/INT4 activation codes and the PACT backward rule.
#include "hw_models/numerics/pact.hpp"

#include <algorithm>
#include <cmath>

namespace nibble::num {

int8_t pact_quantize(float x, float alpha, const PactConfig& c) {
  if (!(alpha > 0.0f) || std::isnan(x)) return 0;
  const float lo = c.is_signed ? -alpha : 0.0f;
  const float y = std::clamp(x, lo, alpha);
  const float r = std::nearbyint(y / pact_step(alpha, c));
  const float m = static_cast<float>(c.max_code());
  return static_cast<int8_t>(std::clamp(r, c.is_signed ? -m : 0.0f, m));
}

float pact_grad_x(float x, float dy, float alpha, const PactConfig& c) {
  const bool inside = c.is_signed ? (x > -alpha && x < alpha) : (x >= 0.0f && x < alpha);
  return inside ? dy : 0.0f;
}

double pact_grad_alpha(std::span<const float> x, std::span<const float> dy, float alpha,
                       const PactConfig& c) {
  double g = 0;
  const std::size_t n = std::min(x.size(), dy.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] >= alpha)
      g += dy[i];
    else if (c.is_signed && x[i] <= -alpha)
      g -= dy[i];
  }
  return g;
}

}  // namespace nibble::num
