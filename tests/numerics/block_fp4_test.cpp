// Block-scaled FP4 (MXFP4, NVFP4): every code of E2M1, E8M0 and UE4M3, every
// rounding boundary, the corner cases of docs/numerics.md section 10, and the
// held-out comparison (==, bit patterns) with the independent NumPy
// implementation's vectors (tests/numerics/block_fp4_numpy_ref.py).
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/counter_rng.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/hadamard.hpp"
#include "tests/numerics/float_reference.hpp"

namespace nibble::num {
namespace {

constexpr double kGrid[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};

// Independent E2M1 nearest: distance comparison against the 8 magnitudes.
uint8_t ref_e2m1_nearest(double y, bool ties_away) {
  if (std::isnan(y)) return 0;
  const double a = std::fabs(y);
  int best = 0;
  for (int m = 1; m < 8; ++m) {
    const double d = std::fabs(a - kGrid[m]), db = std::fabs(a - kGrid[best]);
    if (d < db || (d == db && (ties_away || (m & 1) == 0))) best = m;
  }
  return static_cast<uint8_t>((y < 0 ? 8 : 0) | best);
}

TEST(E2m1, EveryCodeDecodesAndReencodes) {
  for (int code = 0; code < 16; ++code) {
    const auto c = static_cast<uint8_t>(code);
    const double v = e2m1_decode(c);
    EXPECT_EQ(v, (code & 8 ? -1 : 1) * kGrid[code & 7]);
    EXPECT_EQ(e2m1_twice(c), static_cast<int>(2 * v));
    for (auto r :
         {E2m1Rounding::nearest_even, E2m1Rounding::nearest_away, E2m1Rounding::stochastic})
      EXPECT_EQ(e2m1_encode(v, r, 3, code), code == 8 ? 0 : code) << code;
  }
  EXPECT_EQ(e2m1_encode(-0.1, E2m1Rounding::nearest_even), 8);  // negative rounding to zero: -0
  EXPECT_EQ(e2m1_encode(-0.0, E2m1Rounding::nearest_even), 0);
  EXPECT_EQ(e2m1_encode(NAN, E2m1Rounding::nearest_even), 0);
  EXPECT_EQ(e2m1_encode(INFINITY, E2m1Rounding::nearest_even), 7);
  EXPECT_EQ(e2m1_encode(-INFINITY, E2m1Rounding::stochastic), 15);
  EXPECT_EQ(e2m1_encode(1e30, E2m1Rounding::nearest_away), 7);
}

TEST(E2m1, EveryBoundaryAndItsNeighbours) {
  // Each midpoint, each grid point and their float neighbours, both signs.
  std::vector<double> pts;
  for (int m = 0; m < 8; ++m) {
    pts.push_back(kGrid[m]);
    if (m < 7) pts.push_back(0.5 * (kGrid[m] + kGrid[m + 1]));
  }
  pts.push_back(7.0);
  for (double p : std::vector<double>(pts)) {
    pts.push_back(std::nextafter(static_cast<float>(p), 0.0f));
    pts.push_back(std::nextafter(static_cast<float>(p), 100.0f));
  }
  for (double p : pts)
    for (double s : {1.0, -1.0}) {
      const double y = s * p;
      if (y == 0) continue;
      EXPECT_EQ(e2m1_encode(y, E2m1Rounding::nearest_even), ref_e2m1_nearest(y, false)) << y;
      EXPECT_EQ(e2m1_encode(y, E2m1Rounding::nearest_away), ref_e2m1_nearest(y, true)) << y;
    }
  // The ties, spelled out (OCP RNE vs microxcaling's round="nearest").
  const double ties[] = {0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0};
  const int even[] = {0, 2, 2, 4, 4, 6, 6}, away[] = {1, 2, 3, 4, 5, 6, 7};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(e2m1_encode(ties[i], E2m1Rounding::nearest_even), even[i]);
    EXPECT_EQ(e2m1_encode(ties[i], E2m1Rounding::nearest_away), away[i]);
  }
}

TEST(E2m1, RandomFloatsMatchReference) {
  std::mt19937 g(16);
  for (int i = 0; i < 300000; ++i) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(g()));
    const double y = static_cast<double>(f);
    // Large finite values are brought into [1, 16) so most draws land on the grid's range.
    const bool keep = !std::isfinite(y) || std::fabs(y) < 16;
    const double z = keep ? y : std::ldexp(y, -std::ilogb(y) + static_cast<int>(g() % 4));
    EXPECT_EQ(e2m1_encode(z, E2m1Rounding::nearest_even), ref_e2m1_nearest(z, false)) << z;
    EXPECT_EQ(e2m1_encode(z, E2m1Rounding::nearest_away), ref_e2m1_nearest(z, true)) << z;
  }
}

