// INT4 weights (codes, ties, clipping, scale modes) and PACT activations
// (UINT4 / signed INT4 codes and the backward rule).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"

namespace nibble::num {
namespace {

TEST(Int4, EveryCodeRoundTrips) {
  for (float step : {1.0f, 0.1f, 3.7e-3f}) {
    for (int c = -7; c <= 7; ++c) {
      const auto code = static_cast<int8_t>(c);
      EXPECT_EQ(quantize_int4(dequantize_int4(code, step), step), code) << c << " step " << step;
    }
  }
}

TEST(Int4, TiesToEvenAndBoundaries) {
  const float step = 1.0f;
  for (int c = -7; c < 7; ++c) {
    const float mid = static_cast<float>(c) + 0.5f;
    const int even = (c % 2 == 0) ? c : c + 1;
    EXPECT_EQ(quantize_int4(mid, step), even) << mid;
    EXPECT_EQ(quantize_int4(std::nextafter(mid, -100.0f), step), c);
    EXPECT_EQ(quantize_int4(std::nextafter(mid, 100.0f), step), c + 1);
  }
  EXPECT_EQ(quantize_int4(7.5f, step), 7);  // clipped, never -8/8
  EXPECT_EQ(quantize_int4(1e9f, step), 7);
  EXPECT_EQ(quantize_int4(-1e9f, step), -7);
  EXPECT_EQ(quantize_int4(-INFINITY, step), -7);
  EXPECT_EQ(quantize_int4(NAN, step), 0);
  EXPECT_EQ(quantize_int4(3.0f, 0.0f), 0) << "all-zero tensor: step 0";
  EXPECT_EQ(quantize_int4(-8.0f, step, 8), -8) << "max_code 8 allows -8";
}

TEST(Int4, ScaleModes) {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> g(0.0f, 0.02f);
  std::vector<float> w(4096);
  for (auto& v : w) v = g(rng);
  const TensorStats s = tensor_stats(w);
  Int4WeightConfig cfg;
  cfg.scale_mode = WeightScaleMode::max;
  EXPECT_EQ(int4_alpha(w, cfg), static_cast<float>(s.max_abs));
  cfg.scale_mode = WeightScaleMode::sawb;
  const float sawb = int4_alpha(w, cfg);
  EXPECT_EQ(sawb, static_cast<float>(cfg.sawb.c1 * std::sqrt(s.sum_sq / 4096) -
                                     cfg.sawb.c2 * s.sum_abs / 4096));
  cfg.scale_mode = WeightScaleMode::mse;
  const float mse = int4_alpha(w, cfg);
  // The mse mode is the best of its grid, and beats max on a Gaussian.
  for (int i = 1; i <= cfg.mse_grid_points; ++i) {
    const float a = static_cast<float>(s.max_abs) * static_cast<float>(i) /
                    static_cast<float>(cfg.mse_grid_points);
    EXPECT_LE(quant_sse(w, mse, 7), quant_sse(w, a, 7));
  }
  EXPECT_LT(quant_sse(w, mse, 7), quant_sse(w, static_cast<float>(s.max_abs), 7));
  EXPECT_LT(quant_sse(w, sawb, 7), quant_sse(w, static_cast<float>(s.max_abs), 7))
      << "SAWB close to MSE-optimal";
  EXPECT_EQ(int4_alpha(std::vector<float>(8, 0.0f), cfg), 0.0f);
}

// Per-channel grids: each row on the grid of its own SAWB clip, written out
// here from the formula (docs/numerics.md section 1), not from int4_alpha.
TEST(Int4, ChannelGridsQuantizeEachRowOnItsOwnGrid) {
  const size_t rows = 5, cols = 144;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const float spread[rows] = {0.003f, 0.05f, 0.0f, 1.0f, 0.02f};  // row 2: all zero
  std::vector<float> w(rows * cols);
  for (size_t o = 0; o < rows; ++o)
    for (size_t k = 0; k < cols; ++k) w[o * cols + k] = spread[o] * g(rng);
  const Int4WeightConfig cfg;  // SAWB, codes -7..7
  const float tensor_step = 0.01f;
  std::vector<int8_t> codes(w.size(), 99);
  std::vector<float> factor(rows, -1.0f);
  uint64_t clipped = 0;
  quantize_int4_rows(w, rows, cfg, tensor_step, codes, factor, &clipped);
  uint64_t want_clipped = 0;
  for (size_t o = 0; o < rows; ++o) {
    double sum_abs = 0, sum_sq = 0, max_abs = 0;
    for (size_t k = 0; k < cols; ++k) {
      const double a = std::fabs(static_cast<double>(w[o * cols + k]));
      sum_abs += a;
      sum_sq += a * a;
      max_abs = std::max(max_abs, a);
    }
    double alpha = cfg.sawb.c1 * std::sqrt(sum_sq / cols) - cfg.sawb.c2 * sum_abs / cols;
    alpha = max_abs == 0 ? 0 : (alpha > 0 ? std::min(alpha, max_abs) : max_abs);
    const float step = static_cast<float>(alpha) / 7.0f;
    EXPECT_EQ(factor[o], step > 0.0f ? tensor_step / step : 1.0f) << "row " << o;
    for (size_t k = 0; k < cols; ++k) {
      const float q = step > 0.0f ? std::nearbyint(w[o * cols + k] / step) : 0.0f;
      want_clipped += std::fabs(q) > 7.0f;
      ASSERT_EQ(codes[o * cols + k], static_cast<int8_t>(std::clamp(q, -7.0f, 7.0f)))
          << "row " << o << " col " << k;
    }
  }
  EXPECT_EQ(clipped, want_clipped);
  EXPECT_GT(clipped, 0u);  // SAWB clips each row's tails
  EXPECT_EQ(factor[2], 1.0f);
  EXPECT_GT(factor[0], 1.0f);  // a row of small weights: a finer grid, a larger dW
  EXPECT_LT(factor[3], 1.0f);
  // A zero tensor step (an all-zero tensor) leaves dW alone.
  quantize_int4_rows(w, rows, cfg, 0.0f, codes, factor, nullptr);
  for (float f : factor) EXPECT_EQ(f, 1.0f);
  std::vector<float> short_factor(rows - 1);
  EXPECT_THROW(quantize_int4_rows(w, rows, cfg, tensor_step, codes, short_factor, nullptr),
               SimulationError);
}

TEST(Pact, Uint4CodesAndClipping) {
  const float alpha = 3.0f;
  const PactConfig u;
  for (int c = 0; c <= 15; ++c)
    EXPECT_EQ(pact_quantize(pact_dequantize(static_cast<int8_t>(c), alpha, u), alpha, u), c);
  EXPECT_EQ(pact_quantize(-1.0f, alpha, u), 0);
  EXPECT_EQ(pact_quantize(100.0f, alpha, u), 15);
  EXPECT_EQ(pact_quantize(alpha, alpha, u), 15);
  // Tie at 0.5 step: to even.
  const float step = pact_step(alpha, u);
  EXPECT_EQ(pact_quantize(0.5f * step, alpha, u), 0);
  EXPECT_EQ(pact_quantize(1.5f * step, alpha, u), 2);
  EXPECT_EQ(pact_quantize(std::nextafter(0.5f * step, 1.0f), alpha, u), 1);
}

TEST(Pact, SignedOption) {
  const PactConfig sgn{.is_signed = true};
  for (int c = -7; c <= 7; ++c)
    EXPECT_EQ(pact_quantize(pact_dequantize(static_cast<int8_t>(c), 2.0f, sgn), 2.0f, sgn), c);
  EXPECT_EQ(pact_quantize(-5.0f, 2.0f, sgn), -7);
  EXPECT_EQ(pact_quantize(5.0f, 2.0f, sgn), 7);
}

TEST(Pact, BackwardRule) {
  const float alpha = 2.0f;
  EXPECT_EQ(pact_grad_x(-0.1f, 3.0f, alpha), 0.0f);
  EXPECT_EQ(pact_grad_x(0.0f, 3.0f, alpha), 3.0f);
  EXPECT_EQ(pact_grad_x(std::nextafter(alpha, 0.0f), 3.0f, alpha), 3.0f);
  EXPECT_EQ(pact_grad_x(alpha, 3.0f, alpha), 0.0f);
  const std::vector<float> x{-1.0f, 0.5f, 2.0f, 3.0f}, dy{1.0f, 2.0f, 4.0f, 8.0f};
  EXPECT_EQ(pact_grad_alpha(x, dy, alpha), 12.0);  // x >= alpha: 4 + 8
  const PactConfig sgn{.is_signed = true};
  EXPECT_EQ(pact_grad_alpha(std::vector<float>{-3.0f, 0.0f, 2.5f},
                            std::vector<float>{1.0f, 5.0f, 2.0f}, alpha, sgn),
            1.0);
  EXPECT_EQ(pact_grad_x(-1.9f, 3.0f, alpha, sgn), 3.0f);
  EXPECT_EQ(pact_grad_x(-2.0f, 3.0f, alpha, sgn), 0.0f);
}

}  // namespace
}  // namespace nibble::num
