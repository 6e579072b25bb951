// The block-scaled FP4 GEMM's fast kernel (block_fp4.hpp gives the
// arithmetic; gemm_block_fp4_ref in block_fp4.cpp is the scalar reference it
// equals bit for bit).
//
// Why the result is the reference's, for any kernel and tiling:
// - Per block, d = sum (2a)(2b) is an exact integer (|d| <= 144 * 32), so
//   any integer summation order gives it. The SIMD kernels compute it with
//   vpdpbusd on bytes: B holds 2b + 12 (unsigned), A holds 2a (signed), and
//   12 * sum(2a) over the block is subtracted (exact in int32).
// - The reference forms p = fp32(d * sa/4 * sb) from the exact product in
//   double. The fp32 kernels form t = fp32(d * fp32(sa/4)) then
//   p = fp32(t * sb): sa/4 is a power of two >= 2^-129 (E8M0) or a UE4M3
//   value / 4 (4 significant bits), both exact in fp32, and d has <= 13
//   significant bits, so t is exact (a multiple of 2^-129 below 2^127, or a
//   17-bit significand), and p is one rounding of the exact product: the
//   same value. That needs sa <= 2^116 (t < 2^127 cannot overflow) and no
//   NaN scale; a GEMM whose scales break either takes the double kernel,
//   which is the reference formula itself.
// - Each output accumulates p in fp32 in ascending K-block order in every
//   kernel; the K-block chunks of the cache blocking run in ascending order
//   and carry the fp32 sums between them unchanged.
// - The output is written from the fp32 sum exactly as the reference does.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/cpu_features.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gemm_common.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {
namespace {

using std::size_t;

constexpr int kRows = 8;          // rows of A per micro-tile
constexpr int kCols = 16;         // rows of B^T (output columns) per micro-tile: one zmm of fp32
constexpr int kBOffset = 12;      // B bytes hold 2b + 12 in 0..24, unsigned for vpdpbusd
constexpr int kChunkElems = 512;  // K elements per cache-blocking chunk

// A packed operand: panels of P lines; per panel, per K block, per quad of K
// (4 consecutive k, zero-padded at a short block's end), P words of 4 bytes;
// then per panel and K block the P line values the kernels need.
struct PackedOperand {
  std::vector<uint32_t> words;  // [panel][kb][quad][P]
  std::vector<int32_t> corr;    // A: [panel][kb][P] 12 * sum over the block of 2a
  std::vector<float> scale;     // [panel][kb][P]: A fp32(sa / 4), B fp32(sb)
  std::vector<double> scale_d;  // the same in double (the double kernel)
};

struct TileArgs {
  const uint32_t* a;    // A panel at the chunk's first block
  const int32_t* corr;  // A corrections at the chunk's first block
  const float* sa;      // A scales / 4
  const double* sa_d;
  const uint32_t* b;  // B panel at the chunk's first block
  const float* sb;
  const double* sb_d;
  int blocks;  // K blocks in the chunk
  int quads;   // quads per K block
  float* acc;  // kRows x kCols fp32 sums, updated in place
};
using TileKernel = void (*)(const TileArgs&);

inline int32_t byte_of(uint32_t w, int i) {
  return static_cast<int32_t>((w >> (8 * i)) & 0xFFu);
}

// The reference formula in double, integer dot products in plain C++.
void tile_double(const TileArgs& t) {
  for (int kb = 0; kb < t.blocks; ++kb) {
    const uint32_t* a = t.a + static_cast<size_t>(kb) * t.quads * kRows;
    const uint32_t* b = t.b + static_cast<size_t>(kb) * t.quads * kCols;
    for (int r = 0; r < kRows; ++r)
      for (int c = 0; c < kCols; ++c) {
        int32_t d = 0;
        for (int q = 0; q < t.quads; ++q) {
          const uint32_t wa = a[q * kRows + r], wb = b[q * kCols + c];
          for (int i = 0; i < 4; ++i) d += static_cast<int8_t>(byte_of(wa, i)) * byte_of(wb, i);
        }
        d -= t.corr[kb * kRows + r];
        t.acc[r * kCols + c] += static_cast<float>(static_cast<double>(d) * t.sa_d[kb * kRows + r] *
                                                   t.sb_d[kb * kCols + c]);
      }
  }
}

// The fp32 formula, integer dot products in plain C++ (no SIMD assumed).
void tile_fp32_portable(const TileArgs& t) {
  for (int kb = 0; kb < t.blocks; ++kb) {
    const uint32_t* a = t.a + static_cast<size_t>(kb) * t.quads * kRows;
    const uint32_t* b = t.b + static_cast<size_t>(kb) * t.quads * kCols;
    int32_t d[kRows][kCols] = {};
    for (int q = 0; q < t.quads; ++q)
      for (int r = 0; r < kRows; ++r) {
        const uint32_t wa = a[q * kRows + r];
        const int32_t a0 = static_cast<int8_t>(byte_of(wa, 0)),
                      a1 = static_cast<int8_t>(byte_of(wa, 1)),
                      a2 = static_cast<int8_t>(byte_of(wa, 2)),
                      a3 = static_cast<int8_t>(byte_of(wa, 3));
        for (int c = 0; c < kCols; ++c) {
          const uint32_t wb = b[q * kCols + c];
          d[r][c] +=
              a0 * byte_of(wb, 0) + a1 * byte_of(wb, 1) + a2 * byte_of(wb, 2) + a3 * byte_of(wb, 3);
        }
      }
    for (int r = 0; r < kRows; ++r) {
      const float sa = t.sa[kb * kRows + r];
      const int32_t corr = t.corr[kb * kRows + r];
      for (int c = 0; c < kCols; ++c) {
        const float p = static_cast<float>(d[r][c] - corr) * sa;  // exact
        t.acc[r * kCols + c] += p * t.sb[kb * kCols + c];         // one rounding, then the add
      }
    }
  }
}

#if defined(__x86_64__)
// GCC 12's own intrinsics headers trip -Wmaybe-uninitialized (as in gemm.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
constexpr int kRound = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
// 8 int32 and 8 fp32 accumulators, one zmm each: arrays indexed by
// unrolled constants, which GCC keeps in registers.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void tile_fp32_avx512vnni(
    const TileArgs& t) {
  static_assert(kRows == 8 && kCols == 16);
  __m512 acc[kRows];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) acc[r] = _mm512_loadu_ps(t.acc + r * kCols);
  const auto* a = reinterpret_cast<const int32_t*>(t.a);
  const auto* b = reinterpret_cast<const int32_t*>(t.b);
  for (int kb = 0; kb < t.blocks; ++kb) {
    __m512i d[kRows];
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) d[r] = _mm512_setzero_si512();
    for (int q = 0; q < t.quads; ++q) {
      const __m512i bv = _mm512_loadu_si512(b);
#pragma GCC unroll 8
      for (int r = 0; r < kRows; ++r) d[r] = _mm512_dpbusd_epi32(d[r], bv, _mm512_set1_epi32(a[r]));
      a += kRows;
      b += kCols;
    }
    const __m512 sb = _mm512_loadu_ps(t.sb + kb * kCols);
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const __m512i e = _mm512_sub_epi32(d[r], _mm512_set1_epi32(t.corr[kb * kRows + r]));
      // Explicitly rounded ops: GCC would contract a mul_ps + add_ps into an FMA.
      const __m512 p =
          _mm512_mul_round_ps(_mm512_cvtepi32_ps(e), _mm512_set1_ps(t.sa[kb * kRows + r]), kRound);
      acc[r] = _mm512_add_round_ps(acc[r], _mm512_mul_round_ps(p, sb, kRound), kRound);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) _mm512_storeu_ps(t.acc + r * kCols, acc[r]);
}

