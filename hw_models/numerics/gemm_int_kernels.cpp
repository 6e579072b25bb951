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
// 24 named accumulators (12 rows x 2 vectors of 16 columns): written out
// so the compiler keeps them all in registers (an array of __m512i spills).
#define NIBBLE_AVX512_KERNEL(NAME, TARGET, MAC)                                            \
  __attribute__((target(TARGET))) void NAME(const int32_t* a, const int32_t* b, int pairs, \
                                            int32_t* tile) {                               \
    static_assert(kMR == 12 && kNR == 32);                                                 \
    __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512();                    \
    __m512i c10 = _mm512_setzero_si512(), c11 = _mm512_setzero_si512();                    \
    __m512i c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512();                    \
    __m512i c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();                    \
    __m512i c40 = _mm512_setzero_si512(), c41 = _mm512_setzero_si512();                    \
    __m512i c50 = _mm512_setzero_si512(), c51 = _mm512_setzero_si512();                    \
    __m512i c60 = _mm512_setzero_si512(), c61 = _mm512_setzero_si512();                    \
    __m512i c70 = _mm512_setzero_si512(), c71 = _mm512_setzero_si512();                    \
    __m512i c80 = _mm512_setzero_si512(), c81 = _mm512_setzero_si512();                    \
    __m512i c90 = _mm512_setzero_si512(), c91 = _mm512_setzero_si512();                    \
    __m512i c100 = _mm512_setzero_si512(), c101 = _mm512_setzero_si512();                  \
    __m512i c110 = _mm512_setzero_si512(), c111 = _mm512_setzero_si512();                  \
    for (int t = 0; t < pairs; ++t) {                                                      \
      const __m512i b0 = _mm512_loadu_si512(b);                                            \
      const __m512i b1 = _mm512_loadu_si512(b + 16);                                       \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[0]);                                        \
        c00 = MAC(c00, av, b0);                                                            \
        c01 = MAC(c01, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[1]);                                        \
        c10 = MAC(c10, av, b0);                                                            \
        c11 = MAC(c11, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[2]);                                        \
        c20 = MAC(c20, av, b0);                                                            \
        c21 = MAC(c21, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[3]);                                        \
        c30 = MAC(c30, av, b0);                                                            \
        c31 = MAC(c31, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[4]);                                        \
        c40 = MAC(c40, av, b0);                                                            \
        c41 = MAC(c41, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[5]);                                        \
        c50 = MAC(c50, av, b0);                                                            \
        c51 = MAC(c51, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[6]);                                        \
        c60 = MAC(c60, av, b0);                                                            \
        c61 = MAC(c61, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[7]);                                        \
        c70 = MAC(c70, av, b0);                                                            \
        c71 = MAC(c71, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[8]);                                        \
        c80 = MAC(c80, av, b0);                                                            \
        c81 = MAC(c81, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[9]);                                        \
        c90 = MAC(c90, av, b0);                                                            \
        c91 = MAC(c91, av, b1);                                                            \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[10]);                                       \
        c100 = MAC(c100, av, b0);                                                          \
        c101 = MAC(c101, av, b1);                                                          \
      }                                                                                    \
      {                                                                                    \
        const __m512i av = _mm512_set1_epi32(a[11]);                                       \
        c110 = MAC(c110, av, b0);                                                          \
        c111 = MAC(c111, av, b1);                                                          \
      }                                                                                    \
      a += kMR;                                                                            \
      b += kNR;                                                                            \
    }                                                                                      \
    _mm512_storeu_si512(tile + 0, c00);                                                    \
    _mm512_storeu_si512(tile + 16, c01);                                                   \
    _mm512_storeu_si512(tile + 32, c10);                                                   \
    _mm512_storeu_si512(tile + 48, c11);                                                   \
    _mm512_storeu_si512(tile + 64, c20);                                                   \
    _mm512_storeu_si512(tile + 80, c21);                                                   \
    _mm512_storeu_si512(tile + 96, c30);                                                   \
    _mm512_storeu_si512(tile + 112, c31);                                                  \
    _mm512_storeu_si512(tile + 128, c40);                                                  \
    _mm512_storeu_si512(tile + 144, c41);                                                  \
    _mm512_storeu_si512(tile + 160, c50);                                                  \
    _mm512_storeu_si512(tile + 176, c51);                                                  \
    _mm512_storeu_si512(tile + 192, c60);                                                  \
    _mm512_storeu_si512(tile + 208, c61);                                                  \
    _mm512_storeu_si512(tile + 224, c70);                                                  \
    _mm512_storeu_si512(tile + 240, c71);                                                  \
    _mm512_storeu_si512(tile + 256, c80);                                                  \
    _mm512_storeu_si512(tile + 272, c81);                                                  \
    _mm512_storeu_si512(tile + 288, c90);                                                  \
    _mm512_storeu_si512(tile + 304, c91);                                                  \
    _mm512_storeu_si512(tile + 320, c100);                                                 \
    _mm512_storeu_si512(tile + 336, c101);                                                 \
    _mm512_storeu_si512(tile + 352, c110);                                                 \
    _mm512_storeu_si512(tile + 368, c111);                                                 \
  }

