#pragma once
// Internal: packed layouts and micro-kernels of the integer GEMMs.
// Operands are int16 values (or bytes, see micro_kernel_u8s8) (INT4/UINT4 codes, or FP4 fixed-point
// values up to +-4096) packed in k-pairs: one int32 word = (x[2t] low half, x[2t+1] high half), the
// layout of pmaddwd / vpdpwssd.
//   packed A: panels of kMR rows; per k-pair t, kMR words (row order)
//   packed B: panels of kNR columns; per k-pair t, kNR words (column order)
// A micro-kernel computes the kMR x kNR int32 tile sum over `pairs` k-pairs;
// the caller bounds `pairs` so no int32 lane can wrap.
#include <cstdint>

#include "hw_models/numerics/gemm.hpp"

namespace nibble::num::detail {

inline constexpr int kMR = 12;
inline constexpr int kNR = 32;

using MicroKernel = void (*)(const int32_t* a, const int32_t* b, int pairs, int32_t* tile);

// nullptr when the CPU cannot run it.
MicroKernel micro_kernel(IntKernel k);
// Byte variant for INT4 x INT4 (k in quads, one int32 word = 4 bytes; A
// bytes signed, B bytes unsigned): AVX-512 VNNI vpdpbusd only, else nullptr.
MicroKernel micro_kernel_u8s8(IntKernel k);

inline uint32_t pair_word(int32_t lo, int32_t hi) {
  return static_cast<uint32_t>(static_cast<uint16_t>(lo)) |
         (static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16);
}

}  // namespace nibble::num::detail
