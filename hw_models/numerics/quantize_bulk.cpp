// Bulk quantizers. The int4/pact loops are branch-free so they vectorise;
// FP16 uses the F16C instructions when the CPU has them (chosen at run time;
// the library itself is compiled for the baseline ISA).
#include "hw_models/numerics/quantize_bulk.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "hw_models/numerics/counter_rng.hpp"
#include "hw_models/numerics/cpu_features.hpp"

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {
namespace {

void check_sizes(const char* what, std::size_t in, std::size_t out) {
  if (in != out)
    throw InputError(std::string(what) + ": output has " + std::to_string(out) +
                     " elements, input " + std::to_string(in));
}

// RNE of q for |q| <= 2^22 by the 1.5*2^23 trick (exact in the default rounding mode).
inline float rne_small(float q) {
  constexpr float kMagic = 12582912.0f;
  return (q + kMagic) - kMagic;
}

// clamp(RNE(x / step), lo, hi) as in quantize_int4 / pact_quantize; NaN -> 0.
// The body is compiled three times (baseline SSE2, AVX2, AVX-512) and picked
// at run time; the same IEEE operations in every version, so the same bits.
// The loop also returns how many elements a clamp changed (x outside
// [lo_clip, hi_clip], or x / step outside [lo_code, hi_code]): the compares
// are the clamps' own, summed as a vector reduction (no branch per element).
__attribute__((always_inline)) inline uint64_t quantize_linear_body(const float* x, std::size_t n,
                                                                    float step, float lo_clip,
                                                                    float hi_clip, float lo_code,
                                                                    float hi_code, int8_t* out) {
  uint32_t clipped = 0;  // per call; n < 2^32 (checked by the caller)
  for (std::size_t i = 0; i < n; ++i) {
    float v = x[i];
    uint32_t c = static_cast<uint32_t>(v < lo_clip) | static_cast<uint32_t>(v > hi_clip);
    v = v < lo_clip ? lo_clip : v;
    v = v > hi_clip ? hi_clip : v;
    float q = v / step;
    c |= static_cast<uint32_t>(q < lo_code) | static_cast<uint32_t>(q > hi_code);
    clipped += c;
    q = q < lo_code ? lo_code : q;
    q = q > hi_code ? hi_code : q;
    const float r = rne_small(q);
    out[i] = (r == r) ? static_cast<int8_t>(r) : int8_t{0};
  }
  return clipped;
}

using LinearFn = uint64_t (*)(const float*, std::size_t, float, float, float, float, float,
                              int8_t*);
uint64_t quantize_linear_base(const float* x, std::size_t n, float step, float lo_clip,
                              float hi_clip, float lo_code, float hi_code, int8_t* out) {
  return quantize_linear_body(x, n, step, lo_clip, hi_clip, lo_code, hi_code, out);
}
#if defined(__x86_64__)
__attribute__((target("avx2"))) uint64_t quantize_linear_avx2(const float* x, std::size_t n,
                                                              float step, float lo_clip,
                                                              float hi_clip, float lo_code,
                                                              float hi_code, int8_t* out) {
  return quantize_linear_body(x, n, step, lo_clip, hi_clip, lo_code, hi_code, out);
}
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) uint64_t quantize_linear_avx512(
    const float* x, std::size_t n, float step, float lo_clip, float hi_clip, float lo_code,
    float hi_code, int8_t* out) {
  return quantize_linear_body(x, n, step, lo_clip, hi_clip, lo_code, hi_code, out);
}
#endif

LinearFn pick_linear() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return quantize_linear_avx512;
  if (__builtin_cpu_supports("avx2")) return quantize_linear_avx2;
#endif
  return quantize_linear_base;
}

// Returns the clipped count (0 when step <= 0: everything quantizes to 0).
uint64_t quantize_linear(std::span<const float> x, float step, float lo_clip, float hi_clip,
                         float lo_code, float hi_code, int8_t* out) {
  const std::size_t n = x.size();
  if (!(step > 0.0f)) {
    for (std::size_t i = 0; i < n; ++i) out[i] = 0;
    return 0;
  }
  static const LinearFn fn = pick_linear();  // a CPU property, fixed after the first call
  // Chunks of 2^30 keep the 32-bit in-loop counter exact.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  uint64_t clipped = 0;
  for (std::size_t i = 0; i < n; i += kChunk)
    clipped += fn(x.data() + i, std::min(kChunk, n - i), step, lo_clip, hi_clip, lo_code, hi_code,
                  out + i);
  return clipped;
}

