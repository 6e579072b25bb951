// The fast block-scaled FP4 kernels (gemm_block_fp4 with every kernel this
// CPU runs, the vectorised quantizer) against the scalar references
// (gemm_block_fp4_ref, quantize_block_fp4_ref), compared with == on the bit
// patterns: random shapes with short last blocks, all-zero blocks, -0 codes,
// scale extremes (E8M0 2^-127 .. 2^127, UE4M3 subnormals and 448), NaN
// scales, and every rounding mode.
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/block_fp4_encode.hpp"
#include "hw_models/numerics/counter_rng.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/hadamard.hpp"

namespace nibble::num {
namespace {

const IntKernel kKernels[] = {IntKernel::best, IntKernel::avx512vnni, IntKernel::avx2,
                              IntKernel::portable};

// A tensor with random codes and random scale codes drawn from `scales`.
BlockFp4Tensor random_tensor(std::mt19937_64& rng, BlockFormat f, int rows, int cols, int bs,
                             const std::vector<uint8_t>& scales, double zero_block_p) {
  BlockFp4Tensor t;
  t.format = f;
  t.rows = rows;
  t.cols = cols;
  t.block_size = bs;
  t.codes.resize(static_cast<size_t>(rows) * cols);
  for (auto& c : t.codes) c = static_cast<uint8_t>(rng() & 0xF);
  t.scale_codes.resize(static_cast<size_t>(rows) * t.blocks_per_row());
  std::uniform_real_distribution<double> u(0, 1);
  for (int r = 0; r < rows; ++r)
    for (int kb = 0; kb < t.blocks_per_row(); ++kb) {
      t.scale_codes[static_cast<size_t>(r) * t.blocks_per_row() + kb] =
          scales[rng() % scales.size()];
      if (u(rng) < zero_block_p)  // all-zero block (some -0 codes)
        for (int k = kb * bs; k < std::min(cols, (kb + 1) * bs); ++k)
          t.codes[static_cast<size_t>(r) * cols + k] = (rng() & 1) ? 8 : 0;
    }
  if (f == BlockFormat::nvfp4) {
    const float amax = std::ldexp(1.0f, static_cast<int>(rng() % 60) - 30);
    t.tensor = nvfp4_tensor_scale(amax);
    t.global_amax = amax;
  }
  return t;
}

std::vector<uint8_t> range_codes(int lo, int hi) {
  std::vector<uint8_t> v;
  for (int c = lo; c <= hi; ++c) v.push_back(static_cast<uint8_t>(c));
  return v;
}

void expect_same_gemm(const BlockFp4Tensor& a, const BlockFp4Tensor& b, const std::string& what) {
  const size_t n = static_cast<size_t>(a.rows) * b.rows;
  std::vector<float> ref32(n), refacc(n);
  std::vector<uint16_t> ref16(n);
  gemm_block_fp4_ref(a, b, ref32.data(), ref16.data(), refacc.data());
  for (IntKernel k : kKernels) {
    if (!block_fp4_kernel_supported(k)) continue;
    std::vector<float> f32(n, -1.0f), acc(n, -1.0f);
    std::vector<uint16_t> f16(n, 0xFFFF);
    gemm_block_fp4(a, b, f32.data(), f16.data(), acc.data(), k);
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i)
      bad += std::bit_cast<uint32_t>(f32[i]) != std::bit_cast<uint32_t>(ref32[i]) ||
             std::bit_cast<uint32_t>(acc[i]) != std::bit_cast<uint32_t>(refacc[i]) ||
             f16[i] != ref16[i];
    for (size_t i = 0; i < n && bad; ++i)
      if (std::bit_cast<uint32_t>(acc[i]) != std::bit_cast<uint32_t>(refacc[i]) ||
          f16[i] != ref16[i]) {
        ADD_FAILURE() << "first mismatch " << i << " acc " << acc[i] << " ref " << refacc[i]
                      << " f16 " << f16[i] << " ref " << ref16[i];
        break;
      }
    EXPECT_EQ(bad, 0u) << what << " kernel " << int_kernel_name(k) << " " << a.rows << "x" << b.rows
                       << "x" << a.cols;
  }
}

TEST(BlockFp4Kernel, RandomGemmsEqualTheScalarReference) {
  std::mt19937_64 rng(20261128);
  int cases = 0;
  for (BlockFormat f : {BlockFormat::mxfp4, BlockFormat::nvfp4})
    for (int bs : {16, 32})
      for (int scale_set = 0; scale_set < 4; ++scale_set)
        for (int rep = 0; rep < 4; ++rep) {
          const bool mx = f == BlockFormat::mxfp4;
          // 0: training-like, 1: the full range (E8M0 up to 2^127 takes the double
          // kernel), 2: the smallest scales (2^-127; UE4M3 subnormals), 3: with NaN.
          std::vector<uint8_t> scales;
          if (scale_set == 0) scales = mx ? range_codes(100, 140) : range_codes(0x20, 0x50);
          if (scale_set == 1) scales = mx ? range_codes(0, 254) : range_codes(0, 0x7E);
          if (scale_set == 2) scales = mx ? range_codes(0, 6) : range_codes(0, 9);
          if (scale_set == 3) scales = {mx ? kE8m0Nan : kUe4m3Nan, 127, 120, 0x38};
          const int m = 1 + static_cast<int>(rng() % 37), n = 1 + static_cast<int>(rng() % 41);
          const int k = 1 + static_cast<int>(rng() % 200);
          const auto a = random_tensor(rng, f, m, k, bs, scales, 0.15);
          const auto b = random_tensor(rng, f, n, k, bs, scales, 0.15);
          expect_same_gemm(a, b, "scale set " + std::to_string(scale_set));
          ++cases;
        }
  EXPECT_EQ(cases, 64);
}

TEST(BlockFp4Kernel, LongKAndOverflowToInfinity) {
  std::mt19937_64 rng(7);
  // K across several cache-blocking chunks, and MXFP4 scales near 2^116..2^127
  // whose products overflow fp32 in the reference too.
  for (int k : {512, 1000, 3136}) {
    const auto a = random_tensor(rng, BlockFormat::mxfp4, 19, k, 32, range_codes(110, 140), 0.1);
    const auto b = random_tensor(rng, BlockFormat::mxfp4, 35, k, 32, range_codes(100, 127), 0.1);
    expect_same_gemm(a, b, "long K");
  }
  const auto a = random_tensor(rng, BlockFormat::mxfp4, 9, 64, 32, range_codes(240, 254), 0);
  const auto b = random_tensor(rng, BlockFormat::mxfp4, 17, 64, 32, range_codes(120, 140), 0);
  expect_same_gemm(a, b, "overflow");
  const auto a2 = random_tensor(rng, BlockFormat::mxfp4, 9, 64, 32, range_codes(235, 245), 0);
  expect_same_gemm(a2, b, "near the fp32 kernel's limit");
}

TEST(BlockFp4Kernel, EmptyShapesAndUnsupportedKernel) {
  std::mt19937_64 rng(3);
  const auto a = random_tensor(rng, BlockFormat::nvfp4, 0, 16, 16, {0x38}, 0);
  const auto b = random_tensor(rng, BlockFormat::nvfp4, 5, 16, 16, {0x38}, 0);
  gemm_block_fp4(a, b, nullptr, nullptr);  // no outputs, no throw
  EXPECT_FALSE(block_fp4_kernel_supported(IntKernel::avx512bw));
  std::vector<float> c(5);
  const auto a1 = random_tensor(rng, BlockFormat::nvfp4, 1, 16, 16, {0x38}, 0);
  EXPECT_THROW(gemm_block_fp4(a1, b, c.data(), nullptr, nullptr, IntKernel::avx512bw),
               nibble::InputError);
}

// Values that stress the quantizer: exact rounding thresholds times the
// block's power of two, their neighbours, -0, subnormals, huge values, and
// (when `specials`) NaN and inf.
std::vector<float> stress_values(std::mt19937_64& rng, size_t n, bool specials, int exp_center) {
  static const float kTies[] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, 6.0f, 0.5f, 4.0f};
  std::vector<float> v(n);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (size_t i = 0; i < n; ++i) {
    const int kind = static_cast<int>(rng() % 16);
    const int e = exp_center + static_cast<int>(rng() % 9) - 4;
    float x = std::ldexp(u(rng), e);
    if (kind < 5) {
      x = std::ldexp(kTies[rng() % 10], e - 2);  // a tie or a grid point of some block scale
      if (kind == 1) x = std::nextafter(x, 0.0f);
      if (kind == 2) x = std::nextafter(x, INFINITY);
      if (rng() & 1) x = -x;
    } else if (kind == 5) {
      x = (rng() & 1) ? -0.0f : 0.0f;
    } else if (kind == 6) {
      x = std::ldexp(u(rng), -140 - static_cast<int>(rng() % 9));  // subnormal
    } else if (kind == 7 && specials) {
      const float s[] = {NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX};
      x = s[rng() % 5];
    }
    v[i] = x;
  }
  return v;
}

