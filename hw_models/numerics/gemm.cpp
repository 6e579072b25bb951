// Bulk GEMM drivers: packing, cache blocking, threads, the saturation
// bound, and the exact output rounding. See gemm.hpp for why the result is
// bit-exact with gemm_ref for any kernel, tiling and thread count.
#include "hw_models/numerics/gemm.hpp"

#include <algorithm>
#include <barrier>
#include <bit>
#include <climits>
#include <cmath>
#include <memory>
#include <span>
#include <thread>
#include <type_traits>
#include <vector>

#include "hw_models/numerics/cpu_features.hpp"
#include "hw_models/numerics/gemm_common.hpp"
#include "hw_models/numerics/gemm_int_kernels.hpp"
#include "hw_models/numerics/gemm_ref.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {
namespace {

using detail::kMR;
using detail::kNR;
using std::size_t;

constexpr int kMaxGroupsPerBlock = 512;  // k-groups summed in int32 before widening to int64

// A packed operand: panels of P lines (rows of A / columns of B); per k-group
// t (G consecutive k), P words of G elements (E = int16 pairs or bytes).
// Per-thread scratch for the packed operands (slot 0 = A, 1 = B), grown on
// demand and reused across calls: a fresh multi-100-KB allocation per GEMM
// is an mmap whose page faults cost ~5% at 256^3. Pure scratch (rewritten
// by every pack before it is read), so results never depend on it.
constexpr size_t kScratchKeepWords = size_t{1} << 24;  // keep <= 64 MB per slot cached

template <class T, int kSlots>
T* thread_scratch(int slot, size_t count, std::unique_ptr<T[]>& owned) {
  thread_local std::unique_ptr<T[]> buf[kSlots];
  thread_local size_t cap[kSlots] = {};
  if (count > kScratchKeepWords) {  // too big to keep around: a one-off buffer
    owned = std::make_unique_for_overwrite<T[]>(count);
    return owned.get();
  }
  if (cap[slot] < count) {
    buf[slot] = std::make_unique_for_overwrite<T[]>(count);
    cap[slot] = count;
  }
  return buf[slot].get();
}

uint32_t* scratch_words(int slot, size_t count, std::unique_ptr<uint32_t[]>& owned) {
  return thread_scratch<uint32_t, 2>(slot, count, owned);
}

struct Packed {
  // Not zero-initialised: pack_panels writes every word, padding included.
  std::unique_ptr<uint32_t[]> owned;  // only for oversized operands (else thread scratch)
  uint32_t* words = nullptr;
  size_t word_count = 0;
  std::vector<int64_t> max_abs, sum_abs, sum;  // per line, of the ORIGINAL values
  int groups = 0;
};

inline int64_t iabs(int64_t v) {
  return v < 0 ? -v : v;
}

template <int P, int G>
Packed alloc_packed(int lines, int k, int slot) {
  Packed p;
  p.groups = (k + G - 1) / G;
  const int panels = (lines + P - 1) / P;
  p.word_count = static_cast<size_t>(panels) * static_cast<size_t>(p.groups) * P;
  p.words = scratch_words(slot, p.word_count, p.owned);
  p.max_abs.assign(static_cast<size_t>(lines), 0);
  p.sum_abs.assign(static_cast<size_t>(lines), 0);
  p.sum.assign(static_cast<size_t>(lines), 0);
  return p;
}

// The G elements of one k-group as one word (low element in the low bits).
template <int G>
inline uint32_t group_word(const int32_t* v) {
  if constexpr (G == 4)
    return static_cast<uint32_t>(static_cast<uint8_t>(v[0])) |
           (static_cast<uint32_t>(static_cast<uint8_t>(v[1])) << 8) |
           (static_cast<uint32_t>(static_cast<uint8_t>(v[2])) << 16) |
           (static_cast<uint32_t>(static_cast<uint8_t>(v[3])) << 24);
  else
    return detail::pair_word(v[0], v[1]);
}

// AVX-512BW packing of one k-contiguous line into k-pair words (16 pairs per
// step: widen 32 codes to int16 -- sign-extended INT4 codes, or FP4 codes
// through a 16-entry table -- and scatter the 16 words at stride P). Returns
// the number of pairs done; the caller finishes the rest.
#if defined(__x86_64__)
// GCC 12 warns inside its own AVX-512 headers (uninitialised __Y): a known false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f,avx512bw"))) int pack_pairs_avx512(const void* src, uint32_t* d,
                                                                  int pairs, int stride, bool fp4) {
  alignas(64) static constexpr int16_t kTable[32] = {0, 1,  4,  16,  64,  256,  1024,  4096,
                                                     0, -1, -4, -16, -64, -256, -1024, -4096};
  const __m512i table = _mm512_load_si512(kTable);
  const __m512i vindex =
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32(stride));
  const auto* s8 = static_cast<const uint8_t*>(src);
  int t = 0;
  for (; t + 16 <= pairs; t += 16) {
    const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s8 + 2 * t));
    __m512i w;
    if (fp4)
      w = _mm512_permutexvar_epi16(
          _mm512_and_si512(_mm512_cvtepu8_epi16(raw), _mm512_set1_epi16(0xF)), table);
    else
      w = _mm512_cvtepi8_epi16(raw);
    _mm512_i32scatter_epi32(d + static_cast<size_t>(t) * static_cast<size_t>(stride), vindex, w, 4);
  }
  return t;
}
// The lanes-contiguous case (B row-major, or A^T views): one k-pair of 16
// lanes at a time from two source rows, word = (r0 value, r1 value).
__attribute__((target("avx512f,avx512bw,avx512vl"))) int pack_lanes_avx512(const void* r0,
                                                                           const void* r1,
                                                                           uint32_t* d, int lanes,
                                                                           bool fp4) {
  alignas(64) static constexpr int32_t kTable[16] = {0, 1,  4,  16,  64,  256,  1024,  4096,
                                                     0, -1, -4, -16, -64, -256, -1024, -4096};
  const __m512i table = _mm512_load_si512(kTable);
  const auto* p0 = static_cast<const uint8_t*>(r0);
  const auto* p1 = static_cast<const uint8_t*>(r1);
  const __m512i lo16 = _mm512_set1_epi32(0xFFFF);
  int l = 0;
  for (; l + 16 <= lanes; l += 16) {
    const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p0 + l));
    const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p1 + l));
    __m512i v0, v1;
    if (fp4) {
      v0 = _mm512_permutexvar_epi32(_mm512_cvtepu8_epi32(x0), table);  // index uses bits 0..3
      v1 = _mm512_permutexvar_epi32(_mm512_cvtepu8_epi32(x1), table);
    } else {
      v0 = _mm512_cvtepi8_epi32(x0);
      v1 = _mm512_cvtepi8_epi32(x1);
    }
    _mm512_storeu_si512(d + l,
                        _mm512_or_si512(_mm512_and_si512(v0, lo16), _mm512_slli_epi32(v1, 16)));
  }
  if (l < lanes) {  // 1..15 lanes left (e.g. the 12-lane A panels of dY^T): masked
    const auto m = static_cast<__mmask16>((1u << (lanes - l)) - 1u);
    const __m128i x0 = _mm_maskz_loadu_epi8(m, p0 + l);
    const __m128i x1 = _mm_maskz_loadu_epi8(m, p1 + l);
    __m512i v0, v1;
    if (fp4) {
      v0 = _mm512_permutexvar_epi32(_mm512_cvtepu8_epi32(x0), table);
      v1 = _mm512_permutexvar_epi32(_mm512_cvtepu8_epi32(x1), table);
    } else {
      v0 = _mm512_cvtepi8_epi32(x0);
      v1 = _mm512_cvtepi8_epi32(x1);
    }
    _mm512_mask_storeu_epi32(
        d + l, m, _mm512_or_si512(_mm512_and_si512(v0, lo16), _mm512_slli_epi32(v1, 16)));
    l = lanes;
  }
  return l;
}
#pragma GCC diagnostic pop
bool has_avx512bw_pack() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512vl");
  return ok;
}
#endif