#if defined(__x86_64__)
__attribute__((target("avx2,f16c"))) void f32_to_f16_f16c(const float* x, uint16_t* out,
                                                          std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h =
        _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = fp32_to_fp16(x[i]);
}
__attribute__((target("avx2,f16c"))) void f16_to_f32_f16c(const uint16_t* h, float* out,
                                                          std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
  for (; i < n; ++i) out[i] = fp16_to_fp32(h[i]);
}
bool has_f16c() {
  return cpu_supports_f16c() && __builtin_cpu_supports("avx2");
}
#endif

// ---- FP4 ------------------------------------------------------------------
// The vector paths compare |x| (fp32) with the rounding thresholds of fp4.hpp
// scaled by 2^grid_exp. For |grid_exp| <= kFp4VecMaxExp the scalar
// y = |x| * 2^-grid_exp is exact in double, so y >= c  <=>  |x| >= c * 2^g
// (exact in double), and for a float f: f >= T <=> f >= ceil_f32(T) and
// f > T <=> f > floor_f32(T). Same codes and counts as fp4_encode, by
// construction; tests compare them over every rounding edge.
constexpr int kFp4VecMaxExp = 400;

float f32_ceil(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) < t) f = std::nextafter(f, __builtin_huge_valf());
  return f;
}
float f32_floor(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -__builtin_huge_valf());
  return f;
}

struct Fp4Thresholds {
  float up[7];  // |x| >= up[i] adds one to the nearest exponent field (i = 0: underflow edge)
  float sat;    // |x| > sat counts as saturated
  double p2;    // 2^-grid_exp (stochastic: y = |x| * p2, exact)
};

Fp4Thresholds fp4_thresholds(int grid_exp) {
  Fp4Thresholds t{};
  t.up[0] = f32_ceil(std::ldexp(0.5 * std::ldexp(1.0, -6), grid_exp));
  for (int e = 1; e <= 6; ++e)
    t.up[e] = f32_ceil(std::ldexp(2.5 * std::ldexp(1.0, 2 * (e - 4)), grid_exp));
  t.sat = f32_floor(std::ldexp(64.0, grid_exp));
  t.p2 = std::ldexp(1.0, -grid_exp);
  return t;
}

void add_counts(Fp4Counts* counts, std::size_t n, uint64_t sat, uint64_t under, float max_abs) {
  if (!counts) return;
  counts->total += n;
  counts->saturated += sat;
  counts->underflow += under;
  if (static_cast<double>(max_abs) > counts->max_abs) counts->max_abs = max_abs;
}

#if defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
// Returns the number of elements done (a multiple of 16); the caller does the tail.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,popcnt"))) std::size_t fp4_nearest_avx512(
    const float* x, std::size_t n, const Fp4Thresholds& th, uint8_t* out, uint64_t& sat,
    uint64_t& under, float& max_abs) {
  const __m512 absmask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
  __m512 up[7];
  for (int e = 0; e < 7; ++e) up[e] = _mm512_set1_ps(th.up[e]);
  const __m512 satv = _mm512_set1_ps(th.sat);
  const __m512i one = _mm512_set1_epi32(1), eight = _mm512_set1_epi32(8);
  __m512 vmax = _mm512_setzero_ps();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m512 a = _mm512_and_ps(v, absmask);
    __m512i e = _mm512_setzero_si512();
    for (int k = 0; k < 7; ++k)
      e = _mm512_mask_add_epi32(e, _mm512_cmp_ps_mask(a, up[k], _CMP_GE_OQ), e, one);
    const __mmask16 neg = _mm512_movepi32_mask(_mm512_castps_si512(v));
    const __mmask16 nz = _mm512_test_epi32_mask(e, e);
    e = _mm512_mask_or_epi32(e, neg & nz, e, eight);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm512_cvtepi32_epi8(e));
    const __mmask16 ord = _mm512_cmp_ps_mask(a, a, _CMP_ORD_Q);
    sat += static_cast<uint64_t>(__builtin_popcount(_mm512_cmp_ps_mask(a, satv, _CMP_GT_OQ)));
    under += static_cast<uint64_t>(
        __builtin_popcount(ord & ~nz & _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NEQ_OQ)));
    vmax = _mm512_mask_max_ps(vmax, ord, vmax, a);
  }
  max_abs = std::max(max_abs, _mm512_reduce_max_ps(vmax));
  return i;
}