void expect_same_quantization(std::span<const float> x, int rows, int cols, const BlockFp4Config& c,
                              uint64_t base, const std::string& what) {
  const BlockFp4Tensor f = quantize_block_fp4(x, rows, cols, c, base);
  const BlockFp4Tensor r = quantize_block_fp4_ref(x, rows, cols, c, base);
  EXPECT_EQ(f.codes, r.codes) << what;
  EXPECT_EQ(f.scale_codes, r.scale_codes) << what;
  EXPECT_EQ(std::bit_cast<uint32_t>(f.tensor.encode), std::bit_cast<uint32_t>(r.tensor.encode))
      << what;
  EXPECT_EQ(std::bit_cast<uint32_t>(f.tensor.decode), std::bit_cast<uint32_t>(r.tensor.decode))
      << what;
  EXPECT_EQ(std::bit_cast<uint32_t>(f.global_amax), std::bit_cast<uint32_t>(r.global_amax)) << what;
}

TEST(BlockFp4Kernel, QuantizerEqualsTheScalarReference) {
  std::mt19937_64 rng(11);
  int cases = 0;
  for (BlockFormat f : {BlockFormat::mxfp4, BlockFormat::nvfp4})
    for (int bs : {16, 32})
      for (bool t2 : {false, true}) {
        if (t2 && bs != 16) continue;
        for (ScaleRounding sr : {ScaleRounding::floor, ScaleRounding::ceil, ScaleRounding::even})
          for (E2m1Rounding er :
               {E2m1Rounding::nearest_even, E2m1Rounding::nearest_away, E2m1Rounding::stochastic})
            for (int rep = 0; rep < 3; ++rep) {
              const int rows = 1 + static_cast<int>(rng() % 40),
                        cols = 1 + static_cast<int>(rng() % 90);
              const bool specials = rep == 2;
              const int center = rep == 0 ? 0 : static_cast<int>(rng() % 240) - 120;
              const auto x = stress_values(rng, static_cast<size_t>(rows) * cols, specials, center);
              const BlockFp4Config c{.format = f,
                                     .block_size = bs,
                                     .tiles_2d = t2,
                                     .scale_rounding = sr,
                                     .rounding = er,
                                     .seed = rng()};
              expect_same_quantization(x, rows, cols, c, rng() % 1000,
                                       "case " + std::to_string(cases));
              ++cases;
            }
      }
  EXPECT_EQ(cases, 162);
}