struct Int8Value;
struct Fp4Value;

// Pack a lines x k matrix L (rows of A, or columns of B via B^T) into
// words; pure data movement, walking whichever direction of L is contiguous.
// Statistics are gathered separately (and only when needed).
// Panels [q0, q1) only, so that threads can pack their share in parallel;
// `p` comes from alloc_packed<P, G>(L.rows, L.cols, ...).
template <int P, int G, class T, class Conv>
void pack_panels(MatView<T> L, Conv conv, Packed& p, int q0, int q1) {
  const int lines = L.rows, k = L.cols;
  const bool k_contiguous = std::abs(L.col_stride) <= std::abs(L.row_stride);
  for (int q = q0; q < q1; ++q) {
    uint32_t* dst = p.words + static_cast<size_t>(q) * static_cast<size_t>(p.groups) * P;
    const int lanes = std::min(P, lines - q * P);
    if (lanes < P)  // padding lanes of the last panel are zero
      for (int t = 0; t < p.groups; ++t)
        std::fill(dst + static_cast<size_t>(t) * P + lanes, dst + static_cast<size_t>(t + 1) * P,
                  0u);
    if (k_contiguous) {
      const int full = k / G;  // groups entirely inside k: no bounds check
      for (int lane = 0; lane < lanes; ++lane) {
        const T* src = L.data + static_cast<std::ptrdiff_t>(q * P + lane) * L.row_stride;
        uint32_t* d = dst + lane;
        const std::ptrdiff_t cs = L.col_stride;
        int t = 0;
#if defined(__x86_64__)
        if constexpr (G == 2 && (std::is_same_v<Conv, Int8Value> || std::is_same_v<Conv, Fp4Value>))
          if (cs == 1 && has_avx512bw_pack())
            t = pack_pairs_avx512(src, d, full, P, std::is_same_v<Conv, Fp4Value>);
#endif
        if (cs == 1) {
          for (; t < full; ++t) {
            int32_t v[G];
            for (int g = 0; g < G; ++g) v[g] = conv(src[t * G + g]);
            d[static_cast<size_t>(t) * P] = group_word<G>(v);
          }
        }
        for (; t < p.groups; ++t) {
          int32_t v[G];
          for (int g = 0; g < G; ++g) {
            const int kk = t * G + g;
            v[g] = kk < k ? conv(src[static_cast<std::ptrdiff_t>(kk) * cs]) : 0;
          }
          d[static_cast<size_t>(t) * P] = group_word<G>(v);
        }
      }
    } else {
      for (int t = 0; t < p.groups; ++t) {
        const T* rows[G];
        for (int g = 0; g < G; ++g)
          rows[g] = t * G + g < k ? L.data + static_cast<std::ptrdiff_t>(t * G + g) * L.col_stride +
                                        static_cast<std::ptrdiff_t>(q * P) * L.row_stride
                                  : nullptr;
        uint32_t* d = dst + static_cast<size_t>(t) * P;
        const std::ptrdiff_t rs = L.row_stride;
        if (t * G + G <= k && rs == 1) {  // full group, contiguous lanes: vectorisable
          int lane = 0;
#if defined(__x86_64__)
          if constexpr (G == 2 &&
                        (std::is_same_v<Conv, Int8Value> || std::is_same_v<Conv, Fp4Value>))
            if (has_avx512bw_pack())
              lane = pack_lanes_avx512(rows[0], rows[1], d, lanes, std::is_same_v<Conv, Fp4Value>);
#endif
          for (; lane < lanes; ++lane) {
            int32_t v[G];
            for (int g = 0; g < G; ++g) v[g] = conv(rows[g][lane]);
            d[lane] = group_word<G>(v);
          }
          continue;
        }
        for (int lane = 0; lane < lanes; ++lane) {
          int32_t v[G];
          for (int g = 0; g < G; ++g)
            v[g] = rows[g] ? conv(rows[g][static_cast<std::ptrdiff_t>(lane) * rs]) : 0;
          d[lane] = group_word<G>(v);
        }
      }
    }
  }
}

