// Bulk GEMMs == scalar reference, bit for bit, for every kernel the CPU
// supports, random shapes (edges of the 12 x 32 tiles, odd K), extreme
// codes, saturating narrow accumulators and several thread counts.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gemm.hpp"
#include "hw_models/numerics/gemm_ref.hpp"
#include "hw_models/numerics/hfp8.hpp"

namespace nibble::num {
namespace {

std::vector<IntKernel> kernels() {
  std::vector<IntKernel> ks;
  for (IntKernel k :
       {IntKernel::avx512vnni, IntKernel::avx512bw, IntKernel::avx2, IntKernel::portable})
    if (int_kernel_supported(k)) ks.push_back(k);
  return ks;
}

struct Shape {
  int m, n, k;
};
const Shape kShapes[] = {{1, 1, 1},   {12, 32, 2},   {13, 33, 3},  {5, 70, 17},
                         {37, 9, 64}, {25, 65, 129}, {3, 40, 600}, {14, 50, 1100}};

std::vector<int8_t> random_int(std::mt19937_64& rng, std::size_t n, int lo, int hi, bool extremes) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(extremes ? ((rng() & 1) ? hi : lo) : d(rng));
  return v;
}
std::vector<uint8_t> random_fp4(std::mt19937_64& rng, std::size_t n, bool extremes) {
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(extremes ? ((rng() & 1) ? 0x7 : 0xF) : (rng() & 0xF));
  return v;
}

template <class Fast, class Ref>
void compare(const Shape& s, const GemmConfig& cfg, Fast fast, Ref ref, const char* what) {
  const std::size_t mn = static_cast<std::size_t>(s.m) * static_cast<std::size_t>(s.n);
  std::vector<uint16_t> c1(mn), c2(mn);
  std::vector<int64_t> a1(mn), a2(mn);
  GemmStats s1, s2;
  fast(c1.data(), a1.data(), &s1);
  ref(c2.data(), a2.data(), &s2);
  ASSERT_EQ(c1, c2) << what << " " << s.m << "x" << s.n << "x" << s.k << " kernel "
                    << int_kernel_name(cfg.kernel) << " bits " << cfg.acc_bits;
  if (cfg.mode == AccumMode::int_exact) {
    ASSERT_EQ(a1, a2) << what;
    ASSERT_EQ(s1.saturations, s2.saturations) << what;
    ASSERT_EQ(s1.saturated_outputs, s2.saturated_outputs) << what;
  }
  // Without the accumulator output the bulk GEMM may take its fused path
  // (int32 tile rounded straight into C): same bits, same counters.
  std::vector<uint16_t> c3(mn, 0xDEADu);
  GemmStats s3;
  fast(c3.data(), static_cast<int64_t*>(nullptr), &s3);
  ASSERT_EQ(c3, c2) << what << " (no acc) " << s.m << "x" << s.n << "x" << s.k << " kernel "
                    << int_kernel_name(cfg.kernel);
  ASSERT_EQ(s3.saturations, s1.saturations) << what;
  ASSERT_EQ(s3.saturated_outputs, s1.saturated_outputs) << what;
}

TEST(IntGemm, MatchesReferenceAllKernelsShapesAndWidths) {
  std::mt19937_64 rng(11);
  for (IntKernel kern : kernels()) {
    for (const Shape& s : kShapes) {
      for (bool extremes : {false, true}) {
        for (int bits : {32, 20, 12}) {
          for (int threads : {1, 2}) {
            GemmConfig cfg{.mode = AccumMode::int_exact,
                           .acc_bits = bits,
                           .chunk = 64,
                           .threads = threads,
                           .kernel = kern};
            const auto sz = [](int r, int c) {
              return static_cast<std::size_t>(r) * static_cast<std::size_t>(c);
            };
            const auto w = random_int(rng, sz(s.m, s.k), -7, 7, extremes);
            const auto x = random_int(rng, sz(s.k, s.n), 0, 15, extremes);
            const auto g = random_fp4(rng, sz(s.m, s.k), extremes);
            const auto g2 = random_fp4(rng, sz(s.k, s.n), extremes);
            const auto A = row_major(w.data(), s.m, s.k);
            const auto X = row_major(x.data(), s.k, s.n);
            const auto G = row_major(g.data(), s.m, s.k);
            const auto G2 = row_major(g2.data(), s.k, s.n);
            const OutputScale os{0.0371f, -3};
            compare(
                s, cfg, [&](auto c, auto a, auto st) { gemm_int4_int4(A, X, os, cfg, c, a, st); },
                [&](auto c, auto a, auto st) { ref::gemm_int4_int4(A, X, os, cfg, c, a, st); },
                "int4xint4");
            // Signed B codes take the +128 byte-offset path of the VNNI kernel.
            const auto y = random_int(rng, sz(s.k, s.n), -8, 15, extremes);
            const auto Y = row_major(y.data(), s.k, s.n);
            compare(
                s, cfg, [&](auto c, auto a, auto st) { gemm_int4_int4(A, Y, os, cfg, c, a, st); },
                [&](auto c, auto a, auto st) { ref::gemm_int4_int4(A, Y, os, cfg, c, a, st); },
                "int4xsigned");
            compare(
                s, cfg, [&](auto c, auto a, auto st) { gemm_fp4_int4(G, X, os, cfg, c, a, st); },
                [&](auto c, auto a, auto st) { ref::gemm_fp4_int4(G, X, os, cfg, c, a, st); },
                "fp4xint4");
            compare(
                s, cfg, [&](auto c, auto a, auto st) { gemm_int4_fp4(A, G2, os, cfg, c, a, st); },
                [&](auto c, auto a, auto st) { ref::gemm_int4_fp4(A, G2, os, cfg, c, a, st); },
                "int4xfp4");
            if (HasFatalFailure()) return;
          }
        }
      }
    }
  }
}

TEST(IntGemm, TransposedViewsAndChunkedMode) {
  std::mt19937_64 rng(5);
  const int m = 19, n = 23, k = 77;
  const auto g = random_fp4(rng, static_cast<std::size_t>(k * m), false);  // stored K x M: dY^T
  const auto x = random_int(rng, static_cast<std::size_t>(k * n), 0, 15, false);
  const auto GT = row_major(g.data(), k, m).transposed();
  const auto X = row_major(x.data(), k, n);
  for (AccumMode mode : {AccumMode::int_exact, AccumMode::fp16_chunked}) {
    GemmConfig cfg{.mode = mode, .acc_bits = 32, .chunk = 8, .threads = 2};
    compare(
        {m, n, k}, cfg,
        [&](auto c, auto a, auto st) {
          gemm_fp4_int4(GT, X, {1.0f, -6}, cfg, c, a, st);
        },
        [&](auto c, auto a, auto st) {
          ref::gemm_fp4_int4(GT, X, {1.0f, -6}, cfg, c, a, st);
        },
        "dW");
  }
}

// Every combination of contiguous directions of both operands (the packers
// and the int8 range scan have per-layout fast paths), tile-edge shapes.
TEST(IntGemm, AllOperandLayoutsMatchReference) {
  std::mt19937_64 rng(23);
  for (const Shape& s : {Shape{13, 33, 70}, Shape{25, 65, 129}, Shape{40, 7, 1030}}) {
    const auto sz = static_cast<std::size_t>(s.m) * static_cast<std::size_t>(s.k);
    const auto sz2 = static_cast<std::size_t>(s.k) * static_cast<std::size_t>(s.n);
    const auto w = random_int(rng, sz, -8, 7, false);
    const auto g = random_fp4(rng, sz, false);
    const auto x = random_int(rng, sz2, -8, 15, false);
    const auto g2 = random_fp4(rng, sz2, false);
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const auto A =
            ta ? row_major(w.data(), s.k, s.m).transposed() : row_major(w.data(), s.m, s.k);
        const auto G =
            ta ? row_major(g.data(), s.k, s.m).transposed() : row_major(g.data(), s.m, s.k);
        const auto X =
            tb ? row_major(x.data(), s.n, s.k).transposed() : row_major(x.data(), s.k, s.n);
        const auto G2 =
            tb ? row_major(g2.data(), s.n, s.k).transposed() : row_major(g2.data(), s.k, s.n);
        const OutputScale os{0.25f, -6};
        for (int threads : {1, 2}) {
          GemmConfig cfg{.threads = threads};
          compare(
              s, cfg, [&](auto c, auto a, auto st) { gemm_int4_int4(A, X, os, cfg, c, a, st); },
              [&](auto c, auto a, auto st) { ref::gemm_int4_int4(A, X, os, cfg, c, a, st); },
              "int4xint4 layouts");
          compare(
              s, cfg, [&](auto c, auto a, auto st) { gemm_fp4_int4(G, X, os, cfg, c, a, st); },
              [&](auto c, auto a, auto st) { ref::gemm_fp4_int4(G, X, os, cfg, c, a, st); },
              "fp4xint4 layouts");
          compare(
              s, cfg, [&](auto c, auto a, auto st) { gemm_int4_fp4(A, G2, os, cfg, c, a, st); },
              [&](auto c, auto a, auto st) { ref::gemm_int4_fp4(A, G2, os, cfg, c, a, st); },
              "int4xfp4 layouts");
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

// fp16_chunked has its own vector path: same bits as the reference for
// every chunk length, FP16 overflow (inf, inf - inf = NaN), subnormal terms,
// k = 0 and row tails.
TEST(IntGemm, ChunkedModeMatchesReference) {
  std::mt19937_64 rng(31);
  for (const Shape& s : {Shape{3, 37, 50}, Shape{5, 16, 1}, Shape{2, 17, 0}, Shape{4, 70, 300}}) {
    const auto sz = static_cast<std::size_t>(s.m) * static_cast<std::size_t>(s.k);
    const auto sz2 = static_cast<std::size_t>(s.k) * static_cast<std::size_t>(s.n);
    for (bool extremes : {false, true}) {
      const auto w = random_int(rng, sz, -8, 15, extremes);
      const auto g = random_fp4(rng, sz, extremes);
      const auto x = random_int(rng, sz2, -8, 15, extremes);
      const auto g2 = random_fp4(rng, sz2, extremes);
      const auto A = row_major(w.data(), s.m, s.k);
      const auto G = row_major(g.data(), s.m, s.k);
      const auto X = row_major(x.data(), s.k, s.n);
      const auto G2 = row_major(g2.data(), s.k, s.n);
      for (OutputScale os : {OutputScale{0.0371f, -3}, OutputScale{3.0f, 4}, OutputScale{1.0f, -20},
                             OutputScale{-0.7f, 0}}) {
        for (int chunk : {1, 3, 16, 64, 1000}) {
          GemmConfig cfg{.mode = AccumMode::fp16_chunked, .chunk = chunk};
          compare(
              s, cfg, [&](auto c, auto a, auto st) { gemm_int4_int4(A, X, os, cfg, c, a, st); },
              [&](auto c, auto a, auto st) { ref::gemm_int4_int4(A, X, os, cfg, c, a, st); },
              "chunked int4xint4");
          compare(
              s, cfg, [&](auto c, auto a, auto st) { gemm_fp4_int4(G, X, os, cfg, c, a, st); },
              [&](auto c, auto a, auto st) { ref::gemm_fp4_int4(G, X, os, cfg, c, a, st); },
              "chunked fp4xint4");
          compare(
              s, cfg, [&](auto c, auto a, auto st) { gemm_int4_fp4(A, G2, os, cfg, c, a, st); },
              [&](auto c, auto a, auto st) { ref::gemm_int4_fp4(A, G2, os, cfg, c, a, st); },
              "chunked int4xfp4");
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST(IntGemm, SaturationIsCountedAndClampsLikeTheSequentialAccumulator) {
  // All products +4096*15 then all negative: the narrow accumulator clamps
  // high, then walks down; the exact sum would be 0.
  const int k = 64;
  std::vector<uint8_t> g(k);
  std::vector<int8_t> x(k);
  for (int i = 0; i < k; ++i) {
    g[static_cast<std::size_t>(i)] = i < k / 2 ? 0x7 : 0xF;
    x[static_cast<std::size_t>(i)] = 15;
  }
  GemmConfig cfg{.acc_bits = 20};
  uint16_t c;
  int64_t acc;
  GemmStats st;
  gemm_fp4_int4(row_major(g.data(), 1, k), row_major(x.data(), k, 1), {1.0f, 0}, cfg, &c, &acc,
                &st);
  // Up: 8 * 61440 fits in 2^19 - 1 = 524287, terms 9..32 clamp (24).
  // Down from 524287: 17 terms fit, terms 18..32 clamp at -2^19 (15).
  EXPECT_EQ(acc, -524288);
  EXPECT_EQ(st.saturations, 24u + 15u);
  EXPECT_EQ(st.saturated_outputs, 1u);
  // With the default 32 bits nothing clamps and the sum is exact.
  gemm_fp4_int4(row_major(g.data(), 1, k), row_major(x.data(), k, 1), {1.0f, 0}, GemmConfig{}, &c,
                &acc, &st);
  EXPECT_EQ(acc, 0);
}

TEST(FloatGemm, Hfp8AndFp16MatchReference) {
  std::mt19937_64 rng(9);
  for (const Shape& s : kShapes) {
    const std::size_t ak = static_cast<std::size_t>(s.m * s.k),
                      kb = static_cast<std::size_t>(s.k * s.n);
    std::vector<uint8_t> a8(ak), b8(kb);
    std::vector<uint16_t> a16(ak), b16(kb);
    for (auto& v : a8) v = static_cast<uint8_t>(rng() & 0xF7);  // avoid most specials
    for (auto& v : b8) v = static_cast<uint8_t>(rng() & 0xFB);
    for (auto& v : a16) v = static_cast<uint16_t>(rng() & 0xBBFF);
    for (auto& v : b16) v = static_cast<uint16_t>(rng() & 0xBBFF);
    for (AccumMode mode : {AccumMode::fp32, AccumMode::fp16_chunked}) {
      GemmConfig cfg{.mode = mode, .chunk = 16};
      const std::size_t mn = static_cast<std::size_t>(s.m * s.n);
      std::vector<uint16_t> c1(mn), c2(mn);
      std::vector<float> f1(mn), f2(mn);
      gemm_hfp8(row_major(a8.data(), s.m, s.k), kHfp8Fwd143, row_major(b8.data(), s.k, s.n),
                kHfp8Bwd152, 0.5f, cfg, c1.data(), f1.data());
      ref::gemm_hfp8(row_major(a8.data(), s.m, s.k), kHfp8Fwd143, row_major(b8.data(), s.k, s.n),
                     kHfp8Bwd152, 0.5f, cfg, c2.data(), f2.data());
      ASSERT_EQ(c1, c2);
      ASSERT_EQ(0, std::memcmp(f1.data(), f2.data(), mn * sizeof(float)));
      gemm_fp16(row_major(a16.data(), s.m, s.k), row_major(b16.data(), s.k, s.n), 1.0f, cfg,
                c1.data(), f1.data());
      ref::gemm_fp16(row_major(a16.data(), s.m, s.k), row_major(b16.data(), s.k, s.n), 1.0f, cfg,
                     c2.data(), f2.data());
      ASSERT_EQ(c1, c2);
      ASSERT_EQ(0, std::memcmp(f1.data(), f2.data(), mn * sizeof(float)));
    }
  }
}

// Every operand layout the float GEMMs decode differently: row-major, a
// row-major window with padding (row_stride > cols), a transposed view (dW's
// operands, decoded in tiles), and a view strided both ways; shapes that
// leave partial 16-row tiles.
TEST(FloatGemm, EveryOperandLayoutMatchesReference) {
  std::mt19937_64 rng(31);
  for (const Shape& s : {Shape{13, 33, 70}, Shape{17, 5, 31}, Shape{40, 18, 129}}) {
    // Each operand lives in a 2x-strided buffer big enough for every layout.
    const auto big =
        static_cast<std::size_t>(4 * (s.m + 1) * (s.k + 1) + 4 * (s.k + 1) * (s.n + 1));
    std::vector<uint8_t> a8(big), b8(big);
    std::vector<uint16_t> a16(big), b16(big);
    for (auto& v : a8) v = static_cast<uint8_t>(rng() & 0xF7);
    for (auto& v : b8) v = static_cast<uint8_t>(rng() & 0xFB);
    for (auto& v : a16) v = static_cast<uint16_t>(rng() & 0xBBFF);
    for (auto& v : b16) v = static_cast<uint16_t>(rng() & 0xBBFF);
    auto layouts = [](const auto* p, int rows, int cols) {
      using T = std::remove_cv_t<std::remove_pointer_t<decltype(p)>>;
      return std::array<MatView<T>, 4>{
          row_major(p, rows, cols), MatView<T>{p, rows, cols, cols + 3, 1},
          row_major(p, cols, rows).transposed(), MatView<T>{p, rows, cols, 2 * cols + 1, 2}};
    };
    const std::size_t mn = static_cast<std::size_t>(s.m * s.n);
    for (const auto& A8 : layouts(a8.data(), s.m, s.k))
      for (const auto& B8 : layouts(b8.data(), s.k, s.n)) {
        std::vector<uint16_t> c1(mn), c2(mn);
        const GemmConfig cfg{.mode = AccumMode::fp32};
        gemm_hfp8(A8, kHfp8Fwd143, B8, kHfp8Bwd152, 0.5f, cfg, c1.data(), nullptr);
        ref::gemm_hfp8(A8, kHfp8Fwd143, B8, kHfp8Bwd152, 0.5f, cfg, c2.data(), nullptr);
        ASSERT_EQ(c1, c2) << s.m << "x" << s.n << "x" << s.k;
      }
    for (const auto& A16 : layouts(a16.data(), s.m, s.k))
      for (const auto& B16 : layouts(b16.data(), s.k, s.n)) {
        std::vector<uint16_t> c1(mn), c2(mn);
        const GemmConfig cfg{.mode = AccumMode::fp32};
        gemm_fp16(A16, B16, 1.0f, cfg, c1.data(), nullptr);
        ref::gemm_fp16(A16, B16, 1.0f, cfg, c2.data(), nullptr);
        ASSERT_EQ(c1, c2) << s.m << "x" << s.n << "x" << s.k;
      }
  }
}

TEST(Gemm, RejectsBadShapesAndModes) {
  int8_t a[4] = {}, b[4] = {};
  uint16_t c[4];
  EXPECT_THROW(gemm_int4_int4(row_major(a, 2, 2), row_major(b, 1, 4), {}, {}, c),
               nibble::InputError);
  EXPECT_THROW(
      gemm_int4_int4(row_major(a, 2, 2), row_major(b, 2, 2), {}, {.mode = AccumMode::fp32}, c),
      nibble::InputError);
  EXPECT_THROW(gemm_int4_int4(row_major(a, 2, 2), row_major(b, 2, 2), {}, {.acc_bits = 65}, c),
               nibble::InputError);
}

}  // namespace
}  // namespace nibble::num
