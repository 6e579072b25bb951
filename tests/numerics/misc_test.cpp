// GradScale, nibble packing, the saturating accumulator, output rounding,
// FP16 chunked sums and the bulk quantizers.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/block_scale.hpp"
#include "hw_models/numerics/counter_rng.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/float_format.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gradscale.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pack.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"
#include "tests/numerics/float_reference.hpp"

namespace nibble::num {
namespace {

TEST(GradScale, MaxModeLandsTheMaxAtTheTop) {
  EXPECT_EQ(gradscale_exp_from_max(64.0), 0);
  EXPECT_EQ(gradscale_exp_from_max(std::nextafter(64.0, 100.0)), 1);
  EXPECT_EQ(gradscale_exp_from_max(32.0), -1);
  EXPECT_EQ(gradscale_exp_from_max(std::nextafter(32.0, 100.0)), 0);
  for (double m : {1e-7, 0.003, 1.0, 5.5, 1e6}) {
    const int e = gradscale_exp_from_max(m);
    const double y = std::ldexp(m, -e);
    EXPECT_GT(y, 32.0);
    EXPECT_LE(y, 64.0);
    EXPECT_EQ(fp4_encode_nearest(static_cast<float>(m), e), 7);
  }
  GradScaleState st;
  EXPECT_EQ(st.exp_for_tensor(0.0), 0) << "all-zero tensor keeps the register";
}

TEST(GradScale, DynamicRule) {
  GradScaleConfig c{.mode = GradScaleMode::dynamic,
                    .initial_exp = 0,
                    .min_exp = -3,
                    .max_exp = 2,
                    .growth_interval = 3};
  GradScaleState st(c);
  st.update({.total = 100, .saturated = 1});
  EXPECT_EQ(st.exp(), 1) << "any overflow grows the scale at once";
  st.update({.total = 100, .saturated = 5});
  st.update({.total = 100, .saturated = 5});
  EXPECT_EQ(st.exp(), 2) << "clamped at max_exp";
  st.update({.total = 100});
  st.update({.total = 100});
  EXPECT_EQ(st.exp(), 2);
  st.update({.total = 100});
  EXPECT_EQ(st.exp(), 1) << "3 clean steps: finer scale";
  EXPECT_EQ(st.total_saturated(), 11u);
  GradScaleConfig u = c;
  u.underflow_tolerance = 0.5;
  GradScaleState su(u);
  su.update({.total = 10, .underflow = 6});
  EXPECT_EQ(su.exp(), -1) << "too many underflows: finer scale";
}

TEST(Pack, NibbleOrderAndRoundTrip) {
  const std::vector<int8_t> codes{-8, 7, -1, 0, 3};
  std::vector<uint8_t> packed(packed_bytes(codes.size()));
  pack_int4(codes, packed);
  EXPECT_EQ(packed, (std::vector<uint8_t>{0x78, 0x0F, 0x03}));  // element 0 in the low nibble
  std::vector<int8_t> back(codes.size());
  unpack_int4(packed, back);
  EXPECT_EQ(back, codes);
  std::vector<uint8_t> all(16), p8(8), u(16);
  for (int i = 0; i < 16; ++i) all[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
  pack_uint4(all, p8);
  EXPECT_EQ(p8[0], 0x10);
  unpack_uint4(p8, u);
  EXPECT_EQ(u, all);
  EXPECT_THROW(pack_int4(std::vector<int8_t>{9}, packed), nibble::InputError);
  EXPECT_THROW(pack_uint4(all, packed), nibble::InputError);
}

TEST(Accumulator, SaturatesAtExactlyTheWidthAndCounts) {
  SaturatingAccumulator a(8);
  a.add(127);
  EXPECT_EQ(a.value(), 127);
  EXPECT_EQ(a.overflows(), 0u);
  a.add(1);
  EXPECT_EQ(a.value(), 127);
  EXPECT_EQ(a.overflows(), 1u);
  a.add(-256);
  EXPECT_EQ(a.value(), -128);
  EXPECT_EQ(a.overflows(), 2u);
  SaturatingAccumulator w(64);
  w.add(INT64_MAX);
  w.add(1);
  EXPECT_EQ(w.value(), INT64_MAX);
  EXPECT_EQ(w.overflows(), 1u);
  EXPECT_EQ(mac_int4_fp4(-7, 0x7), -7 * 4096);
  EXPECT_EQ(mac_int4_fp4(15, 0xF), -15 * 4096);
  EXPECT_EQ(mac_int4_int4(-8, 15), -120);
}

// The lane-parallel sequential sums (the GEMM's path for outputs that can
// saturate) against SaturatingAccumulator, one lane at a time: every width
// from 2 to 64 bits, lane counts that take the vector path (multiples of 8)
// and the lane-by-lane path, operands up to the contract's 2^24 bound.
TEST(Accumulator, LaneSumsEqualOneSaturatingAccumulatorPerLane) {
  std::mt19937_64 rng(15);
  int64_t clamps = 0;
  for (int width = 2; width <= 64; ++width)
    for (int lanes : {8, 32, 40, 5}) {
      const int k = 1 + static_cast<int>(rng() % 300);
      // Magnitudes that reach each width's bounds: up to 2^(width/2), capped at 2^24 - 1.
      const int32_t mag = static_cast<int32_t>(
          std::min<int64_t>((int64_t{1} << 24) - 1, int64_t{1} << (width / 2 + 1)));
      auto draw = [&] {
        const int32_t v = static_cast<int32_t>(rng() % (2 * static_cast<uint64_t>(mag) + 1)) - mag;
        return rng() % 3 == 0 ? mag * (v < 0 ? -1 : 1) : v;  // often the extremes
      };
      std::vector<int32_t> a(static_cast<size_t>(k)), b(static_cast<size_t>(k * lanes));
      for (auto& v : a) v = draw();
      for (auto& v : b) v = draw();
      std::vector<int64_t> sums(static_cast<size_t>(lanes));
      std::vector<uint64_t> overflows(static_cast<size_t>(lanes));
      saturating_sums(a.data(), b.data(), k, lanes, width, sums.data(), overflows.data());
      for (int c = 0; c < lanes; ++c) {
        SaturatingAccumulator want(width);
        for (int t = 0; t < k; ++t)
          want.add(int64_t{a[static_cast<size_t>(t)]} * b[static_cast<size_t>(t * lanes + c)]);
        ASSERT_EQ(sums[static_cast<size_t>(c)], want.value())
            << "width " << width << " lanes " << lanes << " lane " << c;
        ASSERT_EQ(overflows[static_cast<size_t>(c)], want.overflows())
            << "width " << width << " lanes " << lanes;
        clamps += static_cast<int64_t>(want.overflows());
      }
    }
  EXPECT_GT(clamps, 1000);  // the draws do reach the bounds
}

TEST(Accumulator, OutputRoundingIsOneRoundingOfTheExactValue) {
  const test::RefFormat ref(kFp16);
  std::mt19937_64 rng(4);
  std::vector<int64_t> accs;
  std::vector<uint16_t> bulk;
  for (int i = 0; i < 200000; ++i) {
    const int bits = static_cast<int>(rng() % 40);
    const int64_t acc = static_cast<int64_t>(rng() >> (63 - bits)) * ((rng() & 1) ? 1 : -1);
    const float scale =
        std::ldexp(static_cast<float>(rng() % 16777216 + 1), -30 - static_cast<int>(rng() % 20));
    const int exp2 = static_cast<int>(rng() % 24) - 12;
    const uint16_t got = round_acc_to_fp16(acc, {scale, exp2});
    // Reference: exact value as (acc * mantissa) * 2^e in 128-bit -> double is
    // not exact in general, so compare via the generic core only when exact.
    const double v = static_cast<double>(acc) * scale * std::ldexp(1.0, exp2);
    if (std::fabs(static_cast<double>(acc)) < 0x1p29) {
      ASSERT_EQ(got, ref.encode(v)) << acc << " " << scale << " " << exp2;
    }
    accs.push_back(acc);
    bulk.push_back(0);
  }
  // The bulk (SIMD) rounding equals the scalar one, including |acc| >= 2^29.
  for (int exp2 : {-6, 0, 5}) {
    round_acc_to_fp16_bulk(accs, {0.0123f, exp2}, bulk);
    for (size_t i = 0; i < accs.size(); ++i)
      ASSERT_EQ(bulk[i], round_acc_to_fp16(accs[i], {0.0123f, exp2})) << accs[i];
  }
  EXPECT_EQ(round_acc_to_fp16(INT64_MIN, {1.0f, 0}), 0xFC00);
  EXPECT_EQ(round_acc_to_fp16(65504, {1.0f, 0}), 0x7BFF);
  EXPECT_EQ(round_acc_to_fp16(65520, {1.0f, 0}), 0x7C00);
  EXPECT_EQ(round_acc_to_fp16(1, {1.0f, -25}), 0x0000);
  EXPECT_EQ(round_acc_to_fp16(3, {1.0f, -26}), 0x0001);
  EXPECT_EQ(round_acc_to_fp16(1 + (int64_t{1} << 40), {1.0f, -40}), 0x3C00)
      << "2^-40 below half an ulp of 1";
}

TEST(Accumulator, Fp16ChunkedSum) {
  const uint16_t one = fp32_to_fp16(1.0f), big = fp32_to_fp16(2048.0f);
  std::vector<uint16_t> terms{big, one, one, one, one};
  // Sequential FP16: 2048 + 1 = 2049 rounds to 2048 (tie to even) every time.
  EXPECT_EQ(fp16_to_fp32(fp16_sum_chunked(terms, 5)), 2048.0f);
  // Chunks of 1 + 4: the four ones sum exactly to 4 first.
  std::vector<uint16_t> t2{big, one, one, one, one};
  EXPECT_EQ(fp16_to_fp32(fp16_sum_chunked(t2, 1)), 2048.0f);
  EXPECT_EQ(fp16_to_fp32(fp16_sum_chunked(std::vector<uint16_t>{one, one, one, one, big}, 4)),
            2052.0f);
}

TEST(QuantizeBulk, EqualsScalarIncludingExtremes) {
  std::mt19937_64 rng(12);
  std::vector<float> x(20000);
  for (size_t i = 0; i < x.size(); ++i) {
    const float v = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    x[i] = (i % 3 == 0) ? v
                        : static_cast<float>(static_cast<int>(rng() % 41) - 20) *
                              0.25f;  // ties and specials
  }
  x[0] = NAN;
  x[1] = INFINITY;
  x[2] = -INFINITY;
  std::vector<int8_t> c8(x.size());
  quantize_int4_bulk(x, 0.5f, 7, c8);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(c8[i], quantize_int4(x[i], 0.5f, 7)) << x[i];
  for (const PactConfig& pc : {PactConfig{}, PactConfig{.is_signed = true}}) {
    pact_quantize_bulk(x, 2.5f, pc, c8);
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(c8[i], pact_quantize(x[i], 2.5f, pc)) << x[i];
  }
  std::vector<uint8_t> f4(x.size());
  Fp4Config sr{.rounding = Rounding::stochastic, .seed = 3};
  fp4_quantize_bulk(x, -2, sr, 1000, f4);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(f4[i], fp4_encode_stochastic(x[i], -2, 3, 1000 + i));
  std::vector<uint16_t> h(x.size());
  fp32_to_fp16_bulk(x, h);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(h[i], fp32_to_fp16(x[i])) << x[i];
  std::vector<float> back(x.size());
  fp16_to_fp32_bulk(h, back);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(std::bit_cast<uint32_t>(back[i]), std::bit_cast<uint32_t>(fp16_to_fp32(h[i])));
  encode_float_bulk(kHfp8Fwd143, x, f4);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(f4[i], encode_float(kHfp8Fwd143, x[i]));
  EXPECT_THROW(quantize_int4_bulk(x, 1.0f, 7, std::span<int8_t>(c8.data(), 3)), nibble::InputError);
}

// encode_float_bulk's threshold search equals the scalar encoder for every
// 8-bit-or-narrower format shape (specials, subnormals, saturation, odd
// biases): at every representable value, every midpoint and its float
// neighbours, both signs, beyond the largest finite value, specials, and
// random floats over the whole exponent range.
TEST(QuantizeBulk, EightBitEncoderEqualsScalarEncoderForEveryFormatShape) {
  std::vector<FloatFormat> formats = {kHfp8Fwd143, kHfp8Bwd152, kUe4m3};
  for (int e = 2; e <= 5; ++e)
    for (int m = 0; m + e <= 7; ++m)
      for (Specials sp : {Specials::ieee, Specials::nan_only, Specials::none})
        for (bool sub : {true, false})
          for (bool sat : {true, false}) {
            if (sp != Specials::none && m == 0) continue;  // NaN needs a mantissa
            formats.push_back({.exp_bits = e,
                               .man_bits = m,
                               .bias = (1 << (e - 1)) - 1 + (m % 2),
                               .specials = sp,
                               .subnormals = sub,
                               .saturate = sat});
          }
  std::mt19937_64 rng(8);
  std::vector<float> x;
  for (int i = 0; i < 20000; ++i) {
    const float mag =
        std::ldexp(static_cast<float>(rng() >> 40) / 0x1p24f, static_cast<int>(rng() % 80) - 40);
    x.push_back(rng() % 2 ? -mag : mag);
  }
  for (float v : {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                  std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max()})
    x.push_back(v);
  for (const FloatFormat& f : formats) {
    std::vector<float> in = x;
    for (uint32_t c = 0; c < f.code_count(); ++c) {
      const float v = decode_float(f, c);
      if (!std::isfinite(v)) continue;
      const float w = decode_float(f, c + 1 < f.code_count() ? c + 1 : c);
      const float mid = std::isfinite(w) ? (v + w) / 2 : 2 * v;
      for (float y :
           {v, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 4 * mid + 1), 1.5f * v})
        in.insert(in.end(), {y, -y});
    }
    std::vector<uint8_t> got(in.size());
    encode_float_bulk(f, in, got);
    for (size_t i = 0; i < in.size(); ++i)
      ASSERT_EQ(got[i], encode_float(f, in[i])) << describe(f) << " x " << in[i];
  }
}

TEST(CounterRng, IsAPureFunctionOfSeedAndIndex) {
  EXPECT_EQ(counter_hash(1, 2), counter_hash(1, 2));
  EXPECT_NE(counter_hash(1, 2), counter_hash(2, 1));
  double s = 0;
  for (uint64_t i = 0; i < 100000; ++i) s += counter_uniform(5, i);
  EXPECT_NEAR(s / 100000, 0.5, 4 * std::sqrt(1.0 / 12 / 100000));
}

}  // namespace
}  // namespace nibble::num