// Per-line max|v|, sum|v|, sum v of L (only computed when the global bound
// cannot rule out saturation, or for the u8 offset correction).
template <class T, class Conv>
void line_stats(MatView<T> L, Conv conv, Packed& p, bool want_abs, bool want_sum) {
  for (int line = 0; line < L.rows; ++line) {
    int64_t mx = 0, sa = 0, sm = 0;
    for (int kk = 0; kk < L.cols; ++kk) {
      const int32_t v = conv(L.at(line, kk));
      mx = std::max(mx, iabs(v));
      sa += iabs(v);
      sm += v;
    }
    if (want_abs) {
      p.max_abs[static_cast<size_t>(line)] = mx;
      p.sum_abs[static_cast<size_t>(line)] = sa;
    }
    if (want_sum) p.sum[static_cast<size_t>(line)] = sm;
  }
}

// Min and max of n int8 codes folded into lo/hi (AVX2 bytes: the baseline
// SSE2 build has no pminsb and was ~10% of a 256^3 GEMM).
#if defined(__x86_64__)
__attribute__((target("avx2"))) void int8_minmax_avx2(const int8_t* p, int rows, int cols,
                                                      std::ptrdiff_t ld, int32_t& lo, int32_t& hi) {
  __m256i vlo = _mm256_setzero_si256(), vhi = vlo;  // lo/hi start at 0
  for (int r = 0; r < rows; ++r) {
    const int8_t* row = p + static_cast<std::ptrdiff_t>(r) * ld;
    int i = 0;
    for (; i + 32 <= cols; i += 32) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + i));
      vlo = _mm256_min_epi8(vlo, x);
      vhi = _mm256_max_epi8(vhi, x);
    }
    for (; i < cols; ++i) {
      lo = std::min<int32_t>(lo, row[i]);
      hi = std::max<int32_t>(hi, row[i]);
    }
  }
  alignas(32) int8_t l[32], h[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), vlo);
  _mm256_store_si256(reinterpret_cast<__m256i*>(h), vhi);
  for (int j = 0; j < 32; ++j) {
    lo = std::min<int32_t>(lo, l[j]);
    hi = std::max<int32_t>(hi, h[j]);
  }
}
#endif

