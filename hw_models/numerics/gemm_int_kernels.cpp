// Integer GEMM micro-kernels, one per ISA. Each is compiled for its ISA with
// a target attribute (the library stays baseline x86-64) and picked at run
// time after __builtin_cpu_supports.
#include "hw_models/numerics/gemm_int_kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num::detail {
namespace {

void kernel_portable(const int32_t* a, const int32_t* b, int pairs, int32_t* tile) {
  int32_t acc[kMR][kNR] = {};
  for (int t = 0; t < pairs; ++t) {
    int16_t blo[kNR], bhi[kNR];
    for (int c = 0; c < kNR; ++c) {
      const auto w = static_cast<uint32_t>(b[c]);
      blo[c] = static_cast<int16_t>(w & 0xFFFFu);
      bhi[c] = static_cast<int16_t>(w >> 16);
    }
    for (int r = 0; r < kMR; ++r) {
      const auto w = static_cast<uint32_t>(a[r]);
      const int32_t alo = static_cast<int16_t>(w & 0xFFFFu);
      const int32_t ahi = static_cast<int16_t>(w >> 16);
      for (int c = 0; c < kNR; ++c) acc[r][c] += alo * blo[c] + ahi * bhi[c];
    }
    a += kMR;
    b += kNR;
  }
  for (int r = 0; r < kMR; ++r)
    for (int c = 0; c < kNR; ++c) tile[r * kNR + c] = acc[r][c];
}

#if defined(__x86_64__)
#define NIBBLE_AVX512_KERNEL(NAME, TARGET, MAC)                                                    \
  __attribute__((target(TARGET))) void NAME(const int32_t* a, const int32_t* b, int pairs, int32_t* tile) { \
    __m512i c0[kMR], c1[kMR];                                                                      \
    for (int r = 0; r < kMR; ++r) c0[r] = c1[r] = _mm512_setzero_si512();                          \
    for (int t = 0; t < pairs; ++t) {                                                              \
      const __m512i b0 = _mm512_loadu_si512(b);                                                    \
      const __m512i b1 = _mm512_loadu_si512(b + 16);                                               \
      _Pragma("GCC unroll 12") for (int r = 0; r < kMR; ++r) {                                     \
        const __m512i av = _mm512_set1_epi32(a[r]);                                                \
        c0[r] = MAC(c0[r], av, b0);                                                                \
        c1[r] = MAC(c1[r], av, b1);                                                                \
      }                                                                                            \
      a += kMR;                                                                                    \
      b += kNR;                                                                                    \
    }                                                                                              \
    for (int r = 0; r < kMR; ++r) {                                                                \
      _mm512_storeu_si512(tile + r * kNR, c0[r]);                                                  \
      _mm512_storeu_si512(tile + r * kNR + 16, c1[r]);                                             \
    }                                                                                              \
  }

#define NIBBLE_MAC_VNNI(c, a, b) _mm512_dpwssd_epi32(c, a, b)
#define NIBBLE_MAC_BW(c, a, b) _mm512_add_epi32(c, _mm512_madd_epi16(a, b))
NIBBLE_AVX512_KERNEL(kernel_avx512vnni, "avx512f,avx512bw,avx512vnni", NIBBLE_MAC_VNNI)
NIBBLE_AVX512_KERNEL(kernel_avx512bw, "avx512f,avx512bw", NIBBLE_MAC_BW)
#undef NIBBLE_MAC_VNNI
#undef NIBBLE_MAC_BW
#undef NIBBLE_AVX512_KERNEL

// AVX2 has 16 vector registers: the 12 x 32 tile is done as 4 x 16 sub-tiles.
__attribute__((target("avx2"))) void kernel_avx2(const int32_t* a, const int32_t* b, int pairs, int32_t* tile) {
  for (int rg = 0; rg < kMR; rg += 4) {
    for (int cg = 0; cg < kNR; cg += 16) {
      __m256i c[4][2];
      for (int r = 0; r < 4; ++r) c[r][0] = c[r][1] = _mm256_setzero_si256();
      const int32_t* ap = a + rg;
      const int32_t* bp = b + cg;
      for (int t = 0; t < pairs; ++t) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 8));
        for (int r = 0; r < 4; ++r) {
          const __m256i av = _mm256_set1_epi32(ap[r]);
          c[r][0] = _mm256_add_epi32(c[r][0], _mm256_madd_epi16(av, b0));
          c[r][1] = _mm256_add_epi32(c[r][1], _mm256_madd_epi16(av, b1));
        }
        ap += kMR;
        bp += kNR;
      }
      for (int r = 0; r < 4; ++r) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + (rg + r) * kNR + cg), c[r][0]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + (rg + r) * kNR + cg + 8), c[r][1]);
      }
    }
  }
}
#endif

}  // namespace

MicroKernel micro_kernel(IntKernel k) {
#if defined(__x86_64__)
  const bool avx512bw = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  switch (k) {
    case IntKernel::best:
      if (auto f = micro_kernel(IntKernel::avx512vnni)) return f;
      if (auto f = micro_kernel(IntKernel::avx512bw)) return f;
      if (auto f = micro_kernel(IntKernel::avx2)) return f;
      return kernel_portable;
    case IntKernel::avx512vnni:
      return avx512bw && __builtin_cpu_supports("avx512vnni") ? kernel_avx512vnni : nullptr;
    case IntKernel::avx512bw: return avx512bw ? kernel_avx512bw : nullptr;
    case IntKernel::avx2: return __builtin_cpu_supports("avx2") ? kernel_avx2 : nullptr;
    case IntKernel::portable: return kernel_portable;
  }
  return nullptr;
#else
  return (k == IntKernel::best || k == IntKernel::portable) ? kernel_portable : nullptr;
#endif
}

}  // namespace nibble::num::detail