TEST(BlockFp4Kernel, QuantizerCornerBlocks) {
  // All-zero blocks, a block maximum below the smallest scale, values at the
  // fp32 extremes, one NaN per block.
  std::vector<std::vector<float>> blocks = {
      std::vector<float>(48, 0.0f),     std::vector<float>(48, -0.0f),
      std::vector<float>(48, 1e-45f),   std::vector<float>(48, FLT_MAX),
      std::vector<float>(48, -FLT_MAX), std::vector<float>(48, 0x1p-140f),
  };
  std::vector<float> nan_block(48, 1.0f);
  nan_block[17] = NAN;
  blocks.push_back(nan_block);
  for (const auto& x : blocks)
    for (BlockFormat f : {BlockFormat::mxfp4, BlockFormat::nvfp4})
      for (ScaleRounding sr : {ScaleRounding::floor, ScaleRounding::ceil, ScaleRounding::even})
        for (E2m1Rounding er :
             {E2m1Rounding::nearest_even, E2m1Rounding::nearest_away, E2m1Rounding::stochastic}) {
          const BlockFp4Config c{
              .format = f, .block_size = 16, .scale_rounding = sr, .rounding = er};
          expect_same_quantization(x, 3, 16, c, 0, "corner");
          expect_same_quantization(x, 1, 48, c, 5, "corner row");
        }
}

