// Output rounding of the exact accumulator and FP16 chunked summation.
#include "hw_models/numerics/accumulate.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "hw_models/numerics/cpu_features.hpp"
#include "hw_models/numerics/fp16.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {

uint16_t round_acc_to_fp16(int64_t acc, OutputScale s) {
  // Fast path: |acc| < 2^29 and a finite scale make acc * scale exact in
  // double (<= 53 bits), and a power-of-two factor in double's normal range
  // keeps it exact; then fp64_to_fp16 rounds once.
  if (acc > -(int64_t{1} << 29) && acc < (int64_t{1} << 29) && s.exp2 > -900 && s.exp2 < 900 &&
      std::isfinite(s.scale)) {
    const double p2 = std::bit_cast<double>(static_cast<uint64_t>(1023 + s.exp2) << 52);
    return fp64_to_fp16(static_cast<double>(acc) * static_cast<double>(s.scale) * p2);
  }
  const uint32_t sb = std::bit_cast<uint32_t>(s.scale);
  const bool scale_neg = (sb >> 31) != 0;
  const int se = static_cast<int>((sb >> 23) & 0xFF);
  uint64_t sm = sb & 0x7FFFFFu;
  const bool neg = (acc < 0) != scale_neg;
  if (se == 0xFF) {  // inf or NaN scale: IEEE product rules
    if (sm != 0 || acc == 0) return 0x7E00u;
    return static_cast<uint16_t>((neg ? 0x8000u : 0u) | 0x7C00u);
  }
  int exp2;
  if (se == 0) {
    exp2 = -149;
  } else {
    sm |= 0x800000u;
    exp2 = se - 150;
  }
  // |acc| as unsigned (INT64_MIN safe), times the 24-bit significand: exact in 128 bits.
  const uint64_t mag = acc < 0 ? 0 - static_cast<uint64_t>(acc) : static_cast<uint64_t>(acc);
  __extension__ typedef unsigned __int128 u128;
  const u128 p = static_cast<u128>(mag) * sm;
  return static_cast<uint16_t>(encode_scaled_int(kFp16, neg, static_cast<uint64_t>(p >> 64),
                                                 static_cast<uint64_t>(p), exp2 + s.exp2));
}

