// The block quantizer's bulk steps (see block_fp4_encode.hpp for why they
// equal the element-at-a-time rule).
#include "hw_models/numerics/block_fp4_encode.hpp"

#include <algorithm>
#include <cmath>

#include "hw_models/numerics/counter_rng.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num::detail {
namespace {

// The nearest-rounding thresholds of E2M1 magnitudes (see the header).
constexpr float kThreshold[7] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};

struct Thresholds {
  float t[7];
  bool away;
};

Thresholds thresholds(const E2m1BlockEncoder& e) {
  Thresholds th{};
  th.away = e.rounding == E2m1Rounding::nearest_away;
  const float p = e.mx ? std::ldexp(1.0f, e.exp) : 1.0f;    // 2^e: exact for e >= -149
  for (int j = 0; j < 7; ++j) th.t[j] = kThreshold[j] * p;  // exact, or inf above FLT_MAX
  return th;
}

void encode_nearest_portable(const E2m1BlockEncoder& e, const Thresholds& th, const float* x, int n,
                             uint8_t* codes) {
  for (int i = 0; i < n; ++i) {
    const float y = e.mx ? x[i] : x[i] * e.nv_encode;
    const float a = std::fabs(y);
    int m = 0;
    for (int j = 0; j < 7; ++j) m += (th.away || (j & 1)) ? a >= th.t[j] : a > th.t[j];
    codes[i] = static_cast<uint8_t>((y < 0.0f ? 8 : 0) | m);
  }
}

#if defined(__x86_64__)
// GCC 12's own intrinsics headers trip -W(maybe-)uninitialized (as in gemm.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
__attribute__((target("avx512f,avx512bw,avx512vl"))) void encode_nearest_avx512(
    const E2m1BlockEncoder& e, const Thresholds& th, const float* x, int n, uint8_t* codes) {
  const __m512i one = _mm512_set1_epi32(1), eight = _mm512_set1_epi32(8);
  const __m512 zero = _mm512_setzero_ps(), nv = _mm512_set1_ps(e.nv_encode);
  __m512 t[7];
  for (int j = 0; j < 7; ++j) t[j] = _mm512_set1_ps(th.t[j]);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 lanes = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1u);
    __m512 y = _mm512_maskz_loadu_ps(lanes, x + i);
    if (!e.mx) y = _mm512_mul_ps(y, nv);  // fp32(x * encode scale), as the reference
    const __m512 a = _mm512_abs_ps(y);
    __m512i m = _mm512_setzero_si512();
    if (th.away) {
      for (int j = 0; j < 7; ++j)
        m = _mm512_mask_add_epi32(m, _mm512_cmp_ps_mask(a, t[j], _CMP_GE_OQ), m, one);
    } else {
      for (int j = 0; j < 7; ++j) {  // ties to even: > at even thresholds, >= at odd ones
        // (the predicate must be a literal for clang, not a folded expression)
        const __mmask16 passed = (j & 1) ? _mm512_cmp_ps_mask(a, t[j], _CMP_GE_OQ)
                                         : _mm512_cmp_ps_mask(a, t[j], _CMP_GT_OQ);
        m = _mm512_mask_add_epi32(m, passed, m, one);
      }
    }
    m = _mm512_mask_or_epi32(m, _mm512_cmp_ps_mask(y, zero, _CMP_LT_OQ), m, eight);
    _mm512_mask_cvtepi32_storeu_epi8(codes + i, lanes, m);
  }
}