// Global min and max of a matrix (vectorisable for plain int8 codes).
template <class T, class Conv>
std::pair<int32_t, int32_t> value_range(MatView<T> v, Conv conv) {
  int32_t lo = 0, hi = 0;
#if defined(__x86_64__)
  if constexpr (std::is_same_v<T, int8_t> && std::is_same_v<Conv, Int8Value>) {
    if (v.col_stride != 1 && v.row_stride == 1) v = v.transposed();
    if (v.col_stride == 1 && __builtin_cpu_supports("avx2")) {
      int8_minmax_avx2(v.data, v.rows, v.cols, v.row_stride, lo, hi);
      return {lo, hi};
    }
  }
#endif
  for (int r = 0; r < v.rows; ++r) {
    const T* row = v.data + static_cast<std::ptrdiff_t>(r) * v.row_stride;
    for (int cc = 0; cc < v.cols; ++cc) {
      const int32_t x = conv(row[static_cast<std::ptrdiff_t>(cc) * v.col_stride]);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  return {lo, hi};
}

struct Int8Value {
  int32_t operator()(int8_t v) const { return v; }
};
struct Fp4Value {
  static constexpr int32_t kMaxAbs = 4096;  // static bound: no range scan needed
  int32_t operator()(uint8_t code) const {
    static constexpr int16_t kTable[16] = {0, 1,  4,  16,  64,  256,  1024,  4096,
                                           0, -1, -4, -16, -64, -256, -1024, -4096};
    return kTable[code & 0xF];
  }
};

template <class Conv>
constexpr bool has_static_bound() {
  return requires {
    Conv::kMaxAbs;
  };
}

detail::MicroKernel pick_kernel(IntKernel k) {
  auto f = detail::micro_kernel(k);
  if (!f)
    throw InputError(std::string("gemm: integer kernel '") + int_kernel_name(k) +
                     "' is not supported by this CPU");
  return f;
}

// Fused output of a tile whose exact sums fit the int32 kernel tile (one
// k-block, no saturation possible, no offset correction): fp16(acc * scale *
// 2^exp2) straight from int32 into C, skipping the int64 sums and the copy.
// Same arithmetic as round_acc_to_fp16_bulk (exact product in double, round
// to odd to fp32, RNE to FP16); lanes with |acc| >= 2^29 take the scalar path.
using TileStore = void (*)(const int32_t* tile, int rows, int cols, OutputScale s, uint16_t* c,
                           size_t ldc);

void store_tile_scalar(const int32_t* tile, int rows, int cols, OutputScale s, uint16_t* c,
                       size_t ldc) {
  for (int r = 0; r < rows; ++r)
    for (int cc = 0; cc < cols; ++cc)
      c[static_cast<size_t>(r) * ldc + static_cast<size_t>(cc)] =
          round_acc_to_fp16(tile[r * kNR + cc], s);
}

#if defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,f16c"))) inline __m128i round8_avx512(
    __m256i v, __m512d scale, __m512d p2) {
  const __m512d d = _mm512_mul_pd(_mm512_mul_pd(_mm512_cvtepi32_pd(v), scale), p2);  // exact
  const __m256 f = _mm512_cvt_roundpd_ps(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __mmask8 inexact = _mm512_cmp_pd_mask(_mm512_cvtps_pd(f), d, _CMP_NEQ_OQ);
  const __m256i odd = _mm256_mask_or_epi32(_mm256_castps_si256(f), inexact, _mm256_castps_si256(f),
                                           _mm256_set1_epi32(1));
  return _mm256_cvtps_ph(_mm256_castsi256_ps(odd), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,f16c"))) void store_tile_avx512(
    const int32_t* tile, int rows, int cols, OutputScale s, uint16_t* c, size_t ldc) {
  static_assert(kNR == 32);
  const __m512d scale = _mm512_set1_pd(static_cast<double>(s.scale));
  const __m512d p2 =
      _mm512_set1_pd(std::bit_cast<double>(static_cast<uint64_t>(1023 + s.exp2) << 52));
  const __m512i lim = _mm512_set1_epi32(int32_t{1} << 29);
  for (int r = 0; r < rows; ++r) {
    uint16_t* out = c + static_cast<size_t>(r) * ldc;
    for (int h = 0; h < 2 && h * 16 < cols; ++h) {
      const int32_t* src = tile + r * kNR + h * 16;
      const int n = std::min(16, cols - h * 16);
      const __m512i v = _mm512_load_si512(src);
      // abs(INT32_MIN) stays negative as signed: compare unsigned.
      if (_mm512_cmpge_epu32_mask(_mm512_abs_epi32(v), lim) != 0) {
        for (int j = 0; j < n; ++j) out[h * 16 + j] = round_acc_to_fp16(src[j], s);
        continue;
      }
      const __m128i lo = round8_avx512(_mm512_castsi512_si256(v), scale, p2);
      const __m128i hi = round8_avx512(_mm512_extracti64x4_epi64(v, 1), scale, p2);
      const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
      _mm256_mask_storeu_epi16(out + h * 16, static_cast<__mmask16>((1u << n) - 1u), both);
    }
  }
}
#pragma GCC diagnostic pop
#endif

TileStore pick_tile_store(OutputScale s) {
#if defined(__x86_64__)
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                         cpu_supports_f16c();
  if (ok && s.exp2 > -900 && s.exp2 < 900 && std::isfinite(s.scale)) return store_tile_avx512;
#endif
  (void)s;
  return store_tile_scalar;
}

// Everything the tile loop needs.
struct IntPlan {
  const Packed* a;
  const Packed* b;
  int m, n, k;
  detail::MicroKernel kernel;
  int block;         // k-groups per int32 block
  int32_t b_offset;  // B bytes hold b + b_offset (u8 path); result -= b_offset * rowsum(A)
  int64_t limit;     // acc_max(width)
  bool all_safe;     // no output can saturate
  TileStore fused;   // non-null: single k-block, no correction, no acc output (fused store)
  int acc_bits;
  OutputScale scale;
};

// One worker: B panels [q_begin, q_end), every A panel, all of k per tile;
// the exact tile sum is checked against the saturation bound, rounded once
// and written out.
template <class GetA, class GetB>
GemmStats run_panels(const IntPlan& pl, int q_begin, int q_end, GetA get_a, GetB get_b, uint16_t* c,
                     int64_t* acc) {
  GemmStats st;
  alignas(64) int32_t tile[kMR * kNR];
  int64_t sums[kMR * kNR];
  uint16_t out16[kMR * kNR];
  const int a_panels = (pl.m + kMR - 1) / kMR;
  const int groups = pl.a->groups;
  // Operands of the sequential path (only when some output can saturate).
  std::vector<int32_t> seq_a, seq_b;
  int seq_b_panel = -1;
  if (!pl.all_safe) {
    seq_a.resize(static_cast<size_t>(pl.k));
    seq_b.resize(static_cast<size_t>(pl.k) * kNR);
  }
  for (int q = q_begin; q < q_end; ++q) {
    const int cols = std::min(kNR, pl.n - q * kNR);
    for (int p = 0; p < a_panels; ++p) {
      const int rows = std::min(kMR, pl.m - p * kMR);
      if (pl.fused) {
        pl.kernel(reinterpret_cast<const int32_t*>(pl.a->words) +
                      static_cast<size_t>(p) * static_cast<size_t>(groups) * kMR,
                  reinterpret_cast<const int32_t*>(pl.b->words) +
                      static_cast<size_t>(q) * static_cast<size_t>(groups) * kNR,
                  groups, tile);
        pl.fused(tile, rows, cols, pl.scale,
                 c + static_cast<size_t>(p * kMR) * static_cast<size_t>(pl.n) +
                     static_cast<size_t>(q) * kNR,
                 static_cast<size_t>(pl.n));
        continue;
      }
      if (groups == 0) std::fill(sums, sums + kMR * kNR, int64_t{0});
      for (int t0 = 0; t0 < groups; t0 += pl.block) {
        const int ng = std::min(pl.block, groups - t0);
        const auto* ap =
            reinterpret_cast<const int32_t*>(pl.a->words) +
            (static_cast<size_t>(p) * static_cast<size_t>(groups) + static_cast<size_t>(t0)) * kMR;
        const auto* bp =
            reinterpret_cast<const int32_t*>(pl.b->words) +
            (static_cast<size_t>(q) * static_cast<size_t>(groups) + static_cast<size_t>(t0)) * kNR;
        pl.kernel(ap, bp, ng, tile);
        if (t0 == 0)
          for (int x = 0; x < kMR * kNR; ++x) sums[x] = tile[x];
        else
          for (int x = 0; x < kMR * kNR; ++x) sums[x] += tile[x];
      }
      for (int r = 0; r < rows; ++r) {
        const int i = p * kMR + r;
        int64_t* srow = sums + r * kNR;
        const int64_t corr = int64_t{pl.b_offset} * pl.a->sum[static_cast<size_t>(i)];
        for (int cc = 0; cc < cols; ++cc) srow[cc] -= corr;
        if (!pl.all_safe) {
          // Outputs whose bound exceeds the accumulator take the sequential
          // saturating sum; it runs across the panel's kNR columns at once.
          bool need[kNR] = {};
          bool any = false;
          for (int cc = 0; cc < cols; ++cc) {
            const int j = q * kNR + cc;
            const int64_t bound = std::min(
                pl.a->max_abs[static_cast<size_t>(i)] * pl.b->sum_abs[static_cast<size_t>(j)],
                pl.a->sum_abs[static_cast<size_t>(i)] * pl.b->max_abs[static_cast<size_t>(j)]);
            need[cc] = bound > pl.limit;
            any = any || need[cc];
          }
          if (!any) continue;
          if (seq_b_panel != q) {  // this B panel's values, k-major, zero-padded to kNR
            for (int kk = 0; kk < pl.k; ++kk)
              for (int cc = 0; cc < kNR; ++cc)
                seq_b[static_cast<size_t>(kk) * kNR + static_cast<size_t>(cc)] =
                    cc < cols ? get_b(kk, q * kNR + cc) : 0;
            seq_b_panel = q;
          }
          for (int kk = 0; kk < pl.k; ++kk) seq_a[static_cast<size_t>(kk)] = get_a(i, kk);
          int64_t seq_sums[kNR];
          uint64_t seq_overflows[kNR];
          saturating_sums(seq_a.data(), seq_b.data(), pl.k, kNR, pl.acc_bits, seq_sums,
                          seq_overflows);
          for (int cc = 0; cc < cols; ++cc) {
            if (!need[cc]) continue;
            srow[cc] = seq_sums[cc];
            st.saturations += seq_overflows[cc];
            st.saturated_outputs += seq_overflows[cc] ? 1 : 0;
            ++st.sequential_outputs;
          }
        }
      }
      // One rounding call per tile (rows beyond `rows` / columns beyond `cols` are scratch).
      round_acc_to_fp16_bulk(std::span<const int64_t>(sums, static_cast<size_t>(kMR * kNR)),
                             pl.scale, std::span<uint16_t>(out16, static_cast<size_t>(kMR * kNR)));
      for (int r = 0; r < rows; ++r) {
        const size_t o = static_cast<size_t>(p * kMR + r) * static_cast<size_t>(pl.n) +
                         static_cast<size_t>(q) * kNR;
        std::copy(out16 + r * kNR, out16 + r * kNR + cols, c + o);
        if (acc) std::copy(sums + r * kNR, sums + r * kNR + cols, acc + o);
      }
    }
  }
  return st;
}

template <class TA, class TB, class ConvA, class ConvB>
void int_gemm(MatView<TA> a, MatView<TB> b, ConvA conv_a, ConvB conv_b, OutputScale s,
              const GemmConfig& cfg, uint16_t* c, int64_t* acc, GemmStats* stats, bool bytes_ok) {
  const int m = a.rows, n = b.cols, k = a.cols;
  auto get_a = [&](int i, int kk) { return conv_a(a.at(i, kk)); };
  auto get_b = [&](int kk, int j) { return conv_b(b.at(kk, j)); };
  const auto kernel16 = pick_kernel(cfg.kernel);
  const auto kernel8 = bytes_ok ? detail::micro_kernel_u8s8(cfg.kernel) : nullptr;
  Packed pa, pb;
  IntPlan pl{};
  // FP4 operands have a static bound (4096; the exact per-line bounds are
  // computed below when saturation is possible), INT codes are scanned.
  auto range = [](auto view, auto conv) -> std::pair<int32_t, int32_t> {
    if constexpr (has_static_bound<decltype(conv)>())
      return {-decltype(conv)::kMaxAbs, decltype(conv)::kMaxAbs};
    else
      return value_range(view, conv);
  };
  const auto [a_lo, a_hi] = range(a, conv_a);
  const auto [b_lo, b_hi] = range(b, conv_b);
  const int64_t max_a = std::max(-int64_t{a_lo}, int64_t{a_hi});
  const int64_t max_b = std::max(-int64_t{b_lo}, int64_t{b_hi});
  // Packing itself happens in the workers (each packs a share of A's
  // panels and its own B panels; a barrier before the tiles).
  if (kernel8) {
    // Bytes: A signed, B unsigned. If B has negative values, flipping the
    // top bit of every byte stores b + 128 (corrected with 128 * rowsum(A)).
    pa = alloc_packed<kMR, 4>(m, k, 0);
    pb = alloc_packed<kNR, 4>(n, k, 1);
    pl.b_offset = b_lo >= 0 ? 0 : 128;
    pl.kernel = kernel8;
  } else {
    pa = alloc_packed<kMR, 2>(m, k, 0);
    pb = alloc_packed<kNR, 2>(n, k, 1);
    pl.kernel = kernel16;
  }
  const auto bt = b.transposed();
  auto pack_a = [&](int q0, int q1) {
    if (kernel8)
      pack_panels<kMR, 4>(a, conv_a, pa, q0, q1);
    else
      pack_panels<kMR, 2>(a, conv_a, pa, q0, q1);
  };
  auto pack_b = [&](int q0, int q1) {
    if (kernel8)
      pack_panels<kNR, 4>(bt, conv_b, pb, q0, q1);
    else
      pack_panels<kNR, 2>(bt, conv_b, pb, q0, q1);
    if (pl.b_offset)
      for (size_t w = static_cast<size_t>(q0) * static_cast<size_t>(pb.groups) * kNR;
           w < static_cast<size_t>(q1) * static_cast<size_t>(pb.groups) * kNR; ++w)
        pb.words[w] ^= 0x80808080u;
  };
  const int per_group = kernel8 ? 4 : 2;
  // int32 lanes hold at most block * per_group * max|a| * max|stored b|: keep it below 2^31.
  const int64_t lane_prod = std::max<int64_t>(1, per_group * max_a * (max_b + pl.b_offset));
  pl.block = static_cast<int>(std::clamp<int64_t>(INT32_MAX / lane_prod, 1, kMaxGroupsPerBlock));
  pl.limit = acc_max(cfg.acc_bits);
  pl.all_safe =
      int64_t{k} * max_a * max_b <= pl.limit;  // no int64 overflow: k < 2^31, |products| < 2^20
  if (!pl.all_safe || pl.b_offset) line_stats(a, conv_a, pa, !pl.all_safe, pl.b_offset != 0);
  if (!pl.all_safe) line_stats(b.transposed(), conv_b, pb, true, false);
  pl.a = &pa;
  pl.b = &pb;
  pl.m = m;
  pl.n = n;
  pl.k = k;
  pl.acc_bits = cfg.acc_bits;
  pl.scale = s;
  if (pl.all_safe && pl.b_offset == 0 && !acc && pa.groups > 0 && pa.groups <= pl.block)
    pl.fused = pick_tile_store(s);

  const int b_panels = (n + kNR - 1) / kNR;
  const int a_panels = (m + kMR - 1) / kMR;
  const int nt = std::clamp(cfg.threads, 1, std::max(1, b_panels));
  GemmStats total;
  if (nt == 1) {
    pack_a(0, a_panels);
    pack_b(0, b_panels);
    total = run_panels(pl, 0, b_panels, get_a, get_b, c, acc);
  } else {
    std::vector<GemmStats> parts(static_cast<size_t>(nt));
    std::vector<std::thread> pool;
    std::barrier<> packed(nt);
    auto work = [&](int w) {
      const int q0 = b_panels * w / nt, q1 = b_panels * (w + 1) / nt;
      pack_a(a_panels * w / nt, a_panels * (w + 1) / nt);
      pack_b(q0, q1);            // only this worker reads its B panels
      packed.arrive_and_wait();  // every A panel is read by every worker
      parts[static_cast<size_t>(w)] = run_panels(pl, q0, q1, get_a, get_b, c, acc);
    };
    for (int w = 1; w < nt; ++w) pool.emplace_back(work, w);
    work(0);  // the calling thread is worker 0 (one thread start less)
    for (auto& th : pool) th.join();
    for (const auto& p : parts) {
      total.saturations += p.saturations;
      total.saturated_outputs += p.saturated_outputs;
      total.sequential_outputs += p.sequential_outputs;
    }
  }
  if (stats) {
    stats->saturations += total.saturations;
    stats->saturated_outputs += total.saturated_outputs;
    stats->sequential_outputs += total.sequential_outputs;
  }
}

// fp16_chunked mode of the integer GEMMs, vectorised across 16 outputs of a
// row: the reference's exact sequence per output (each product rounded once
// to FP16 -- exact int product times the scale in double, round to odd to
// fp32, RNE to FP16, as round_acc_to_fp16 -- then sequential FP16 adds,
// each an fp32 add rounded to FP16 (= fp16_add), chunk sums added in order).
// Only the loop order across outputs differs, so the bits are the same.
#if defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,f16c"))) void chunked_rows_avx512(
    int m, int n, int k, const int32_t* av, const int32_t* bv, OutputScale s, int chunk,
    uint16_t* c) {
  const __m512d scale = _mm512_set1_pd(static_cast<double>(s.scale));
  const __m512d p2 =
      _mm512_set1_pd(std::bit_cast<double>(static_cast<uint64_t>(1023 + s.exp2) << 52));
#define NIBBLE_TO_H(f) _mm512_cvtps_ph((f), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
  for (int i = 0; i < m; ++i) {
    const int32_t* arow = av + static_cast<size_t>(i) * static_cast<size_t>(k);
    for (int j0 = 0; j0 < n; j0 += 16) {
      const int lanes = std::min(16, n - j0);
      const auto mask = static_cast<__mmask16>((1u << lanes) - 1u);
      __m512 total = _mm512_setzero_ps(), part = _mm512_setzero_ps();
      int in_chunk = 0;
      for (int kk = 0; kk < k; ++kk) {
        const __m512i bvec = _mm512_maskz_loadu_epi32(
            mask, bv + static_cast<size_t>(kk) * static_cast<size_t>(n) + static_cast<size_t>(j0));
        const __m512i prod = _mm512_mullo_epi32(_mm512_set1_epi32(arow[kk]), bvec);  // |p| < 2^17
        const __m128i lo = round8_avx512(_mm512_castsi512_si256(prod), scale, p2);
        const __m128i hi = round8_avx512(_mm512_extracti64x4_epi64(prod, 1), scale, p2);
        const __m512 term =
            _mm512_cvtph_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1));
        part = _mm512_cvtph_ps(NIBBLE_TO_H(_mm512_add_ps(part, term)));
        if (++in_chunk == chunk || kk == k - 1) {
          total = _mm512_cvtph_ps(NIBBLE_TO_H(_mm512_add_ps(total, part)));
          part = _mm512_setzero_ps();
          in_chunk = 0;
        }
      }
      _mm256_mask_storeu_epi16(
          c + static_cast<size_t>(i) * static_cast<size_t>(n) + static_cast<size_t>(j0), mask,
          NIBBLE_TO_H(total));
    }
  }
#undef NIBBLE_TO_H
}
#pragma GCC diagnostic pop
#endif