#define NIBBLE_MAC_VNNI(c, a, b) _mm512_dpwssd_epi32(c, a, b)
#define NIBBLE_MAC_BW(c, a, b) _mm512_add_epi32(c, _mm512_madd_epi16(a, b))
NIBBLE_AVX512_KERNEL(kernel_avx512vnni, "avx512f,avx512bw,avx512vnni", NIBBLE_MAC_VNNI)
NIBBLE_AVX512_KERNEL(kernel_avx512bw, "avx512f,avx512bw", NIBBLE_MAC_BW)
// u8 x s8 quads: B (the vector operand) holds the unsigned bytes.
#define NIBBLE_MAC_U8S8(c, a, b) _mm512_dpbusd_epi32(c, b, a)
NIBBLE_AVX512_KERNEL(kernel_avx512vnni_u8s8, "avx512f,avx512bw,avx512vnni", NIBBLE_MAC_U8S8)
#undef NIBBLE_MAC_U8S8
#undef NIBBLE_MAC_VNNI
#undef NIBBLE_MAC_BW
#undef NIBBLE_AVX512_KERNEL

// AVX2 has 16 vector registers: the 12 x 32 tile is done as 4 x 16 sub-tiles.
__attribute__((target("avx2"))) void kernel_avx2(const int32_t* a, const int32_t* b, int pairs,
                                                 int32_t* tile) {
  for (int rg = 0; rg < kMR; rg += 4) {
    for (int cg = 0; cg < kNR; cg += 16) {
      // Named accumulators: an array of __m256i would spill to the stack.
      __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
              c30 = c00, c31 = c00;
      const int32_t* ap = a + rg;
      const int32_t* bp = b + cg;
      for (int t = 0; t < pairs; ++t) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 8));
        __m256i av = _mm256_set1_epi32(ap[0]);
        c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(av, b0));
        c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(av, b1));
        av = _mm256_set1_epi32(ap[1]);
        c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(av, b0));
        c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(av, b1));
        av = _mm256_set1_epi32(ap[2]);
        c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(av, b0));
        c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(av, b1));
        av = _mm256_set1_epi32(ap[3]);
        c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(av, b0));
        c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(av, b1));
        ap += kMR;
        bp += kNR;
      }
      int32_t* out = tile + rg * kNR + cg;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), c00);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), c01);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kNR), c10);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + kNR + 8), c11);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * kNR), c20);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * kNR + 8), c21);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 3 * kNR), c30);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 3 * kNR + 8), c31);
    }
  }
}
#endif

}  // namespace

MicroKernel micro_kernel_u8s8(IntKernel k) {
#if defined(__x86_64__)
  if ((k == IntKernel::best || k == IntKernel::avx512vnni) && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
    return kernel_avx512vnni_u8s8;
#endif
  (void)k;
  return nullptr;
}

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
    case IntKernel::avx512bw:
      return avx512bw ? kernel_avx512bw : nullptr;
    case IntKernel::avx2:
      return __builtin_cpu_supports("avx2") ? kernel_avx2 : nullptr;
    case IntKernel::portable:
      return kernel_portable;
  }
  return nullptr;
#else
  return (k == IntKernel::best || k == IntKernel::portable) ? kernel_portable : nullptr;
#endif
}

}  // namespace nibble::num::detail