// splitmix64 finaliser on 8 lanes (vpmullq).
__attribute__((target("avx512f,avx512dq"))) inline __m512i mix64_avx512(__m512i z) {
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)),
                         _mm512_set1_epi64(static_cast<long long>(0xBF58476D1CE4E5B9ull)));
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)),
                         _mm512_set1_epi64(static_cast<long long>(0x94D049BB133111EBull)));
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

// Stochastic rounding, 8 lanes in double exactly as fp4_encode_stochastic:
// y = |x| 2^-g, e_lo = #{e in 1..6 : y >= 4^(e-4)}, p = (y - lo) / (hi - lo),
// up iff counter_uniform(seed, index) < p; y >= 4^3 saturates.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,popcnt"))) std::size_t
fp4_stochastic_avx512(const float* x, std::size_t n, const Fp4Thresholds& th, uint64_t seed,
                      uint64_t index_base, uint8_t* out, uint64_t& sat, uint64_t& under,
                      float& max_abs) {
  alignas(64) double lo_tab[8], hi_tab[8];
  for (int e = 0; e < 8; ++e) {
    lo_tab[e] = e == 0 ? 0.0 : std::ldexp(1.0, 2 * (e - 4));
    hi_tab[e] = std::ldexp(1.0, 2 * (e - 3));
  }
  const __m512d lo_t = _mm512_load_pd(lo_tab), hi_t = _mm512_load_pd(hi_tab);
  __m512d mags[6];
  for (int e = 1; e <= 6; ++e) mags[e - 1] = _mm512_set1_pd(std::ldexp(1.0, 2 * (e - 4)));
  const __m512d top = _mm512_set1_pd(64.0), p2 = _mm512_set1_pd(th.p2);
  const __m512d inv53 = _mm512_set1_pd(0x1.0p-53);
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 satv = _mm256_set1_ps(th.sat);
  const __m512i seedmix =
      _mm512_set1_epi64(static_cast<long long>(splitmix64_mix(seed ^ 0x6A09E667F3BCC909ull)));
  const __m512i golden = _mm512_set1_epi64(static_cast<long long>(0x9E3779B97F4A7C15ull));
  __m512i idx = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(index_base)),
                                 _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
  const __m512i step = _mm512_set1_epi64(8);
  const __m256i one = _mm256_set1_epi32(1), eight = _mm256_set1_epi32(8);
  __m256 vmax = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 a = _mm256_and_ps(v, absmask);
    const __m512d y = _mm512_mul_pd(_mm512_cvtps_pd(a), p2);  // exact
    __m256i e = _mm256_setzero_si256();
    for (int k = 0; k < 6; ++k)
      e = _mm256_mask_add_epi32(e, _mm512_cmp_pd_mask(y, mags[k], _CMP_GE_OQ), e, one);
    const __m512i e64 = _mm512_cvtepi32_epi64(e);
    const __m512d lo = _mm512_permutexvar_pd(e64, lo_t), hi = _mm512_permutexvar_pd(e64, hi_t);
    const __m512d p = _mm512_div_pd(_mm512_sub_pd(y, lo), _mm512_sub_pd(hi, lo));
    const __m512i h = mix64_avx512(_mm512_add_epi64(seedmix, _mm512_mullo_epi64(idx, golden)));
    const __m512d u = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(h, 11)), inv53);
    e = _mm256_mask_add_epi32(e, _mm512_cmp_pd_mask(u, p, _CMP_LT_OQ), e, one);
    e = _mm256_mask_mov_epi32(e, _mm512_cmp_pd_mask(y, top, _CMP_GE_OQ), _mm256_set1_epi32(7));
    const __mmask8 neg = _mm256_movepi32_mask(_mm256_castps_si256(v));
    const __mmask8 nz = _mm256_test_epi32_mask(e, e);
    e = _mm256_mask_or_epi32(e, neg & nz, e, eight);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm256_cvtepi32_epi8(e));
    const __mmask8 ord = _mm256_cmp_ps_mask(a, a, _CMP_ORD_Q);
    sat += static_cast<uint64_t>(__builtin_popcount(_mm256_cmp_ps_mask(a, satv, _CMP_GT_OQ)));
    under += static_cast<uint64_t>(
        __builtin_popcount(ord & ~nz & _mm256_cmp_ps_mask(a, _mm256_setzero_ps(), _CMP_NEQ_OQ)));
    vmax = _mm256_mask_max_ps(vmax, ord, vmax, a);
    idx = _mm512_add_epi64(idx, step);
  }
  alignas(32) float m[8];
  _mm256_store_ps(m, vmax);
  for (float f : m) max_abs = std::max(max_abs, f);
  return i;
}