// AVX2: vpmaddubsw (u8 x s8 pairs to int16: |sum| <= 2 * 24 * 12, never
// saturates) then vpmaddwd with ones; two ymm per 16 columns. Not compiled
// for FMA, so no multiply-add can be contracted.
__attribute__((target("avx2"))) void tile_fp32_avx2(const TileArgs& t) {
  static_assert(kRows == 8 && kCols == 16);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int rg = 0; rg < kRows; rg += 4) {
    __m256 acc[4][2];
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) {
      acc[r][0] = _mm256_loadu_ps(t.acc + (rg + r) * kCols);
      acc[r][1] = _mm256_loadu_ps(t.acc + (rg + r) * kCols + 8);
    }
    const auto* a = reinterpret_cast<const int32_t*>(t.a);
    const auto* b = reinterpret_cast<const __m256i*>(t.b);
    for (int kb = 0; kb < t.blocks; ++kb) {
      __m256i d[4][2];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) d[r][0] = d[r][1] = _mm256_setzero_si256();
      for (int q = 0; q < t.quads; ++q) {
        const __m256i b0 = _mm256_loadu_si256(b), b1 = _mm256_loadu_si256(b + 1);
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r) {
          const __m256i av = _mm256_set1_epi32(a[rg + r]);
          d[r][0] =
              _mm256_add_epi32(d[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(b0, av), ones));
          d[r][1] =
              _mm256_add_epi32(d[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(b1, av), ones));
        }
        a += kRows;
        b += 2;
      }
      const __m256 sb0 = _mm256_loadu_ps(t.sb + kb * kCols),
                   sb1 = _mm256_loadu_ps(t.sb + kb * kCols + 8);
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        const __m256i corr = _mm256_set1_epi32(t.corr[kb * kRows + rg + r]);
        const __m256 sa = _mm256_set1_ps(t.sa[kb * kRows + rg + r]);
        const __m256 p0 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(d[r][0], corr)), sa);
        const __m256 p1 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(d[r][1], corr)), sa);
        acc[r][0] = _mm256_add_ps(acc[r][0], _mm256_mul_ps(p0, sb0));
        acc[r][1] = _mm256_add_ps(acc[r][1], _mm256_mul_ps(p1, sb1));
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) {
      _mm256_storeu_ps(t.acc + (rg + r) * kCols, acc[r][0]);
      _mm256_storeu_ps(t.acc + (rg + r) * kCols + 8, acc[r][1]);
    }
  }
}
#pragma GCC diagnostic pop
#endif