// Returns false when the vector path does not apply (the caller uses the reference).
template <class TA, class TB, class ConvA, class ConvB>
bool int_gemm_chunked(MatView<TA> a, MatView<TB> b, ConvA conv_a, ConvB conv_b, OutputScale s,
                      const GemmConfig& cfg, uint16_t* c, int64_t* acc) {
#if defined(__x86_64__)
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                         cpu_supports_f16c();
  if (!ok || !(s.exp2 > -900 && s.exp2 < 900) || !std::isfinite(s.scale)) return false;
  const int m = a.rows, n = b.cols, k = a.cols;
  std::vector<int32_t> av(static_cast<size_t>(m) * static_cast<size_t>(k));
  std::vector<int32_t> bv(static_cast<size_t>(k) * static_cast<size_t>(n));
  for (int i = 0; i < m; ++i)
    for (int kk = 0; kk < k; ++kk)
      av[static_cast<size_t>(i) * static_cast<size_t>(k) + static_cast<size_t>(kk)] =
          conv_a(a.at(i, kk));
  for (int kk = 0; kk < k; ++kk)
    for (int j = 0; j < n; ++j)
      bv[static_cast<size_t>(kk) * static_cast<size_t>(n) + static_cast<size_t>(j)] =
          conv_b(b.at(kk, j));
  if (k == 0) {
    std::fill(c, c + static_cast<size_t>(m) * static_cast<size_t>(n), uint16_t{0});
  } else {
    chunked_rows_avx512(m, n, k, av.data(), bv.data(), s, cfg.chunk, c);
  }
  if (acc) std::fill(acc, acc + static_cast<size_t>(m) * static_cast<size_t>(n), int64_t{0});
  return true;
#else
  (void)a, (void)b, (void)conv_a, (void)conv_b, (void)s, (void)cfg, (void)c, (void)acc;
  return false;
#endif
}