// AVX2 nearest (no AVX-512): 8 lanes, same thresholds.
__attribute__((target("avx2,popcnt"))) std::size_t fp4_nearest_avx2(const float* x, std::size_t n,
                                                                    const Fp4Thresholds& th,
                                                                    uint8_t* out, uint64_t& sat,
                                                                    uint64_t& under,
                                                                    float& max_abs) {
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 up[7];
  for (int e = 0; e < 7; ++e) up[e] = _mm256_set1_ps(th.up[e]);
  const __m256 satv = _mm256_set1_ps(th.sat);
  const __m256i eight = _mm256_set1_epi32(8), zero = _mm256_setzero_si256();
  __m256 vmax = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 a = _mm256_and_ps(v, absmask);
    __m256i e = zero;
    for (int k = 0; k < 7; ++k)  // a true compare is all ones = -1
      e = _mm256_sub_epi32(e, _mm256_castps_si256(_mm256_cmp_ps(a, up[k], _CMP_GE_OQ)));
    const __m256i nz = _mm256_xor_si256(_mm256_cmpeq_epi32(e, zero), _mm256_set1_epi32(-1));
    const __m256i neg = _mm256_srai_epi32(_mm256_castps_si256(v), 31);
    e = _mm256_or_si256(e, _mm256_and_si256(_mm256_and_si256(neg, nz), eight));
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(e), _mm256_extracti128_si256(e, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(w, w));
    const __m256 ord = _mm256_cmp_ps(a, a, _CMP_ORD_Q);
    sat += static_cast<uint64_t>(__builtin_popcount(
        static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(a, satv, _CMP_GT_OQ)))));
    const __m256 under_m =
        _mm256_andnot_ps(_mm256_castsi256_ps(nz),
                         _mm256_and_ps(ord, _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_NEQ_OQ)));
    under += static_cast<uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm256_movemask_ps(under_m))));
    vmax = _mm256_max_ps(vmax, _mm256_and_ps(a, ord));  // NaN lanes -> 0
  }
  alignas(32) float m[8];
  _mm256_store_ps(m, vmax);
  for (float f : m) max_abs = std::max(max_abs, f);
  return i;
}

__attribute__((target("avx512f"))) std::size_t fp4_decode_avx512(const uint8_t* codes,
                                                                 std::size_t n, const float* table,
                                                                 float* out) {
  const __m512 t = _mm512_loadu_ps(table);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i c =
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + i)));
    _mm512_storeu_ps(out + i, _mm512_permutexvar_ps(c, t));  // index uses bits 0..3 = code & 0xF
  }
  return i;
}

#pragma GCC diagnostic pop

bool has_avx512_fp4() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("popcnt");
  return ok;
}
bool has_avx2_fp4() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  return ok;
}
#endif

}  // namespace

namespace detail {
Fp4BulkIsa fp4_bulk_isa_override = Fp4BulkIsa::best;
}

void quantize_int4_bulk(std::span<const float> x, float step, int max_code, std::span<int8_t> codes,
                        uint64_t* clipped) {
  check_sizes("quantize_int4_bulk", x.size(), codes.size());
  const auto m = static_cast<float>(max_code);
  constexpr float kInf = __builtin_huge_valf();
  const uint64_t c = quantize_linear(x, step, -kInf, kInf, -m, m, codes.data());
  if (clipped) *clipped += c;
}

void dequantize_int4_bulk(std::span<const int8_t> codes, float step, std::span<float> out) {
  check_sizes("dequantize_int4_bulk", codes.size(), out.size());
  for (std::size_t i = 0; i < codes.size(); ++i) out[i] = static_cast<float>(codes[i]) * step;
}