TEST(E2m1, StochasticIsUnbiasedAndSeeded) {
  for (double y : {0.1, 0.7, 1.3, 2.2, 4.9, -3.3}) {
    double sum = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) sum += e2m1_decode(e2m1_encode(y, E2m1Rounding::stochastic, 9, i));
    // step <= 2, so the per-sample sd <= 1: 4 sd of the mean = 4 / sqrt(n)
    EXPECT_NEAR(sum / n, y, 4.0 / std::sqrt(double(n))) << y;
    // Only the two neighbours are ever produced, chosen by counter_uniform < p.
    const uint8_t c = e2m1_encode(y, E2m1Rounding::stochastic, 9, 5);
    const double lo = std::floor(std::fabs(y) * 2) / 2;  // works below 2 only
    if (std::fabs(y) < 2) {
      const bool up = counter_uniform(9, 5) < (std::fabs(y) - lo) / 0.5;
      EXPECT_EQ(std::fabs(e2m1_decode(c)), up ? lo + 0.5 : lo);
    }
  }
  EXPECT_EQ(e2m1_encode(6.5, E2m1Rounding::stochastic, 1, 1), 7);
}

TEST(E8m0, EveryCodeAndEveryModeBoundary) {
  for (int c = 0; c < 255; ++c)
    EXPECT_EQ(e8m0_decode(static_cast<uint8_t>(c)), std::ldexp(1.0, c - 127));
  EXPECT_TRUE(std::isnan(e8m0_decode(255)));
  for (int k = -126; k <= 127; ++k) {
    const auto at = [k](double m) { return static_cast<float>(std::ldexp(m, k)); };
    const auto code = [](float a, ScaleRounding r) { return e8m0_exp(e8m0_scale_code(a, r)); };
    const auto cl = [](int e) { return std::clamp(e, -127, 127); };
    const float below2 = std::nextafter(at(2.0), 0.0f);
    for (float a : {at(1.0), at(1.5), at(1.75), below2})
      EXPECT_EQ(code(a, ScaleRounding::floor), cl(k - 2));
    EXPECT_EQ(code(at(1.0), ScaleRounding::ceil), cl(k - 2));
    EXPECT_EQ(code(at(1.5), ScaleRounding::ceil), cl(k - 2));  // 6 * 2^(k-2) == amax
    EXPECT_EQ(code(std::nextafter(at(1.5), INFINITY), ScaleRounding::ceil), cl(k - 1));
    EXPECT_EQ(code(std::nextafter(at(1.75), 0.0f), ScaleRounding::even), cl(k - 2));
    EXPECT_EQ(code(at(1.75), ScaleRounding::even), cl(k - 1));
  }
  for (auto r : {ScaleRounding::floor, ScaleRounding::ceil, ScaleRounding::even}) {
    EXPECT_EQ(e8m0_scale_code(0.0f, r), 0) << "all-zero block: smallest scale";
    EXPECT_EQ(e8m0_scale_code(1e-44f, r), 0) << "below the smallest scale: clamped";
    EXPECT_EQ(e8m0_scale_code(NAN, r), kE8m0Nan);
    EXPECT_EQ(e8m0_scale_code(INFINITY, r), kE8m0Nan);
    EXPECT_LE(e8m0_exp(e8m0_scale_code(FLT_MAX, r)), 126);
  }
}

TEST(Ue4m3, EveryCodeAndRandomFloatsMatchReference) {
  const test::RefFormat ref(kUe4m3);
  for (uint32_t c = 0; c < 0x7F; ++c) {
    EXPECT_EQ(ue4m3_decode(static_cast<uint8_t>(c)), ref.value(c));
    EXPECT_EQ(encode_float(kUe4m3, static_cast<float>(ref.value(c))), c);
  }
  EXPECT_TRUE(std::isnan(ue4m3_decode(0x7F)));
  EXPECT_EQ(ue4m3_decode(0x7E), 448.0);
  EXPECT_EQ(ue4m3_decode(0x01), std::ldexp(1.0, -9));
  std::mt19937 g(4);
  for (int i = 0; i < 200000; ++i) {
    const float f = std::ldexp(static_cast<float>(g() % 65536) / 65536.0f, int(g() % 24) - 14);
    EXPECT_EQ(encode_float(kUe4m3, f), ref.encode(f)) << f;
  }
}