// Float GEMMs, fp32 mode: per output the same sequential k-order sum as the
// reference; the j loop is element-wise so it vectorises without reordering.
#if defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// R rows x up to 16 V columns of sums, k ascending per output as the
// scalar loop: acc = fp32(acc + fp32(a * b)). The explicitly rounded
// intrinsics keep GCC from contracting the multiply and add into an FMA.
template <int R, int V>
__attribute__((target("avx512f"))) void float_tile_avx512(int k, int cols, const float* a, int lda,
                                                          const float* b, int ldb, float* out,
                                                          int ldo, bool resume) {
  constexpr int kRn = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  __mmask16 lanes[V];
  for (int v = 0; v < V; ++v) {
    const int left = std::clamp(cols - 16 * v, 0, 16);
    lanes[v] = static_cast<__mmask16>((1u << left) - 1u);
  }
  __m512 acc[R][V];  // resume: the sums of the earlier K chunks, carried unchanged
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v)
      acc[r][v] = resume
                      ? _mm512_maskz_loadu_ps(lanes[v], out + static_cast<size_t>(r) * ldo + 16 * v)
                      : _mm512_setzero_ps();
  for (int kk = 0; kk < k; ++kk) {
    __m512 bv[V];
    for (int v = 0; v < V; ++v)
      bv[v] = _mm512_maskz_loadu_ps(lanes[v], b + static_cast<size_t>(kk) * ldb + 16 * v);
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[static_cast<size_t>(r) * lda + kk]);
      for (int v = 0; v < V; ++v)
        acc[r][v] = _mm512_add_round_ps(acc[r][v], _mm512_mul_round_ps(av, bv[v], kRn), kRn);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v)
      _mm512_mask_storeu_ps(out + static_cast<size_t>(r) * ldo + 16 * v, lanes[v], acc[r][v]);
}
#pragma GCC diagnostic pop

