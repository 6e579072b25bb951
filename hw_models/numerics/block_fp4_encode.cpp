// The block quantizer's bulk steps (see block_fp4_encode.hpp for why they
// equal the element-at-a-time rule).
#include "hw_models/numerics/block_fp4_encode.hpp"

#include <algorithm>
#include <cmath>

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
  const float p = e.mx ? std::ldexp(1.0f, e.exp) : 1.0f;  // 2^e: exact for e >= -149
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
      for (int j = 0; j < 7; ++j)
        m = _mm512_mask_add_epi32(m, _mm512_cmp_ps_mask(a, t[j], (j & 1) ? _CMP_GE_OQ : _CMP_GT_OQ),
                                  m, one);
    }
    m = _mm512_mask_or_epi32(m, _mm512_cmp_ps_mask(y, zero, _CMP_LT_OQ), m, eight);
    _mm512_mask_cvtepi32_storeu_epi8(codes + i, lanes, m);
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
