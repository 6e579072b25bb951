// Per-channel GradScale of the dW copy (numerics/fp4_channels.hpp) against
// a reference written out here: each channel's exponent is found by
// counting octaves (not with frexp), and each element is encoded by the
// scalar fp4_encode on its channel's grid with its row-major index.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp4_channels.hpp"

namespace nibble::num {
namespace {

// ceil(log2(m)) - top by counting: the smallest k with 2^k >= m.
int ref_exp(float m, int top) {
  int k = -200;
  while (std::ldexp(1.0, k) < static_cast<double>(m)) ++k;
  return k - top;
}

struct Case {
  int rows, cols;
  ChannelAxis axis;
};

std::vector<float> gradient(int rows, int cols, ChannelAxis axis) {
  std::vector<float> x(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const int ch = axis == ChannelAxis::rows ? r : c;
      // Channels a few octaves apart, signs and small values mixed in.
      const float mag = std::ldexp(1.0f + 0.37f * ((r * 7 + c * 3) % 5), -2 * ch - 10);
      x[static_cast<size_t>(r) * cols + c] = ((r + c) % 3 == 0 ? -mag : mag) / (1 + (c + r) % 9);
    }
  return x;
}

TEST(Fp4Channels, EachChannelOnItsOwnGrid) {
  for (const Case cs : {Case{6, 40, ChannelAxis::rows}, Case{40, 6, ChannelAxis::cols},
                        Case{5, 7, ChannelAxis::rows}, Case{5, 7, ChannelAxis::cols}})
    for (const Rounding rounding : {Rounding::nearest, Rounding::stochastic})
      for (const int top : {6, 8}) {
        const int ch = channel_count(cs.rows, cs.cols, cs.axis);
        std::vector<float> x = gradient(cs.rows, cs.cols, cs.axis);
        // Channel 1 all zero: it keeps the fallback (the layer's exponent).
        for (int r = 0; r < cs.rows; ++r)
          for (int c = 0; c < cs.cols; ++c)
            if ((cs.axis == ChannelAxis::rows ? r : c) == 1) x[size_t(r) * cs.cols + c] = 0.0f;
        std::vector<float> maxes(static_cast<size_t>(ch));
        channel_max_abs(x, cs.rows, cs.cols, cs.axis, maxes);
        std::vector<int> exps(static_cast<size_t>(ch));
        const int fallback = -31;
        const int top_exp = channel_gradscale_exps(maxes, top, fallback, exps);
        int want_top = std::numeric_limits<int>::min();
        for (int k = 0; k < ch; ++k) {
          float m = 0.0f;
          for (int r = 0; r < cs.rows; ++r)
            for (int c = 0; c < cs.cols; ++c)
              if ((cs.axis == ChannelAxis::rows ? r : c) == k)
                m = std::max(m, std::fabs(x[size_t(r) * cs.cols + c]));
          EXPECT_EQ(maxes[size_t(k)], m);
          const int want = m == 0.0f ? fallback : ref_exp(m, top);
          EXPECT_EQ(exps[size_t(k)], want) << "channel " << k;
          want_top = std::max(want_top, want);
        }
        EXPECT_EQ(top_exp, want_top);
        EXPECT_NE(exps.front(), exps.back()) << "the channels should differ";
        std::vector<int> grid(exps);
        for (int& g : grid) g += 1;  // the odd TPR phase
        std::vector<int> grid_fn(exps.size());
        EXPECT_EQ(fp4_channel_grid_exps(maxes, top, fallback, TprPhase::odd, {}, grid_fn),
                  want_top + 1);
        EXPECT_EQ(grid_fn, grid);
        Fp4Config cfg{.rounding = rounding, .seed = 77};
        const uint64_t base = 1000;
        std::vector<uint8_t> codes(x.size(), 0xFF);
        Fp4Counts counts;
        fp4_quantize_channels(x, cs.rows, cs.cols, cs.axis, grid, cfg, base, codes, &counts);
        Fp4Counts want_counts;
        for (int r = 0; r < cs.rows; ++r)
          for (int c = 0; c < cs.cols; ++c) {
            const size_t i = size_t(r) * cs.cols + c;
            const int g = grid[size_t(cs.axis == ChannelAxis::rows ? r : c)];
            ASSERT_EQ(codes[i], fp4_encode(x[i], g, cfg, base + i, &want_counts))
                << "element " << i;
          }
        EXPECT_EQ(counts.total, want_counts.total);
        EXPECT_EQ(counts.saturated, want_counts.saturated);
        EXPECT_EQ(counts.underflow, want_counts.underflow);
        // Top 6 (the largest code) saturates nothing; top 8 clips each
        // channel's largest elements.
        if (top == 6)
          EXPECT_EQ(counts.saturated, 0u);
        else
          EXPECT_GT(counts.saturated, 0u);
      }
}

TEST(Fp4Channels, NonFiniteChannelKeepsTheFallback) {
  const std::vector<float> maxes = {std::numeric_limits<float>::infinity(), 0.75f, 0.0f};
  std::vector<int> exps(3);
  EXPECT_EQ(channel_gradscale_exps(maxes, 6, -20, exps), -6);
  EXPECT_EQ(exps, (std::vector<int>{-20, -6, -20}));
  // NaN is skipped by the channel max, infinity kept.
  const std::vector<float> x = {std::nanf(""), 2.0f, -std::numeric_limits<float>::infinity(), 1.0f};
  std::vector<float> m(2);
  channel_max_abs(x, 2, 2, ChannelAxis::rows, m);
  EXPECT_EQ(m[0], 2.0f);
  EXPECT_TRUE(std::isinf(m[1]));
}

TEST(Fp4Channels, SizeMismatchesAreErrors) {
  const std::vector<float> x(12, 1.0f);
  std::vector<float> m3(3), m4(4);
  EXPECT_THROW(channel_max_abs(x, 3, 4, ChannelAxis::rows, m4), InputError);
  EXPECT_THROW(channel_max_abs(x, 3, 5, ChannelAxis::rows, m3), InputError);
  EXPECT_NO_THROW(channel_max_abs(x, 3, 4, ChannelAxis::cols, m4));
  std::vector<int> e2(2);
  EXPECT_THROW(channel_gradscale_exps(m3, 6, 0, e2), InputError);
  std::vector<uint8_t> codes(11);
  const std::vector<int> g3(3, 0);
  EXPECT_THROW(fp4_quantize_channels(x, 3, 4, ChannelAxis::rows, g3, {}, 0, codes), InputError);
  EXPECT_THROW(fp4_quantize_channels(x, 3, 4, ChannelAxis::cols, g3, {}, 0, codes), InputError);
}

}  // namespace
}  // namespace nibble::num