TileKernel fp32_kernel(IntKernel k) {
#if defined(__x86_64__)
  const bool vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                    __builtin_cpu_supports("avx512vnni");
  const bool avx2 = __builtin_cpu_supports("avx2");
  switch (k) {
    case IntKernel::best:
      return vnni ? tile_fp32_avx512vnni : avx2 ? tile_fp32_avx2 : tile_fp32_portable;
    case IntKernel::avx512vnni:
      return vnni ? tile_fp32_avx512vnni : nullptr;
    case IntKernel::avx2:
      return avx2 ? tile_fp32_avx2 : nullptr;
    case IntKernel::portable:
      return tile_fp32_portable;
    case IntKernel::avx512bw:
      return nullptr;
  }
  return nullptr;
#else
  return (k == IntKernel::best || k == IntKernel::portable) ? tile_fp32_portable : nullptr;
#endif
}

// One line of an operand, one K block: 4 bytes per quad word (stride P words),
// plus A's correction. `table` maps a code to its byte (2v, or 2v + 12 for B).
template <int P, bool kIsA>
int32_t pack_block_scalar(const uint8_t* codes, int len, int bs, const uint8_t* table,
                          uint32_t* w) {
  const uint8_t pad = kIsA ? 0 : static_cast<uint8_t>(kBOffset);  // A's zero pad cancels B's
  int32_t sum = 0;
  for (int q = 0; q < bs / 4; ++q) {
    uint32_t word = 0;
    for (int i = 0; i < 4; ++i) {
      const int k = 4 * q + i;
      const uint8_t v = k < len ? table[codes[k] & 0xF] : pad;
      word |= static_cast<uint32_t>(v) << (8 * i);
      if (kIsA) sum += static_cast<int8_t>(v);
    }
    w[static_cast<size_t>(q) * P] = word;
  }
  return sum;
}

#if defined(__x86_64__)
// A full block, 16 codes at a time: pshufb maps codes to bytes; the signed
// byte sum is psadbw of (byte ^ 0x80) minus 128 per byte.
template <int P, bool kIsA>
__attribute__((target("avx2"))) int32_t pack_block_avx2(const uint8_t* codes, int bs,
                                                        const uint8_t* table, uint32_t* w) {
  const __m128i tab = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table));
  const __m128i low = _mm_set1_epi8(0x0F);
  __m128i sums = _mm_setzero_si128();
  for (int h = 0; h < bs / 16; ++h) {
    const __m128i c =
        _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + 16 * h)), low);
    const __m128i b = _mm_shuffle_epi8(tab, c);
    uint32_t* out = w + static_cast<size_t>(4 * h) * P;
    out[0] = static_cast<uint32_t>(_mm_cvtsi128_si32(b));
    out[P] = static_cast<uint32_t>(_mm_extract_epi32(b, 1));
    out[2 * P] = static_cast<uint32_t>(_mm_extract_epi32(b, 2));
    out[3 * P] = static_cast<uint32_t>(_mm_extract_epi32(b, 3));
    if (kIsA)
      sums =
          _mm_add_epi64(sums, _mm_sad_epu8(_mm_xor_si128(b, _mm_set1_epi8(static_cast<char>(0x80))),
                                           _mm_setzero_si128()));
  }
  if (!kIsA) return 0;
  const int64_t total = _mm_cvtsi128_si64(sums) + _mm_extract_epi64(sums, 1);
  return static_cast<int32_t>(total - 128 * bs);
}
#endif