// Stochastic rounding, 8 elements at a time in double, the scalar rule of
// e2m1.cpp lane by lane: y exact (MXFP4: x * 2^-e; NVFP4: fp32(x * s)),
// lo = the largest magnitude <= |y|, p = (|y| - lo) / step (a power-of-two
// step: exact), up iff counter_uniform(seed, index) < p, the splitmix64
// counter hash computed with 64-bit lane multiplies.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) void encode_stochastic_avx512(
    const E2m1BlockEncoder& e, const float* x, int n, uint8_t* codes, uint64_t index_base) {
  const __m512d p2 = _mm512_set1_pd(std::ldexp(1.0, -e.exp));
  const __m256 nv = _mm256_set1_ps(e.nv_encode);
  const __m512i seed_mix =
      _mm512_set1_epi64(static_cast<long long>(splitmix64_mix(e.seed ^ 0x6A09E667F3BCC909ull)));
  const __m512i golden = _mm512_set1_epi64(static_cast<long long>(0x9E3779B97F4A7C15ull));
  const __m512i c1 = _mm512_set1_epi64(static_cast<long long>(0xBF58476D1CE4E5B9ull));
  const __m512i c2 = _mm512_set1_epi64(static_cast<long long>(0x94D049BB133111EBull));
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  const __m512d two_m53 = _mm512_set1_pd(0x1.0p-53);
  static const double kMagD[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  static const double kInvStep[8] = {2, 2, 2, 2, 1, 1, 0.5, 0.5};
  const __m512d mag = _mm512_loadu_pd(kMagD), inv_step = _mm512_loadu_pd(kInvStep);
  const __m512i one = _mm512_set1_epi64(1), seven = _mm512_set1_epi64(7),
                eight = _mm512_set1_epi64(8);
  const __m512d six = _mm512_set1_pd(6.0), zero = _mm512_setzero_pd();
  for (int i = 0; i < n; i += 8) {
    const __mmask8 lanes = n - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (n - i)) - 1u);
    __m256 xf = _mm256_maskz_loadu_ps(lanes, x + i);
    __m512d y;
    if (e.mx) {
      y = _mm512_mul_pd(_mm512_cvtps_pd(xf), p2);
    } else {
      y = _mm512_cvtps_pd(_mm256_mul_ps(xf, nv));
    }
    const __m512d a = _mm512_abs_pd(y);
    __m512i lo = _mm512_setzero_si512();
    for (int j = 1; j < 8; ++j)
      lo = _mm512_mask_add_epi64(lo, _mm512_cmp_pd_mask(a, _mm512_set1_pd(kMagD[j]), _CMP_GE_OQ),
                                 lo, one);
    const __m512d lo_v = _mm512_permutexvar_pd(lo, mag);
    const __mmask8 exact = _mm512_cmp_pd_mask(a, lo_v, _CMP_EQ_OQ);
    const __m512d p = _mm512_mul_pd(_mm512_sub_pd(a, lo_v), _mm512_permutexvar_pd(lo, inv_step));
    // counter_uniform(seed, index_base + i + lane)
    const __m512i idx = _mm512_add_epi64(
        _mm512_set1_epi64(static_cast<long long>(index_base + static_cast<uint64_t>(i))), lane);
    __m512i z = _mm512_add_epi64(seed_mix, _mm512_mullo_epi64(idx, golden));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), c1);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), c2);
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    const __m512d u = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(z, 11)), two_m53);
    const __mmask8 up = static_cast<__mmask8>(_mm512_cmp_pd_mask(u, p, _CMP_LT_OQ) & ~exact);
    __m512i m = _mm512_mask_add_epi64(lo, up, lo, one);
    m = _mm512_mask_mov_epi64(m, _mm512_cmp_pd_mask(a, six, _CMP_GE_OQ), seven);  // saturate
    m = _mm512_mask_mov_epi64(m, _mm512_cmp_pd_mask(y, y, _CMP_UNORD_Q), _mm512_setzero_si512());
    m = _mm512_mask_or_epi64(m, _mm512_cmp_pd_mask(y, zero, _CMP_LT_OQ), m, eight);
    _mm512_mask_cvtepi64_storeu_epi8(codes + i, lanes, m);
  }
}

__attribute__((target("avx512f"))) AbsMaxResult abs_max_avx512(const float* x, int n) {
  __m512 m = _mm512_setzero_ps();
  __mmask16 nan = 0;
  for (int i = 0; i < n; i += 16) {
    const __mmask16 lanes = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1u);
    const __m512 v = _mm512_maskz_loadu_ps(lanes, x + i);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    m = _mm512_max_ps(_mm512_abs_ps(v), m);  // a NaN first operand yields m: NaN skipped
  }
  return {_mm512_reduce_max_ps(m), nan != 0};
}

bool has_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512vl");
  return ok;
}
bool has_avx512dq() {
  static const bool ok = has_avx512() && __builtin_cpu_supports("avx512dq");
  return ok;
}
#pragma GCC diagnostic pop
#endif

}  // namespace

AbsMaxResult block_abs_max(const float* x, int n, bool simd) {
#if defined(__x86_64__)
  if (simd && has_avx512()) return abs_max_avx512(x, n);
#endif
  AbsMaxResult r;
  for (int i = 0; i < n; ++i) {
    if (std::isnan(x[i]))
      r.nan = true;
    else
      r.max = std::max(r.max, std::fabs(x[i]));
  }
  return r;
}

void encode_e2m1_block(const E2m1BlockEncoder& e, const float* x, int n, uint8_t* codes,
                       uint64_t index_base, bool simd) {
  if (e.rounding == E2m1Rounding::stochastic) {
#if defined(__x86_64__)
    if (simd && has_avx512dq()) return encode_stochastic_avx512(e, x, n, codes, index_base);
#endif
    const double p2 = std::ldexp(1.0, -e.exp);  // exact: y = x * 2^-e as the reference
    for (int i = 0; i < n; ++i) {
      const double y = e.mx ? static_cast<double>(x[i]) * p2 : x[i] * e.nv_encode;
      codes[i] = e2m1_encode(y, e.rounding, e.seed, index_base + static_cast<uint64_t>(i));
    }
    return;
  }
  const Thresholds th = thresholds(e);
#if defined(__x86_64__)
  if (simd && has_avx512()) return encode_nearest_avx512(e, th, x, n, codes);
#endif
  encode_nearest_portable(e, th, x, n, codes);
}

}  // namespace nibble::num::detail
