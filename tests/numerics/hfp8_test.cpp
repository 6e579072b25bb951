// HFP8 (and other FloatFormat variants) against the independent table-driven
// reference: every code, all 65,536 FP16 inputs, a random fp32 sample.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "tests/numerics/float_reference.hpp"

namespace nibble::num {
namespace {

std::vector<FloatFormat> formats() {
  std::vector<FloatFormat> fs{kHfp8Fwd143, kHfp8Bwd152};
  FloatFormat f = kHfp8Fwd143;
  f.saturate = false;
  fs.push_back(f);  // overflow -> inf
  f = kHfp8Fwd143;
  f.specials = Specials::nan_only;
  f.saturate = false;
  fs.push_back(f);  // E4M3FN-like, overflow -> NaN
  f.saturate = true;
  fs.push_back(f);
  f = kHfp8Bwd152;
  f.subnormals = false;
  fs.push_back(f);
  f = kHfp8Fwd143;
  f.specials = Specials::none;
  f.bias = 4;
  fs.push_back(f);
  return fs;
}

void check(const FloatFormat& f, const test::RefFormat& ref, float x) {
  const uint32_t got = encode_float(f, x);
  if (std::isnan(x)) {
    ASSERT_EQ(got, nan_code(f, std::signbit(x))) << describe(f);
    return;
  }
  ASSERT_EQ(got, ref.encode(x)) << describe(f) << " x=" << x;
}

TEST(Hfp8, Presets) {
  EXPECT_EQ(max_finite(kHfp8Fwd143), 240.0);
  EXPECT_EQ(max_finite(kHfp8Bwd152), 57344.0);
  EXPECT_EQ(min_subnormal(kHfp8Fwd143), std::ldexp(1.0, -9));
  EXPECT_EQ(min_subnormal(kHfp8Bwd152), std::ldexp(1.0, -16));
  EXPECT_EQ(fp32_to_hfp8(kHfp8Fwd143, 1e6f), 0x77) << "saturates to 240";
  EXPECT_EQ(fp32_to_hfp8(kHfp8Fwd143, INFINITY), 0x78) << "inf input stays inf";
  EXPECT_EQ(fp32_to_hfp8(kHfp8Fwd143, 1.0f), 0x38);
  EXPECT_EQ(fp32_to_hfp8(kHfp8Bwd152, 1.0f), 0x3C);
}

TEST(Hfp8, EveryCodeRoundTripsForEveryVariant) {
  for (const FloatFormat& f : formats()) {
    const test::RefFormat ref(f);
    for (uint32_t c = 0; c < f.code_count(); ++c) {
      const float v = decode_float(f, c);
      if (is_nan_code(f, c)) {
        EXPECT_TRUE(std::isnan(v));
        continue;
      }
      if (std::isinf(v)) {
        EXPECT_EQ(f.specials, Specials::ieee);
        EXPECT_EQ(c & ~f.sign_mask(), ((1u << f.exp_bits) - 1) << f.man_bits);
        EXPECT_EQ(encode_float(f, v), c);
        continue;
      }
      EXPECT_EQ(static_cast<double>(v), ref.value(c)) << describe(f) << " code " << c;
      const bool flushed = !f.subnormals && ((c >> f.man_bits) & ((1u << f.exp_bits) - 1)) == 0;
      EXPECT_EQ(encode_float(f, v), flushed ? (c & f.sign_mask()) : c)
          << describe(f) << " code " << c;
    }
  }
}

TEST(Hfp8, All65536Fp16InputsAndMidpoints) {
  for (const FloatFormat& f : formats()) {
    const test::RefFormat ref(f);
    for (uint32_t h = 0; h < 65536; ++h) {
      check(f, ref, fp16_to_fp32(static_cast<uint16_t>(h)));
      if (HasFatalFailure()) return;
    }
    // Midpoints between neighbouring codes and their fp32 neighbours.
    for (uint32_t c = 0; c + 1 < (f.code_count() >> 1); ++c) {
      const float a = decode_float(f, c), b = decode_float(f, c + 1);
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      const auto mid = static_cast<float>((static_cast<double>(a) + b) / 2);
      for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f), -mid})
        check(f, ref, x);
    }
    const auto top = static_cast<float>(ref.max_value());
    for (float x : {top, std::nextafter(top, 1e30f), top * 1.0625f, top * 1.03125f,
                    std::nextafter(top * 1.03125f, 0.0f)})
      check(f, ref, x);
  }
}

TEST(Hfp8, RandomFp32Sample) {
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<float> e(-20.0f, 18.0f);
  for (const FloatFormat& f : formats()) {
    const test::RefFormat ref(f);
    for (int i = 0; i < 100000; ++i) {
      check(f, ref, std::bit_cast<float>(static_cast<uint32_t>(rng())));
      check(f, ref, std::exp2(e(rng)) * ((i & 1) ? 1.0f : -1.0f));
      if (HasFatalFailure()) return;
    }
  }
}

TEST(Hfp8, RejectsUnsupportedFormats) {
  EXPECT_THROW(validate(FloatFormat{.exp_bits = 1, .man_bits = 2, .bias = 0}), nibble::InputError);
  EXPECT_THROW(validate(FloatFormat{.exp_bits = 4, .man_bits = 0, .bias = 7}), nibble::InputError);
  EXPECT_THROW(validate(FloatFormat{.exp_bits = 8, .man_bits = 3, .bias = -20}),
               nibble::InputError);
  EXPECT_NO_THROW(validate(kHfp8Fwd143));
}

}  // namespace
}  // namespace nibble::num