template <int R>
void float_tile_any(int k, int cols, const float* a, int lda, const float* b, int ldb, float* out,
                    int ldo, bool resume) {
  switch ((cols + 15) / 16) {
    case 1:
      return float_tile_avx512<R, 1>(k, cols, a, lda, b, ldb, out, ldo, resume);
    case 2:
      return float_tile_avx512<R, 2>(k, cols, a, lda, b, ldb, out, ldo, resume);
    case 3:
      return float_tile_avx512<R, 3>(k, cols, a, lda, b, ldb, out, ldo, resume);
    default:
      return float_tile_avx512<R, 4>(k, cols, a, lda, b, ldb, out, ldo, resume);
  }
}
#endif

// Sums of the decoded A (m x k) times B (k x n), fp32, sequential in k.
void float_sums(int m, int n, int k, const float* a, const float* b, float* sums) {
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (avx512) {
    // Column panels of 64 outer, then K chunks, then rows: a panel's chunk of
    // B (256 x 64 floats) stays in L2 while every row of A passes over it.
    constexpr int kKc = 256;
    for (int j0 = 0; j0 < n; j0 += 64) {
      const int cols = std::min(64, n - j0);
      for (int k0 = 0; k0 < k || k0 == 0; k0 += kKc) {
        const int kc = std::min(kKc, k - k0);
        const float* bp = b + static_cast<size_t>(k0) * n + j0;
        int i = 0;
        for (; i + 4 <= m; i += 4)
          float_tile_any<4>(kc, cols, a + static_cast<size_t>(i) * k + k0, k, bp, n,
                            sums + static_cast<size_t>(i) * n + j0, n, k0 > 0);
        for (; i < m; ++i)
          float_tile_any<1>(kc, cols, a + static_cast<size_t>(i) * k + k0, k, bp, n,
                            sums + static_cast<size_t>(i) * n + j0, n, k0 > 0);
      }
    }
    return;
  }
#endif
  for (int i = 0; i < m; ++i) {
    float* rp = sums + static_cast<size_t>(i) * n;
    std::fill(rp, rp + n, 0.0f);
    for (int kk = 0; kk < k; ++kk) {
      const float av = a[static_cast<size_t>(i) * static_cast<size_t>(k) + static_cast<size_t>(kk)];
      const float* bp = b + static_cast<size_t>(kk) * static_cast<size_t>(n);
      for (int j = 0; j < n; ++j) rp[j] = rp[j] + av * bp[j];
    }
  }
}

// Per-thread float scratch of the float GEMMs (slot 0: decoded A, 1:
// decoded B, 2: sums), as scratch_words: a fresh zero-filled vector per GEMM
// cost ~9 % of an FP16 training step in memset and page faults. Pure
// scratch: every element is written before it is read.
float* scratch_floats(int slot, size_t count, std::unique_ptr<float[]>& owned) {
  return thread_scratch<float, 3>(slot, count, owned);
}

