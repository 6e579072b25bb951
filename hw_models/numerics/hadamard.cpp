// 16-point random Hadamard transform (see hadamard.hpp).
#include "hw_models/numerics/hadamard.hpp"

#include <cstddef>

#include "hw_models/numerics/counter_rng.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {

uint16_t hadamard_sign_mask(uint64_t seed) {
  uint16_t m = 0;
  for (int i = 0; i < kHadamardSize; ++i)
    if (counter_hash(seed, static_cast<uint64_t>(i)) >> 63) m |= static_cast<uint16_t>(1u << i);
  return m;
}

void hadamard16_inplace_ref(std::span<float> v, uint16_t sign_mask) {
  const std::size_t runs = v.size() / kHadamardSize;
  for (std::size_t r = 0; r < runs; ++r) {
    float* x = v.data() + r * kHadamardSize;
    for (int i = 0; i < kHadamardSize; ++i)
      if ((sign_mask >> i) & 1u) x[i] = -x[i];
    for (int h = 1; h < kHadamardSize; h <<= 1)
      for (int j = 0; j < kHadamardSize; ++j)
        if ((j & h) == 0) {
          const float a = x[j], b = x[j + h];
          x[j] = a + b;
          x[j + h] = a - b;
        }
    for (int i = 0; i < kHadamardSize; ++i) x[i] *= 0.25f;
  }
}

namespace {
#if defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// One run per zmm: the same fp32 operations as the reference, operands in
// the same order (lane j with bit h clear: v[j] + v[j+h]; lane j+h:
// v[j] - v[j+h]), so NaN payloads too come out alike.
__attribute__((target("avx512f"))) void hadamard16_avx512(float* x, std::size_t runs,
                                                          uint16_t sign_mask) {
  __m512i flip_bits = _mm512_setzero_si512();
  flip_bits = _mm512_mask_set1_epi32(flip_bits, sign_mask, static_cast<int>(0x80000000u));
  const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512i partner[4];
  __mmask16 upper[4];
  for (int s = 0; s < 4; ++s) {
    const int h = 1 << s;
    partner[s] = _mm512_xor_si512(lane, _mm512_set1_epi32(h));
    __mmask16 m = 0;
    for (int j = 0; j < 16; ++j)
      if (j & h) m = static_cast<__mmask16>(m | (1u << j));
    upper[s] = m;
  }
  const __m512 quarter = _mm512_set1_ps(0.25f);
  for (std::size_t r = 0; r < runs; ++r) {
    float* p = x + r * kHadamardSize;
    __m512 v =
        _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_loadu_ps(p)), flip_bits));
    for (int s = 0; s < 4; ++s) {
      const __m512 w = _mm512_permutexvar_ps(partner[s], v);  // lane j holds v[j ^ h]
      v = _mm512_mask_blend_ps(upper[s], _mm512_add_ps(v, w), _mm512_sub_ps(w, v));
    }
    _mm512_storeu_ps(p, _mm512_mul_ps(v, quarter));
  }
}
#pragma GCC diagnostic pop
#endif
}  // namespace

void hadamard16_inplace(std::span<float> v, uint16_t sign_mask) {
#if defined(__x86_64__)
  static const bool ok = __builtin_cpu_supports("avx512f");
  if (ok) {
    const std::size_t runs = v.size() / kHadamardSize;
    hadamard16_avx512(v.data(), runs, sign_mask);
    return;
  }
#endif
  hadamard16_inplace_ref(v, sign_mask);
}

}  // namespace nibble::num
