#pragma once
// INT4 weights: signed symmetric codes -max_code..max_code (default -7..7;
// -8 is unused so the grid is symmetric), one scale per tensor (per layer).
//   step  = alpha / max_code            (fp32 division)
//   code  = clamp(RNE(x / step), -max_code, max_code)   (fp32 division, ties to even)
//   value = code * step                 (fp32, exact up to the product rounding)
// NaN inputs quantize to code 0.
// alpha (the clipping value) comes from one of three scale modes:
//   max : alpha = max|w|
//   sawb: alpha = c1 * sqrt(E[w^2]) - c2 * E[|w|]  (Choi et al. 2018), clamped to
//         (0, max|w|]; c1, c2 fitted for 4 bits (docs/numerics.md, sawb_fit.hpp)
//   mse : alpha minimising sum (w - Q(w))^2 over a grid of candidates
//         alpha_i = max|w| * i / mse_grid_points, i = 1..mse_grid_points
//         (first minimum wins).
// An all-zero tensor gets alpha = 0 and step = 0; every code is then 0.
#include <cstdint>
#include <span>

namespace nibble::num {

enum class WeightScaleMode : uint8_t { max, sawb, mse };

// Default coefficients: fitted by fit_sawb() (sawb_fit.hpp) for 4 bits on
// unit-variance Gaussian, Laplace and uniform samples; see docs/numerics.md.
struct SawbCoefficients {
  double c1 = 11.598;
  double c2 = 11.497;
};

struct Int4WeightConfig {
  int max_code = 7;  // 7: codes -7..7; 8 would allow -8..7 (asymmetric, clamps +8 to 7)
  WeightScaleMode scale_mode = WeightScaleMode::sawb;
  SawbCoefficients sawb;
  int mse_grid_points = 128;
};

// Per-tensor statistics the scale unit gathers in one pass (in double).
struct TensorStats {
  double max_abs = 0;
  double sum_abs = 0;
  double sum_sq = 0;
  uint64_t count = 0;
};
TensorStats tensor_stats(std::span<const float> x);

// Clipping value alpha for a weight tensor (fp32).
float int4_alpha(std::span<const float> w, const Int4WeightConfig& cfg);
float sawb_alpha(const TensorStats& s, const SawbCoefficients& c);
// Grid search used by the mse mode (and by the SAWB fit).
float mse_alpha(std::span<const float> w, int max_code, int grid_points);
// Sum of squared quantization errors of w with clipping value alpha.
double quant_sse(std::span<const float> w, float alpha, int max_code);

inline float int4_step(float alpha, int max_code) {
  return alpha / static_cast<float>(max_code);
}

int8_t quantize_int4(float x, float step, int max_code = 7);

// Per-output-channel grids for a GEMM whose output feeds a BatchNorm
// (docs/numerics.md section 1, "Channel grids before a BatchNorm"). Row o of
// the row-major rows x (w.size()/rows) matrix w gets its own clipping value
// alpha_o = int4_alpha(row o, cfg) and step_o = int4_step(alpha_o); its codes
// are clamp(RNE(w / step_o)). The GEMMs use the codes with the one tensor
// step `tensor_step`: the BatchNorm after the GEMM normalises each channel,
// so a per-channel factor before it changes nothing in the training forward
// pass (up to the BatchNorm's epsilon) and dX; only dW differs, by
// row_factor[o] = tensor_step / step_o (the straight-through estimator of
// the per-channel quantizer). A row whose step is 0 (all zero) or a zero
// tensor step gives row_factor 1.
void quantize_int4_rows(std::span<const float> w, size_t rows, const Int4WeightConfig& cfg,
                        float tensor_step, std::span<int8_t> codes, std::span<float> row_factor,
                        uint64_t* clipped);
inline float dequantize_int4(int8_t code, float step) {
  return static_cast<float>(code) * step;
}

}  // namespace nibble::num