void float_gemm_fp32(int m, int n, int k, const float* a, const float* b, float scale, uint16_t* c,
                     float* acc) {
  const size_t count = static_cast<size_t>(m) * static_cast<size_t>(n);
  std::unique_ptr<float[]> owned;
  float* sums = acc ? acc : scratch_floats(2, count, owned);
  float_sums(m, n, k, a, b, sums);
  scaled_outputs_bulk(sums, count, scale, nullptr, c);
}

// A view's values, row-major, into scratch slot `slot`. `run(src, n, dst)`
// decodes n contiguous codes. A transposed view (row_stride 1: dW's dY^T and
// X^T) is decoded in 16 x 16 tiles, each column segment contiguous in the
// source: element by element it read one cache line per value, and the
// scalar FP16 conversion of those reads was ~17 % of an FP16 ResNet-8 step.
template <class T, class DecodeRun>
const float* decode_view(MatView<T> v, DecodeRun run, int slot, std::unique_ptr<float[]>& owned) {
  const size_t cols = static_cast<size_t>(v.cols);
  float* out = scratch_floats(slot, static_cast<size_t>(v.rows) * cols, owned);
  if (v.col_stride == 1) {
    for (int r = 0; r < v.rows; ++r) run(v.data + r * v.row_stride, cols, out + r * cols);
  } else if (v.row_stride == 1) {
    constexpr int kTile = 16;
    float column[kTile];
    for (int r0 = 0; r0 < v.rows; r0 += kTile) {
      const int rn = std::min(kTile, v.rows - r0);
      for (int c = 0; c < v.cols; ++c) {
        run(v.data + c * v.col_stride + r0, static_cast<size_t>(rn), column);
        for (int i = 0; i < rn; ++i) out[static_cast<size_t>(r0 + i) * cols + c] = column[i];
      }
    }
  } else {
    for (int r = 0; r < v.rows; ++r)
      for (int c = 0; c < v.cols; ++c) {
        const T code = v.at(r, c);
        run(&code, 1, out + static_cast<size_t>(r) * cols + static_cast<size_t>(c));
      }
  }
  return out;
}

// 8-bit codes: each code decoded once into a table.
const float* decode_matrix(MatView<uint8_t> v, const FloatFormat& f, int slot,
                           std::unique_ptr<float[]>& owned) {
  float table[256];
  for (int c = 0; c < 256; ++c) table[c] = decode_float(f, static_cast<uint32_t>(c));
  return decode_view(
      v,
      [&table](const uint8_t* src, size_t n, float* dst) {
        for (size_t i = 0; i < n; ++i) dst[i] = table[src[i]];
      },
      slot, owned);
}

// FP16: contiguous runs go through the F16C bulk conversion.
const float* decode_matrix(MatView<uint16_t> v, int slot, std::unique_ptr<float[]>& owned) {
  return decode_view(
      v,
      [](const uint16_t* src, size_t n, float* dst) {
        fp16_to_fp32_bulk(std::span<const uint16_t>(src, n), std::span<float>(dst, n));
      },
      slot, owned);
}

}  // namespace

bool int_kernel_supported(IntKernel k) {
  return detail::micro_kernel(k) != nullptr;
}

const char* int_kernel_name(IntKernel k) {
  switch (k) {
    case IntKernel::best:
      return "best";
    case IntKernel::avx512vnni:
      return "avx512vnni";
    case IntKernel::avx512bw:
      return "avx512bw";
    case IntKernel::avx2:
      return "avx2";
    case IntKernel::portable:
      return "portable";
  }
  return "?";
}

IntKernel best_int_kernel() {
  for (IntKernel k : {IntKernel::avx512vnni, IntKernel::avx512bw, IntKernel::avx2})
    if (int_kernel_supported(k)) return k;
  return IntKernel::portable;
}

void gemm_int4_int4(MatView<int8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                    uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) {
    if (int_gemm_chunked(a, b, Int8Value{}, Int8Value{}, s, cfg, c, acc))
      return;  // no GemmStats in this mode
    return ref::gemm_int4_int4(a, b, s, cfg, c, acc, stats);
  }
  int_gemm(a, b, Int8Value{}, Int8Value{}, s, cfg, c, acc, stats, /*bytes_ok=*/true);
}

void gemm_fp4_int4(MatView<uint8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) {
    if (int_gemm_chunked(a, b, Fp4Value{}, Int8Value{}, s, cfg, c, acc))
      return;  // no GemmStats in this mode
    return ref::gemm_fp4_int4(a, b, s, cfg, c, acc, stats);
  }
  int_gemm(a, b, Fp4Value{}, Int8Value{}, s, cfg, c, acc, stats, false);
}

void gemm_int4_fp4(MatView<int8_t> a, MatView<uint8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) {
    if (int_gemm_chunked(a, b, Int8Value{}, Fp4Value{}, s, cfg, c, acc))
      return;  // no GemmStats in this mode
    return ref::gemm_int4_fp4(a, b, s, cfg, c, acc, stats);
  }
  int_gemm(a, b, Int8Value{}, Fp4Value{}, s, cfg, c, acc, stats, false);
}

void gemm_hfp8(MatView<uint8_t> a, const FloatFormat& fa, MatView<uint8_t> b, const FloatFormat& fb,
               float scale, const GemmConfig& cfg, uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_float_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_hfp8(a, fa, b, fb, scale, cfg, c, acc);
  validate(fa);
  validate(fb);
  std::unique_ptr<float[]> own_a, own_b;
  float_gemm_fp32(a.rows, b.cols, a.cols, decode_matrix(a, fa, 0, own_a),
                  decode_matrix(b, fb, 1, own_b), scale, c, acc);
}

void gemm_fp16(MatView<uint16_t> a, MatView<uint16_t> b, float scale, const GemmConfig& cfg,
               uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_float_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_fp16(a, b, scale, cfg, c, acc);
  std::unique_ptr<float[]> own_a, own_b;
  float_gemm_fp32(a.rows, b.cols, a.cols, decode_matrix(a, 0, own_a), decode_matrix(b, 1, own_b),
                  scale, c, acc);
}

}  // namespace nibble::num