TEST(Nvfp4, TensorAndBlockScaleCorners) {
  const auto t = nvfp4_tensor_scale(2688.0f);  // S_enc = 1
  EXPECT_EQ(t.encode, 1.0f);
  EXPECT_EQ(t.decode, 1.0f);
  EXPECT_EQ(nvfp4_tensor_scale(0.0f).encode, FLT_MAX);  // all-zero tensor
  EXPECT_EQ(nvfp4_tensor_scale(INFINITY).encode, 1.0f);
  EXPECT_TRUE(std::isnan(nvfp4_tensor_scale(NAN).encode));
  EXPECT_EQ(nvfp4_block_scale_code(6.0f, t), encode_float(kUe4m3, 1.0f));
  EXPECT_EQ(nvfp4_block_scale_code(1e9f, t), 0x7E) << "UE4M3 overflow clamps to 448";
  EXPECT_EQ(nvfp4_block_scale_code(1e-5f, t), 0) << "below the smallest UE4M3: 0";
  EXPECT_EQ(nvfp4_element_encode_scale(0, t), FLT_MAX) << "1/0 clamped";
  EXPECT_EQ(nvfp4_block_scale_code(NAN, t), kUe4m3Nan);
}

TEST(Hadamard, OrthonormalAndSeeded) {
  EXPECT_NE(hadamard_sign_mask(1), hadamard_sign_mask(2));
  std::vector<float> v(16, 0.0f);
  v[3] = 4.0f;
  hadamard16_inplace(v, 0);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(v[i], (std::popcount(unsigned(i & 3)) & 1) ? -1.0f : 1.0f);
  // Applied twice: the identity on exactly representable data.
  std::vector<float> w(40), w0;
  for (int i = 0; i < 40; ++i) w[i] = float((i * 7) % 13) - 6.0f;
  w0 = w;
  hadamard16_inplace(w, kTeWgradSignMask);
  std::vector<float> u = w;
  // H^-1 = diag(s) H / 4: transform without signs, then apply the signs.
  hadamard16_inplace(u, 0);
  for (int r = 0; r < 2; ++r)
    for (int i = 0; i < 16; ++i)
      if ((kTeWgradSignMask >> i) & 1) u[r * 16 + i] = -u[r * 16 + i];
  EXPECT_EQ(u, w0) << "and the trailing 8 elements are untouched";
}

TEST(BlockFp4, CornerBlocks) {
  BlockFp4Config c;  // MXFP4, 32, floor, RNE
  std::vector<float> x(40, 0.0f);
  auto t = quantize_block_fp4(x, 1, 40, c);
  EXPECT_EQ(t.blocks_per_row(), 2);
  EXPECT_EQ(t.scale_code(0, 0), 0);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(t.value(0, i), 0.0);
  x[3] = NAN;
  x[35] = 1.0f;
  t = quantize_block_fp4(x, 1, 40, c);
  EXPECT_EQ(t.scale_code(0, 0), kE8m0Nan);
  EXPECT_TRUE(std::isnan(t.value(0, 0)));
  EXPECT_EQ(t.value(0, 35), 1.0) << "a short last block has its own scale";
  EXPECT_THROW(validate(BlockFp4Config{.block_size = 24}), nibble::InputError);
  EXPECT_THROW(validate(BlockFp4Config{.block_size = 32, .tiles_2d = true}), nibble::InputError);
}

