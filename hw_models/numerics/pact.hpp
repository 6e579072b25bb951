#pragma once
// PACT activations (Choi et al. 2018): y = clip(x, 0, alpha) with a learned
// per-layer alpha, quantized to UINT4 codes 0..15 with step alpha / 15.
// Signed option (inputs that are not post-ReLU): y = clip(x, -alpha, alpha),
// INT4 codes -7..7, step alpha / 7.
//   code  = RNE(clip(x) / step)   (fp32 division, ties to even; NaN -> 0)
//   value = code * step
// Backward (straight-through estimator inside the clipping range):
//   dL/dx     = dL/dy   where 0 <= x < alpha   (signed: -alpha < x < alpha), else 0
//   dL/dalpha = sum of dL/dy over x >= alpha    (signed: + sum over x >= alpha
//                                                        - sum over x <= -alpha)
#include <cstdint>
#include <span>

namespace nibble::num {

struct PactConfig {
  bool is_signed = false;  // false: UINT4 0..15; true: INT4 -7..7
  int levels_unsigned = 15;
  int levels_signed = 7;
  int max_code() const { return is_signed ? levels_signed : levels_unsigned; }
};

inline float pact_step(float alpha, const PactConfig& c) {
  return alpha / static_cast<float>(c.max_code());
}

// Returns the code as int8 (0..15 unsigned, -7..7 signed).
int8_t pact_quantize(float x, float alpha, const PactConfig& c = {});
inline float pact_dequantize(int8_t code, float alpha, const PactConfig& c = {}) {
  return static_cast<float>(code) * pact_step(alpha, c);
}

// dL/dx for one element.
float pact_grad_x(float x, float dy, float alpha, const PactConfig& c = {});
// dL/dalpha for a tensor (double accumulation, in index order).
double pact_grad_alpha(std::span<const float> x, std::span<const float> dy, float alpha,
                       const PactConfig& c = {});

}  // namespace nibble::num