void pact_quantize_bulk(std::span<const float> x, float alpha, const PactConfig& c,
                        std::span<int8_t> codes, uint64_t* clipped) {
  check_sizes("pact_quantize_bulk", x.size(), codes.size());
  if (!(alpha > 0.0f)) {
    quantize_linear(x, 0.0f, 0, 0, 0, 0, codes.data());
    return;
  }
  const auto m = static_cast<float>(c.max_code());
  const float lo = c.is_signed ? -alpha : 0.0f;
  const uint64_t n =
      quantize_linear(x, pact_step(alpha, c), lo, alpha, c.is_signed ? -m : 0.0f, m, codes.data());
  if (clipped) *clipped += n;
}

void fp4_quantize_bulk(std::span<const float> x, int grid_exp, const Fp4Config& c,
                       uint64_t index_base, std::span<uint8_t> codes, Fp4Counts* counts) {
  check_sizes("fp4_quantize_bulk", x.size(), codes.size());
  std::size_t done = 0;
#if defined(__x86_64__)
  const auto isa = detail::fp4_bulk_isa_override;
  if (grid_exp >= -kFp4VecMaxExp && grid_exp <= kFp4VecMaxExp &&
      isa != detail::Fp4BulkIsa::portable) {
    const Fp4Thresholds th = fp4_thresholds(grid_exp);
    uint64_t sat = 0, under = 0;
    float max_abs = 0.0f;
    const bool avx512 = isa != detail::Fp4BulkIsa::avx2 && has_avx512_fp4();
    if (c.rounding == Rounding::nearest) {
      if (avx512)
        done = fp4_nearest_avx512(x.data(), x.size(), th, codes.data(), sat, under, max_abs);
      else if (has_avx2_fp4())
        done = fp4_nearest_avx2(x.data(), x.size(), th, codes.data(), sat, under, max_abs);
    } else if (avx512) {
      done = fp4_stochastic_avx512(x.data(), x.size(), th, c.seed, index_base, codes.data(), sat,
                                   under, max_abs);
    }
    add_counts(counts, done, sat, under, max_abs);
  }
#endif
  for (std::size_t i = done; i < x.size(); ++i)
    codes[i] = fp4_encode(x[i], grid_exp, c, index_base + i, counts);
}

void fp4_dequantize_bulk(std::span<const uint8_t> codes, int grid_exp, std::span<float> out) {
  check_sizes("fp4_dequantize_bulk", codes.size(), out.size());
  float table[16];
  for (int k = 0; k < 16; ++k)
    table[k] = static_cast<float>(fp4_decode(static_cast<uint8_t>(k), grid_exp));
  std::size_t i = 0;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f"))
    i = fp4_decode_avx512(codes.data(), codes.size(), table, out.data());
#endif
  for (; i < codes.size(); ++i) out[i] = table[codes[i] & 0xF];
}

void fp32_to_fp16_bulk(std::span<const float> x, std::span<uint16_t> out) {
  check_sizes("fp32_to_fp16_bulk", x.size(), out.size());
#if defined(__x86_64__)
  if (has_f16c()) return f32_to_f16_f16c(x.data(), out.data(), x.size());
#endif
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = fp32_to_fp16(x[i]);
}

void fp16_to_fp32_bulk(std::span<const uint16_t> h, std::span<float> out) {
  check_sizes("fp16_to_fp32_bulk", h.size(), out.size());
#if defined(__x86_64__)
  if (has_f16c()) return f16_to_f32_f16c(h.data(), out.data(), h.size());
#endif
  for (std::size_t i = 0; i < h.size(); ++i) out[i] = fp16_to_fp32(h[i]);
}