TEST(BlockFp4Kernel, ElementEncoderSimdAndPortableEqualE2m1Encode) {
  // Every scale exponent, every rounding mode, stress values around each
  // block's thresholds: the SIMD and portable encoders against e2m1_encode
  // of the reference's y, element by element; and both block maxima.
  std::mt19937_64 rng(5);
  for (int exp = -127; exp <= 126; ++exp)
    for (E2m1Rounding er :
         {E2m1Rounding::nearest_even, E2m1Rounding::nearest_away, E2m1Rounding::stochastic})
      for (bool mx : {true, false}) {
        auto x = stress_values(rng, 37, false, mx ? exp : 0);
        if (mx)  // an MXFP4 block holding inf has the NaN scale: the encoder never sees it
          for (float& v : x) v = std::isinf(v) ? std::copysign(FLT_MAX, v) : v;
        const float nv = std::ldexp(1.0f + static_cast<float>(rng() % 8) / 8.0f, exp / 4);
        const detail::E2m1BlockEncoder e{
            .mx = mx, .exp = exp, .nv_encode = nv, .rounding = er, .seed = 99};
        uint8_t simd[37], portable[37];
        detail::encode_e2m1_block(e, x.data(), 37, simd, 1000, true);
        detail::encode_e2m1_block(e, x.data(), 37, portable, 1000, false);
        for (int i = 0; i < 37; ++i) {
          const double y = mx ? std::ldexp(static_cast<double>(x[i]), -exp) : x[i] * nv;
          const uint8_t want = e2m1_encode(y, er, 99, 1000 + static_cast<uint64_t>(i));
          ASSERT_EQ(simd[i], want) << "exp " << exp << " x " << x[i];
          ASSERT_EQ(portable[i], want) << "exp " << exp << " x " << x[i];
        }
        const auto m1 = detail::block_abs_max(x.data(), 37, true);
        const auto m2 = detail::block_abs_max(x.data(), 37, false);
        EXPECT_EQ(std::bit_cast<uint32_t>(m1.max), std::bit_cast<uint32_t>(m2.max));
        EXPECT_EQ(m1.nan, m2.nan);
      }
  std::vector<float> with_nan = {1.0f, NAN, -3.0f, INFINITY};
  for (bool simd : {true, false}) {
    const auto m = detail::block_abs_max(with_nan.data(), 4, simd);
    EXPECT_TRUE(m.nan);
    EXPECT_EQ(m.max, INFINITY);
  }
}

TEST(BlockFp4Kernel, Ue4m3FastEncoderEqualsEncodeFloat) {
  // Every fp32 exponent in and around UE4M3's range, with the low mantissa
  // bits at and around every rounding point of 3 kept bits, and random
  // mantissas; plus the signs, zeros, 448 and beyond, NaN.
  uint64_t checked = 0;
  std::mt19937_64 rng(17);
  for (uint32_t e = 100; e <= 137; ++e)
    for (uint32_t top = 0; top < 8; ++top)
      for (uint32_t low : {0u, 1u, 0x7FFFFu, 0x80000u, 0x80001u, 0xFFFFFu, 0x3FFFFu, 0xC0000u}) {
        for (uint32_t extra = 0; extra < 2; ++extra) {
          const uint32_t bits =
              (e << 23) | (top << 20) | (extra ? static_cast<uint32_t>(rng()) & 0xFFFFFu : low);
          const float d = std::bit_cast<float>(bits);
          ASSERT_EQ(ue4m3_encode_nonneg(d), encode_float(kUe4m3, d)) << d;
          ++checked;
        }
      }
  for (float d : {0.0f, -0.0f, 448.0f, 449.0f, 464.0f, 480.0f, 1e30f, -1.0f, 0x1p-10f, 0x1p-9f,
                  0x1.8p-10f, 0x1.8p-9f, 0x1.4p-8f, NAN}) {
    ASSERT_EQ(ue4m3_encode_nonneg(d), encode_float(kUe4m3, d)) << d;
    ++checked;
  }
  std::uniform_real_distribution<float> u(0.0f, 448.0f);
  for (int i = 0; i < 200000; ++i) {
    float d = u(rng);
    if (i & 1) d = std::ldexp(d, -static_cast<int>(rng() % 24));
    ASSERT_EQ(ue4m3_encode_nonneg(d), encode_float(kUe4m3, d)) << d;
    ++checked;
  }
  EXPECT_GT(checked, 200000u);
}

TEST(BlockFp4Kernel, HadamardFastEqualsReference) {
  std::mt19937_64 rng(23);
  for (int rep = 0; rep < 200; ++rep) {
    const size_t n = rng() % 100;
    auto x = stress_values(rng, n, true, static_cast<int>(rng() % 60) - 30);
    auto y = x;
    const auto mask = static_cast<uint16_t>(rng());
    hadamard16_inplace(x, mask);
    hadamard16_inplace_ref(y, mask);
    // NaN payloads are not specified (a compiler may swap the operands of a
    // scalar add): a NaN must meet a NaN; every other value, its bits.
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(y[i]))
        ASSERT_TRUE(std::isnan(x[i])) << i;
      else
        ASSERT_EQ(std::bit_cast<uint32_t>(x[i]), std::bit_cast<uint32_t>(y[i])) << i << " " << y[i];
    }
  }
}

}  // namespace
}  // namespace nibble::num