// The encoder's health counts against a recount from the decoded tensor:
// MXFP4 scales are powers of two, so |x| > 6 * 2^e is exact in double.
TEST(BlockFp4, CountsEqualBruteForce) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int rows = 7, cols = 70;  // short last blocks
  std::vector<float> x(rows * cols);
  for (float& v : x) v = normal(rng) * (rng() % 4 == 0 ? 1e-3f : 1.0f);
  x[5] = 0.0f;
  for (int k = 0; k < 32; ++k) x[cols + k] = 1e-39f * static_cast<float>(k % 3);  // E8M0 clamp
  for (auto sr : {ScaleRounding::floor, ScaleRounding::ceil, ScaleRounding::even}) {
    const BlockFp4Config c{.scale_rounding = sr};
    const auto t = quantize_block_fp4(x, rows, cols, c);
    uint64_t sat = 0, under = 0, clamps = 0;
    for (int r = 0; r < rows; ++r)
      for (int k = 0; k < cols; ++k) {
        const double v = x[static_cast<size_t>(r) * cols + k];
        sat += std::fabs(v) > 6.0 * t.block_scale(r, k / 32);
        under += v != 0.0 && t.value(r, k) == 0.0;
      }
    for (int r = 0; r < rows; ++r)
      for (int kb = 0; kb < t.blocks_per_row(); ++kb) {
        float amax = 0.0f;
        for (int k = kb * 32; k < std::min(cols, kb * 32 + 32); ++k)
          amax = std::max(amax, std::fabs(x[static_cast<size_t>(r) * cols + k]));
        // floor(log2 amax) - 2 (or one more) below -127: amax < 2^-125.
        clamps += amax > 0.0f && std::ldexp(1.0, -125) > amax;
      }
    EXPECT_EQ(t.counts.elements, x.size());
    EXPECT_EQ(t.counts.saturated, sat);
    EXPECT_EQ(t.counts.underflow, under);
    EXPECT_EQ(t.counts.scale_clamps, clamps);
    EXPECT_EQ(clamps, 1u);
    if (sr == ScaleRounding::floor) {
      EXPECT_GT(sat, 0u);
    }
    if (sr == ScaleRounding::ceil) {
      EXPECT_EQ(sat, 0u) << "ceil never saturates";
    }
    EXPECT_GT(under, 0u);
  }
  // NVFP4: underflow recounted from the decoded values (a block scale of 0
  // flushes its block); the UE4M3 clamp from TransformerEngine's fp32 steps.
  const auto t =
      quantize_block_fp4(x, rows, cols, {.format = BlockFormat::nvfp4, .block_size = 16});
  uint64_t under = 0, clamps = 0;
  float gmax = 0.0f;
  for (float v : x) gmax = std::max(gmax, std::fabs(v));
  const float mult = (448.0f * 6.0f / gmax) * (1.0f / 6.0f);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) {
      under += x[static_cast<size_t>(r) * cols + k] != 0.0f && t.value(r, k) == 0.0;
      if (k % 16 == 0) {
        float amax = 0.0f;
        for (int j = k; j < std::min(cols, k + 16); ++j)
          amax = std::max(amax, std::fabs(x[static_cast<size_t>(r) * cols + j]));
        clamps += amax * mult > 448.0f;
      }
    }
  EXPECT_EQ(t.counts.underflow, under);
  EXPECT_GT(under, 0u);
  EXPECT_EQ(t.counts.scale_clamps, clamps);
  EXPECT_LE(clamps, 1u) << "only the largest block, by fp32 rounding";
  EXPECT_EQ(t.counts.elements, x.size());
}

// ---- the NumPy vectors ----------------------------------------------------
std::vector<uint32_t> hex_words(std::istringstream& in) {
  std::vector<uint32_t> v;
  std::string w;
  while (in >> w) v.push_back(static_cast<uint32_t>(std::stoul(w, nullptr, 16)));
  return v;
}
std::istringstream line_of(std::ifstream& f, const char* tag) {
  std::string line;
  std::getline(f, line);
  std::istringstream in(line);
  std::string t;
  in >> t;
  EXPECT_EQ(t, tag);
  return in;
}
std::vector<float> floats(const std::vector<uint32_t>& w) {
  std::vector<float> v;
  for (auto b : w) v.push_back(std::bit_cast<float>(b));
  return v;
}
ScaleRounding scale_mode(const std::string& s) {
  return s == "floor"  ? ScaleRounding::floor
         : s == "ceil" ? ScaleRounding::ceil
                       : ScaleRounding::even;
}
E2m1Rounding rounding(const std::string& s) {
  return s == "even"   ? E2m1Rounding::nearest_even
         : s == "away" ? E2m1Rounding::nearest_away
                       : E2m1Rounding::stochastic;
}