// Packs the rows of t (A: signed 2a; B: unsigned 2b + 12) into panels of P.
template <int P, bool kIsA>
void pack(const BlockFp4Tensor& t, PackedOperand& p) {
  const int nb = t.blocks_per_row(), bs = t.block_size, quads = bs / 4, K = t.cols;
  const int panels = (t.rows + P - 1) / P;
  // Lines past the last row stay zero (their outputs are never written).
  p.words.assign(static_cast<size_t>(panels) * nb * quads * P, 0);
  if (kIsA) p.corr.assign(static_cast<size_t>(panels) * nb * P, 0);
  p.scale.assign(static_cast<size_t>(panels) * nb * P, 0.0f);
  p.scale_d.assign(static_cast<size_t>(panels) * nb * P, 0.0);
  alignas(16) uint8_t table[16];
  for (int c = 0; c < 16; ++c)
    table[c] = static_cast<uint8_t>(e2m1_twice(static_cast<uint8_t>(c)) + (kIsA ? 0 : kBOffset));
  // Block scales decoded once per code.
  double scale_of_code[256];
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    const double s = t.format == BlockFormat::mxfp4 ? e8m0_decode(code) : ue4m3_decode(code);
    scale_of_code[c] = kIsA ? s * 0.25 : s;
  }
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
#endif
  for (int r = 0; r < t.rows; ++r) {
    const int panel = r / P, line = r % P;
    const uint8_t* codes = t.codes.data() + static_cast<size_t>(r) * K;
    const uint8_t* scales = t.scale_codes.data() + static_cast<size_t>(r) * nb;
    for (int kb = 0; kb < nb; ++kb) {
      const size_t pk = static_cast<size_t>(panel) * nb + kb;
      uint32_t* w = p.words.data() + pk * quads * P + line;
      const int k0 = kb * bs, len = std::min(K, k0 + bs) - k0;
      int32_t sum;
#if defined(__x86_64__)
      if (avx2 && len == bs)
        sum = pack_block_avx2<P, kIsA>(codes + k0, bs, table, w);
      else
#endif
        sum = pack_block_scalar<P, kIsA>(codes + k0, len, bs, table, w);
      if (kIsA) p.corr[pk * P + line] = kBOffset * sum;
      const double s = scale_of_code[scales[kb]];
      p.scale_d[pk * P + line] = s;
      p.scale[pk * P + line] = static_cast<float>(s);
    }
  }
}

// Per-thread buffers reused across calls (pure scratch, rewritten before
// being read): fresh multi-MB vectors per GEMM cost more in page faults
// and zeroing than the GEMM itself on a conv's im2col shapes.
struct Scratch {
  PackedOperand a, b;
  std::vector<float> acc;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Whether the fp32 kernels give the reference's bits (see the file comment).
bool fp32_exact(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t) {
  for (const BlockFp4Tensor* t : {&a, &b_t})
    for (const uint8_t sc : t->scale_codes) {
      if (t->format == BlockFormat::mxfp4 ? sc == kE8m0Nan : sc == kUe4m3Nan) return false;
      if (t == &a && t->format == BlockFormat::mxfp4 && e8m0_exp(sc) > 116) return false;
    }
  return true;
}

}  // namespace

bool block_fp4_kernel_supported(IntKernel k) {
  return fp32_kernel(k) != nullptr;
}