namespace {

#if defined(__x86_64__)
// GCC 12 warns inside its own AVX-512 headers (uninitialised __Y): a known false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// 8 outputs at a time; lanes with |acc| >= 2^29 take the scalar path.
__attribute__((target("avx512f,avx512dq,avx512vl,f16c"))) void round_bulk_avx512(const int64_t* acc,
                                                                                 std::size_t n,
                                                                                 OutputScale s,
                                                                                 uint16_t* out) {
  const __m512d scale = _mm512_set1_pd(static_cast<double>(s.scale));
  const __m512d p2 =
      _mm512_set1_pd(std::bit_cast<double>(static_cast<uint64_t>(1023 + s.exp2) << 52));
  const __m512i lim = _mm512_set1_epi64(int64_t{1} << 29);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i v = _mm512_loadu_si512(acc + i);
    if (_mm512_cmpge_epi64_mask(_mm512_abs_epi64(v), lim) != 0) {
      for (std::size_t j = i; j < i + 8; ++j) out[j] = round_acc_to_fp16(acc[j], s);
      continue;
    }
    const __m512d d = _mm512_mul_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(v), scale), p2);  // exact
    const __m256 f = _mm512_cvt_roundpd_ps(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask8 inexact = _mm512_cmp_pd_mask(_mm512_cvtps_pd(f), d, _CMP_NEQ_OQ);
    const __m256i odd =
        _mm256_mask_or_epi32(_mm256_castps_si256(f), inexact, _mm256_castps_si256(f),
                             _mm256_set1_epi32(1));  // round to odd
    const __m128i h =
        _mm256_cvtps_ph(_mm256_castsi256_ps(odd), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = round_acc_to_fp16(acc[i], s);
}
// 8 lanes per int64 vector; products by vpmuldq (low 32 bits, signed),
// which is exact for int32 operands.
__attribute__((target("avx512f"))) void saturating_sums_avx512(const int32_t* a, const int32_t* b,
                                                               int k, int lanes, int width,
                                                               int64_t* sums, uint64_t* overflows) {
  const __m512i hi = _mm512_set1_epi64(acc_max(width));
  const __m512i lo = _mm512_set1_epi64(acc_min(width));
  const __m512i one = _mm512_set1_epi64(1);
  for (int c0 = 0; c0 < lanes; c0 += 32) {
    const int vecs = std::min(4, (lanes - c0) / 8);
    __m512i acc[4], ov[4];
    for (int v = 0; v < 4; ++v) acc[v] = ov[v] = _mm512_setzero_si512();
    for (int t = 0; t < k; ++t) {
      const __m512i av = _mm512_set1_epi64(a[t]);
      const int32_t* row = b + static_cast<std::size_t>(t) * static_cast<std::size_t>(lanes) + c0;
      for (int v = 0; v < vecs; ++v) {
        const __m512i bv = _mm512_cvtepi32_epi64(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 8 * v)));
        const __m512i s = _mm512_add_epi64(acc[v], _mm512_mul_epi32(av, bv));
        const __mmask8 out = _mm512_cmpgt_epi64_mask(s, hi) | _mm512_cmplt_epi64_mask(s, lo);
        ov[v] = _mm512_mask_add_epi64(ov[v], out, ov[v], one);
        acc[v] = _mm512_min_epi64(_mm512_max_epi64(s, lo), hi);
      }
    }
    for (int v = 0; v < vecs; ++v) {
      _mm512_storeu_si512(sums + c0 + 8 * v, acc[v]);
      _mm512_storeu_si512(overflows + c0 + 8 * v, ov[v]);
    }
  }
}
#pragma GCC diagnostic pop
bool has_avx512_round() {
  // Immutable after the first call (a CPU property, not simulation state).
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl") && cpu_supports_f16c();
  return ok;
}
#endif

}  // namespace

void round_acc_to_fp16_bulk(std::span<const int64_t> acc, OutputScale s, std::span<uint16_t> out) {
  const std::size_t n = std::min(acc.size(), out.size());
#if defined(__x86_64__)
  if (n >= 8 && s.exp2 > -900 && s.exp2 < 900 && std::isfinite(s.scale) && has_avx512_round())
    return round_bulk_avx512(acc.data(), n, s, out.data());
#endif
  for (std::size_t i = 0; i < n; ++i) out[i] = round_acc_to_fp16(acc[i], s);
}

void saturating_sums(const int32_t* a, const int32_t* b, int k, int lanes, int width, int64_t* sums,
                     uint64_t* overflows) {
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512f");  // a CPU property
  if (avx512 && lanes % 8 == 0 && width <= 62)
    return saturating_sums_avx512(a, b, k, lanes, width, sums, overflows);
#endif
  for (int c = 0; c < lanes; ++c) {
    SaturatingAccumulator acc(width);
    for (int t = 0; t < k; ++t)
      acc.add(int64_t{a[t]} * b[static_cast<std::size_t>(t) * static_cast<std::size_t>(lanes) + c]);
    sums[c] = acc.value();
    overflows[c] = acc.overflows();
  }
}

uint16_t fp16_sum_chunked(std::span<const uint16_t> terms, int chunk) {
  if (chunk < 1) chunk = 1;
  uint16_t total = 0;
  for (std::size_t start = 0; start < terms.size(); start += static_cast<std::size_t>(chunk)) {
    uint16_t part = 0;
    const std::size_t end = std::min(terms.size(), start + static_cast<std::size_t>(chunk));
    for (std::size_t k = start; k < end; ++k) part = fp16_add(part, terms[k]);
    total = fp16_add(total, part);
  }
  return total;
}

}  // namespace nibble::num