TEST(BlockFp4Vectors, NumpyReferenceAgreesBitForBit) {
  std::ifstream f(NIBBLE_SOURCE_DIR "/tests/data/numerics/block_fp4_vectors.txt");
  ASSERT_TRUE(f) << "missing vector file";
  std::string line;
  int quant_cases = 0, gemm_cases = 0, masks = 0;
  uint64_t elements = 0, outputs = 0;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "quant") {
      std::string name, fmt, sm, rnd;
      int rows, cols, block, t2;
      uint64_t seed;
      long mask;
      in >> name >> fmt >> rows >> cols >> block >> t2 >> sm >> rnd >> seed >> mask;
      auto xl = line_of(f, "x");
      std::vector<float> x = floats(hex_words(xl));
      if (mask >= 0)
        for (int r = 0; r < rows; ++r)
          hadamard16_inplace(std::span<float>(x).subspan(std::size_t(r) * cols, cols),
                             static_cast<uint16_t>(mask));
      const BlockFp4Config c{.format = fmt == "mx" ? BlockFormat::mxfp4 : BlockFormat::nvfp4,
                             .block_size = block,
                             .tiles_2d = t2 != 0,
                             .scale_rounding = scale_mode(sm),
                             .rounding = rounding(rnd),
                             .seed = seed};
      const BlockFp4Tensor t = quantize_block_fp4(x, rows, cols, c);
      auto cl = line_of(f, "codes");
      const auto codes = hex_words(cl);
      auto sl = line_of(f, "scales");
      const auto scales = hex_words(sl);
      auto tl = line_of(f, "tensor");
      const auto tensor = hex_words(tl);
      ASSERT_EQ(codes.size(), t.codes.size()) << name;
      for (std::size_t i = 0; i < codes.size(); ++i)
        EXPECT_EQ(t.codes[i], codes[i]) << name << " " << i;
      ASSERT_EQ(scales.size(), t.scale_codes.size()) << name;
      for (std::size_t i = 0; i < scales.size(); ++i)
        EXPECT_EQ(t.scale_codes[i], scales[i]) << name << " block " << i;
      if (c.format == BlockFormat::nvfp4) {
        EXPECT_EQ(std::bit_cast<uint32_t>(t.tensor.encode), tensor[0]) << name;
        EXPECT_EQ(std::bit_cast<uint32_t>(t.tensor.decode), tensor[1]) << name;
      }
      auto vl = line_of(f, "values");
      std::string w;
      for (int i = 0; vl >> w; ++i) {
        const double v = t.value(i / cols, i % cols);
        if (w == "nan")
          EXPECT_TRUE(std::isnan(v)) << name << " " << i;
        else
          EXPECT_EQ(std::bit_cast<uint64_t>(v), std::stoull(w, nullptr, 16)) << name << " " << i;
      }
      ++quant_cases;
      elements += codes.size();
    } else if (kind == "gemm") {
      std::string name, fmt;
      int m, n, k, block;
      in >> name >> fmt >> m >> n >> k >> block;
      auto al = line_of(f, "a");
      auto bl = line_of(f, "b");
      auto cl = line_of(f, "c");
      const auto a = floats(hex_words(al)), b = floats(hex_words(bl));
      const auto want = hex_words(cl);
      const BlockFp4Config c{.format = fmt == "mx" ? BlockFormat::mxfp4 : BlockFormat::nvfp4,
                             .block_size = block};
      const auto qa = quantize_block_fp4(a, m, k, c), qb = quantize_block_fp4(b, n, k, c);
      std::vector<float> ref(std::size_t(m) * n), fast(std::size_t(m) * n);
      gemm_block_fp4_ref(qa, qb, ref.data(), nullptr);
      gemm_block_fp4(qa, qb, fast.data(), nullptr);
      for (std::size_t i = 0; i < want.size(); ++i) {
        const float w = std::bit_cast<float>(want[i]);
        if (std::isnan(w)) {
          EXPECT_TRUE(std::isnan(ref[i]) && std::isnan(fast[i])) << name;
        } else {
          EXPECT_EQ(std::bit_cast<uint32_t>(ref[i]), want[i]) << name << " " << i;
          EXPECT_EQ(std::bit_cast<uint32_t>(fast[i]), want[i]) << name << " " << i;
        }
      }
      ++gemm_cases;
      outputs += want.size();
    } else if (kind == "signmask") {
      uint64_t seed;
      std::string hex;
      in >> seed >> hex;
      EXPECT_EQ(hadamard_sign_mask(seed), std::stoul(hex, nullptr, 16));
      ++masks;
    }
  }
  EXPECT_GT(quant_cases, 50);
  EXPECT_GT(gemm_cases, 20);
  EXPECT_EQ(masks, 2);
  RecordProperty("quant_cases", quant_cases);
  RecordProperty("elements", static_cast<int>(elements));
  RecordProperty("gemm_cases", gemm_cases);
  RecordProperty("gemm_outputs", static_cast<int>(outputs));
  std::printf(
      "numpy vectors: %d quantize cases (%llu elements), %d GEMMs (%llu outputs), == everywhere\n",
      quant_cases, static_cast<unsigned long long>(elements), gemm_cases,
      static_cast<unsigned long long>(outputs));
}

}  // namespace
}  // namespace nibble::num
