// INT4 weight quantization and its three scale modes.
#include "hw_models/numerics/int4.hpp"

#include <algorithm>
#include <cmath>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

namespace nibble::num {

TensorStats tensor_stats(std::span<const float> x) {
  TensorStats s;
  for (float v : x) {
    const double a = std::fabs(static_cast<double>(v));
    s.max_abs = std::max(s.max_abs, a);
    s.sum_abs += a;
    s.sum_sq += a * a;
  }
  s.count = x.size();
  return s;
}

int8_t quantize_int4(float x, float step, int max_code) {
  if (!(step > 0.0f) || std::isnan(x)) return 0;
  const float r = std::nearbyint(x / step);  // default rounding mode: ties to even
  const float m = static_cast<float>(max_code);
  return static_cast<int8_t>(std::clamp(r, -m, m));
}

double quant_sse(std::span<const float> w, float alpha, int max_code) {
  const float step = int4_step(alpha, max_code);
  double sse = 0;
  for (float v : w) {
    const double d = static_cast<double>(v) -
                     static_cast<double>(dequantize_int4(quantize_int4(v, step, max_code), step));
    sse += d * d;
  }
  return sse;
}

float mse_alpha(std::span<const float> w, int max_code, int grid_points) {
  const auto max_abs = static_cast<float>(tensor_stats(w).max_abs);
  if (max_abs == 0.0f || grid_points < 1) return max_abs;
  float best = max_abs;
  double best_sse = quant_sse(w, max_abs, max_code);
  for (int i = 1; i < grid_points; ++i) {
    const float a = max_abs * static_cast<float>(i) / static_cast<float>(grid_points);
    const double sse = quant_sse(w, a, max_code);
    if (sse < best_sse) {
      best_sse = sse;
      best = a;
    }
  }
  return best;
}

float sawb_alpha(const TensorStats& s, const SawbCoefficients& c) {
  if (s.count == 0 || s.max_abs == 0) return 0.0f;
  const double n = static_cast<double>(s.count);
  const double a = c.c1 * std::sqrt(s.sum_sq / n) - c.c2 * (s.sum_abs / n);
  // The formula can leave (0, max|w|] for odd distributions: clamp.
  return static_cast<float>(a > 0 ? std::min(a, s.max_abs) : s.max_abs);
}

float int4_alpha(std::span<const float> w, const Int4WeightConfig& cfg) {
  switch (cfg.scale_mode) {
    case WeightScaleMode::max:
      return static_cast<float>(tensor_stats(w).max_abs);
    case WeightScaleMode::sawb:
      return sawb_alpha(tensor_stats(w), cfg.sawb);
    case WeightScaleMode::mse:
      return mse_alpha(w, cfg.max_code, cfg.mse_grid_points);
  }
  return 0.0f;
}

void quantize_int4_rows(std::span<const float> w, size_t rows, const Int4WeightConfig& cfg,
                        float tensor_step, std::span<int8_t> codes, std::span<float> row_factor,
                        uint64_t* clipped) {
  if (rows == 0 || w.size() % rows != 0 || codes.size() != w.size() || row_factor.size() != rows)
    throw SimulationError("quantize_int4_rows: codes, weights and rows disagree in size");
  const size_t cols = w.size() / rows;
  for (size_t o = 0; o < rows; ++o) {
    const std::span<const float> row = w.subspan(o * cols, cols);
    const float step = int4_step(int4_alpha(row, cfg), cfg.max_code);
    quantize_int4_bulk(row, step, cfg.max_code, codes.subspan(o * cols, cols), clipped);
    row_factor[o] = step > 0.0f && tensor_step > 0.0f ? tensor_step / step : 1.0f;
  }
}

}  // namespace nibble::num