void gemm_block_fp4(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t, float* out_f32,
                    uint16_t* out_fp16, float* acc_f32, IntKernel kernel) {
  check_block_fp4_gemm(a, b_t);
  TileKernel fp32 = fp32_kernel(kernel);
  if (!fp32)
    throw InputError(std::string("block fp4 gemm: kernel '") + int_kernel_name(kernel) +
                     "' is not supported by this CPU");
  const TileKernel tile = fp32_exact(a, b_t) ? fp32 : tile_double;
  const int M = a.rows, N = b_t.rows, nb = a.blocks_per_row(), quads = a.block_size / 4;
  const size_t count = static_cast<size_t>(M) * N;
  if (count == 0) return;
  Scratch& sc = scratch();
  float* acc = acc_f32;
  if (!acc) {
    if (sc.acc.size() < count) sc.acc.resize(count);
    acc = sc.acc.data();
  }
  std::fill(acc, acc + count, 0.0f);
  PackedOperand& pa = sc.a;
  PackedOperand& pb = sc.b;
  pack<kRows, true>(a, pa);
  pack<kCols, false>(b_t, pb);
  const int a_panels = (M + kRows - 1) / kRows, b_panels = (N + kCols - 1) / kCols;
  const int chunk = std::max(1, kChunkElems / a.block_size);
  alignas(64) float sums[kRows * kCols];
  for (int kb0 = 0; kb0 < nb; kb0 += chunk) {  // ascending K-block chunks
    const int blocks = std::min(chunk, nb - kb0);
    for (int ip = 0; ip < a_panels; ++ip) {
      const int rows = std::min(kRows, M - ip * kRows);
      const size_t ak = static_cast<size_t>(ip) * nb + kb0;
      for (int jp = 0; jp < b_panels; ++jp) {
        const int cols = std::min(kCols, N - jp * kCols);
        const size_t bk = static_cast<size_t>(jp) * nb + kb0;
        float* out = acc + static_cast<size_t>(ip) * kRows * N + static_cast<size_t>(jp) * kCols;
        for (int r = 0; r < kRows; ++r)
          for (int c = 0; c < kCols; ++c)
            sums[r * kCols + c] = r < rows && c < cols ? out[static_cast<size_t>(r) * N + c] : 0.0f;
        tile({.a = pa.words.data() + ak * quads * kRows,
              .corr = pa.corr.data() + ak * kRows,
              .sa = pa.scale.data() + ak * kRows,
              .sa_d = pa.scale_d.data() + ak * kRows,
              .b = pb.words.data() + bk * quads * kCols,
              .sb = pb.scale.data() + bk * kCols,
              .sb_d = pb.scale_d.data() + bk * kCols,
              .blocks = blocks,
              .quads = quads,
              .acc = sums});
        for (int r = 0; r < rows; ++r)
          for (int c = 0; c < cols; ++c) out[static_cast<size_t>(r) * N + c] = sums[r * kCols + c];
      }
    }
  }
  scaled_outputs_bulk(acc, count, block_fp4_alpha(a, b_t), out_f32, out_fp16,
                      kernel != IntKernel::portable);
}

static void write_outputs_scalar(const float* acc, size_t count, float alpha, float* out_f32,
                                 uint16_t* out_fp16) {
  for (size_t i = 0; i < count; ++i) {
    const double exact = static_cast<double>(acc[i]) * static_cast<double>(alpha);
    if (out_f32) out_f32[i] = static_cast<float>(exact);
    if (out_fp16) out_fp16[i] = fp64_to_fp16(exact);
  }
}

#if defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The same, 8 outputs at a time: the exact product in double, fp32 by one
// RNE conversion, FP16 by rounding to odd into fp32 and then RNE (which
// equals one rounding from the double, as gemm.cpp's tile store). Vectors
// holding a NaN take the scalar code.
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,f16c"))) static void write_outputs_avx512(
    const float* acc, size_t count, float alpha, float* out_f32, uint16_t* out_fp16) {
  const __m512d al = _mm512_set1_pd(static_cast<double>(alpha));
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m512d d = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(acc + i)), al);  // exact
    if (_mm512_cmp_pd_mask(d, d, _CMP_UNORD_Q) != 0) {
      write_outputs_scalar(acc + i, 8, alpha, out_f32 ? out_f32 + i : nullptr,
                           out_fp16 ? out_fp16 + i : nullptr);
      continue;
    }
    if (out_f32) _mm256_storeu_ps(out_f32 + i, _mm512_cvtpd_ps(d));
    if (out_fp16) {
      const __m256 f = _mm512_cvt_roundpd_ps(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      const __mmask8 inexact = _mm512_cmp_pd_mask(_mm512_cvtps_pd(f), d, _CMP_NEQ_OQ);
      const __m256i odd = _mm256_mask_or_epi32(_mm256_castps_si256(f), inexact,
                                               _mm256_castps_si256(f), _mm256_set1_epi32(1));
      _mm_storeu_si128(
          reinterpret_cast<__m128i*>(out_fp16 + i),
          _mm256_cvtps_ph(_mm256_castsi256_ps(odd), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
  }
  write_outputs_scalar(acc + i, count - i, alpha, out_f32 ? out_f32 + i : nullptr,
                       out_fp16 ? out_fp16 + i : nullptr);
}
#pragma GCC diagnostic pop
#endif

void scaled_outputs_bulk(const float* acc, size_t count, float alpha, float* out_f32,
                         uint16_t* out_fp16, bool simd) {
#if defined(__x86_64__)
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                         cpu_supports_f16c();
  if (simd && ok) return write_outputs_avx512(acc, count, alpha, out_f32, out_fp16);
#endif
  write_outputs_scalar(acc, count, alpha, out_f32, out_fp16);
}

}  // namespace nibble::num
