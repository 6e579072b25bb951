// FP16 conversions against independent references: the table-driven
// RefFormat (double arithmetic), the generic FloatFormat core, and the F16C
// hardware instructions when the CPU has them.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include "hw_models/numerics/fp16.hpp"
#include "tests/numerics/float_reference.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {
namespace {

#if defined(__x86_64__)
__attribute__((target("f16c"))) uint16_t f16c_encode(float x) {
  return static_cast<uint16_t>(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
__attribute__((target("f16c"))) float f16c_decode(uint16_t h) {
  return _cvtsh_ss(h);
}
bool have_f16c() {
  return __builtin_cpu_supports("f16c");
}
#else
uint16_t f16c_encode(float) {
  return 0;
}
float f16c_decode(uint16_t) {
  return 0;
}
bool have_f16c() {
  return false;
}
#endif

const test::RefFormat& ref16() {
  static const test::RefFormat r(kFp16);
  return r;
}

bool same_bits(float a, float b) {
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

// Checks one fp32 input against all references.
void check_encode(float x) {
  const uint16_t got = fp32_to_fp16(x);
  if (std::isnan(x)) {
    ASSERT_TRUE(is_nan_code(kFp16, encode_float(kFp16, x)));  // the core's NaN is canonical
  } else {
    ASSERT_EQ(got, static_cast<uint16_t>(encode_float(kFp16, x))) << "generic core, x=" << x;
  }
  if (have_f16c()) {
    ASSERT_EQ(got, f16c_encode(x)) << "F16C, bits=" << std::bit_cast<uint32_t>(x);
  }
  if (!std::isnan(x)) {
    ASSERT_EQ(got, ref16().encode(x)) << "table reference, x=" << x;
  }
}

TEST(Fp16, DecodeAll65536AgainstFormulaAndF16C) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float v = fp16_to_fp32(static_cast<uint16_t>(h));
    const uint32_t e = (h >> 10) & 31, m = h & 1023;
    if (e == 31) {
      EXPECT_TRUE(m ? std::isnan(v) : std::isinf(v)) << h;
    } else {
      EXPECT_EQ(static_cast<double>(v), ref16().value(h)) << h;
      EXPECT_EQ(std::signbit(v), (h & 0x8000) != 0) << h;
    }
    if (have_f16c()) {
      EXPECT_TRUE(same_bits(v, f16c_decode(static_cast<uint16_t>(h)))) << h;
    }
  }
}

TEST(Fp16, EveryCodeRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float v = fp16_to_fp32(static_cast<uint16_t>(h));
    const uint16_t back = fp32_to_fp16(v);
    if (std::isnan(v))
      EXPECT_EQ(back, h | 0x200u) << "NaN keeps sign and payload, becomes quiet: " << h;
    else
      EXPECT_EQ(back, h) << h;
  }
}

TEST(Fp16, EncodeNeighboursOfEveryValueAndMidpoint) {
  // For every finite fp16 value: the value, its fp32 neighbours, the midpoint
  // to the next value and its fp32 neighbours (the ties and just-off-ties).
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    for (uint32_t s : {0u, 0x8000u}) {
      const float v = fp16_to_fp32(static_cast<uint16_t>(h | s));
      const float next = h + 1 < 0x7C00 ? fp16_to_fp32(static_cast<uint16_t>((h + 1) | s))
                                        : (s ? -65536.0f : 65536.0f);
      const float mid = static_cast<float>((static_cast<double>(v) + next) / 2);  // exact in fp32
      for (float x : {v, mid, std::nextafter(v, 0.0f), std::nextafter(v, 2 * next),
                      std::nextafter(mid, 0.0f), std::nextafter(mid, 2 * next)}) {
        check_encode(x);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(Fp16, EncodeRandomFp32BitPatterns) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 1000000; ++i) {
    check_encode(std::bit_cast<float>(static_cast<uint32_t>(rng())));
    if (HasFatalFailure()) return;
  }
  // Dense sample of the fp16 range, subnormals and the overflow edge.
  std::uniform_real_distribution<float> expo(-30.0f, 17.0f);
  for (int i = 0; i < 300000; ++i) {
    check_encode(std::exp2(expo(rng)) * ((i & 1) ? -1.0f : 1.0f));
    if (HasFatalFailure()) return;
  }
}

TEST(Fp16, Specials) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(fp32_to_fp16(inf), 0x7C00);
  EXPECT_EQ(fp32_to_fp16(-inf), 0xFC00);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(std::nextafter(65520.0f, 0.0f)), 0x7BFF);  // just below the overflow tie
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);                        // tie goes to "even" = inf
  EXPECT_EQ(fp32_to_fp16(0x1p-24f), 0x0001);                        // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);                        // half of it: tie to even = 0
  EXPECT_EQ(fp32_to_fp16(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(std::bit_cast<float>(0x7F800001u)), 0x7E00);  // sNaN quieted
  EXPECT_EQ(fp32_to_fp16(std::bit_cast<float>(0xFFC02000u)), 0xFE01);  // payload kept
}

TEST(Fp16, Fp64EncodeSingleRounding) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> expo(-27.0, 17.0);
  for (int i = 0; i < 300000; ++i) {
    double x = std::exp2(expo(rng));
    if (i % 3 == 0) {  // an fp16 midpoint nudged by less than fp32 can see
      const uint16_t h = fp64_to_fp16(x);
      if (h >= 0x7BFF) continue;
      const double v = fp16_to_fp32(h), w = fp16_to_fp32(static_cast<uint16_t>(h + 1));
      x = (v + w) / 2 + ((i % 2) ? 1 : -1) * std::ldexp(v, -40);
    }
    ASSERT_EQ(fp64_to_fp16(x), ref16().encode(x)) << x;
  }
}

TEST(Fp16, AddIsOneRoundingOfTheExactSum) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300000; ++i) {
    const auto a = static_cast<uint16_t>(rng() & 0x7BFF), b = static_cast<uint16_t>(rng());
    if (((b >> 10) & 31) == 31) continue;
    const double exact = double(fp16_to_fp32(a)) + double(fp16_to_fp32(b));  // exact in double
    const uint16_t want =
        exact == 0 ? fp32_to_fp16(fp16_to_fp32(a) + fp16_to_fp32(b)) : ref16().encode(exact);
    ASSERT_EQ(fp16_add(a, b), want) << a << " + " << b;
  }
}

}  // namespace
}  // namespace nibble::num