namespace {

// An 8-bit format's round-to-nearest-even by float32 bit arithmetic, for
// |x| up to the largest finite value (beyond it, and NaN, encode_float
// decides: saturation and specials differ per format):
//   |x| >= min normal: round the float32 significand to the format's m bits
//     on the bit pattern (add half an ulp minus one plus the kept LSB; a carry
//     moves into the exponent), then rebias the exponent field;
//   |x| <  min normal: the subnormal code is |x| / 2^(1-bias-m) rounded to an
//     integer, nearest-even (the 2^23 trick: exact, the value is < 2^m);
// and the sign bit on top. Used only for formats with subnormals whose
// positive codes are in value order, and only after it reproduced
// encode_float at every code's value, every midpoint and the midpoints'
// float neighbours, both signs.
struct FastEncoder {
  FloatFormat format;
  bool usable = false;
  float v_top = 0.0f;       // largest finite value
  float min_normal = 0.0f;  // 2^(1-bias)
  float sub_scale = 0.0f;   // 2^(bias-1+m)
  uint32_t shift = 0, half = 0, rebias = 0, sign = 0;
};

inline uint32_t fast_code(const FastEncoder& t, float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const uint32_t u = bits & 0x7FFFFFFFu;
  const float ax = std::bit_cast<float>(u);
  const uint32_t normal = ((u + t.half + ((u >> t.shift) & 1u)) >> t.shift) - t.rebias;
  const float y = ax * t.sub_scale;  // < 2^m when subnormal: exact scaling
  const uint32_t sub = static_cast<uint32_t>((y + 0x1p23f) - 0x1p23f);
  return ((bits >> 31) ? t.sign : 0u) | (ax >= t.min_normal ? normal : sub);
}

void build_encoder(const FloatFormat& f, FastEncoder& t) {
  t = FastEncoder{};
  t.format = f;
  const uint32_t top = max_finite_code(f, false);
  if (!f.subnormals || f.man_bits > 10 || top == 0 || top >= 256) return;
  t.sign = f.sign_mask();
  t.shift = static_cast<uint32_t>(23 - f.man_bits);
  t.half = (1u << (t.shift - 1)) - 1;
  t.rebias = static_cast<uint32_t>(127 - f.bias) << f.man_bits;
  t.min_normal = std::ldexp(1.0f, 1 - f.bias);
  t.sub_scale = std::ldexp(1.0f, f.bias - 1 + f.man_bits);
  if (t.min_normal == 0.0f || !std::isfinite(t.sub_scale)) return;
  auto agrees = [&](float x) { return fast_code(t, x) == encode_float(f, x); };
  float prev = decode_float(f, 0);
  if (prev != 0.0f || !agrees(0.0f) || !agrees(-0.0f)) return;
  for (uint32_t c = 0; c < top; ++c) {
    const float next = decode_float(f, c + 1);
    if (!(next > prev)) return;  // codes not in value order
    const float mid = static_cast<float>((static_cast<double>(prev) + next) / 2);
    for (float x : {next, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 2 * next)})
      if (!agrees(x) || !agrees(-x)) return;
    prev = next;
  }
  t.v_top = prev;
  t.usable = true;
}

}  // namespace

void encode_float_bulk(const FloatFormat& f, std::span<const float> x, std::span<uint8_t> out) {
  check_sizes("encode_float_bulk", x.size(), out.size());
  validate(f);
  if (f.total_bits() > 8)
    throw InputError("encode_float_bulk: format " + describe(f) + " is wider than 8 bits");
  // The last format's encoder, per thread (a pure function of the format).
  thread_local FastEncoder enc;
  thread_local bool built = false;
  if (!built || enc.format != f) {
    build_encoder(f, enc);
    built = true;
  }
  const std::size_t n = x.size();
  if (!enc.usable) {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(encode_float(f, x[i]));
    return;
  }
  // Branch-free over the block (vectorisable), then encode_float for the
  // rare |x| > v_top or NaN.
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(fast_code(enc, x[i]));
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::fabs(x[i]) <= enc.v_top)) out[i] = static_cast<uint8_t>(encode_float(f, x[i]));
}

void decode_float_bulk(const FloatFormat& f, std::span<const uint8_t> codes, std::span<float> out) {
  check_sizes("decode_float_bulk", codes.size(), out.size());
  validate(f);
  if (f.total_bits() > 8)
    throw InputError("decode_float_bulk: format " + describe(f) + " is wider than 8 bits");
  float table[256];
  for (uint32_t k = 0; k < f.code_count(); ++k) table[k] = decode_float(f, k);
  const uint32_t mask = f.code_count() - 1;
  for (std::size_t i = 0; i < codes.size(); ++i) out[i] = table[codes[i] & mask];
}

}  // namespace nibble::num
