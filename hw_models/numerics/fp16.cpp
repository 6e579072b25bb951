// FP16 conversions by direct bit manipulation (the hot path of the SFU and
// the array output). The generic FloatFormat core computes the same function
// by a different route; tests compare the two and a third reference.
#include "hw_models/numerics/fp16.hpp"

#include <bit>
#include <cstring>

namespace nibble::num {

uint16_t fp32_to_fp16(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) {  // inf or NaN
    if (abs == 0x7F800000u) return sign | 0x7C00u;
    return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 13) & 0x3FFu));
  }
  if (abs >= 0x477FF000u) return sign | 0x7C00u;  // >= 65520: rounds to inf
  const int e = static_cast<int>(abs >> 23);      // biased fp32 exponent
  if (e >= 113) {
    // Normal FP16: drop 13 mantissa bits with RNE; a carry into the exponent
    // field is the correct result (next binade).
    const uint32_t rebias = abs - (112u << 23);
    const uint32_t lsb = (rebias >> 13) & 1u;
    return static_cast<uint16_t>(sign | ((rebias + 0xFFFu + lsb) >> 13));
  }
  if (e < 102) return sign;  // < 2^-25: rounds to zero (2^-25 itself is a tie to even = 0)
  // Subnormal FP16: value = mant * 2^(e - 150); quantum 2^-24 -> shift by 126 - e.
  const uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;
  const int shift = 126 - e;  // 14..24
  const uint32_t kept = mant >> shift;
  const uint32_t rem = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  const uint32_t r = kept + ((rem > half || (rem == half && (kept & 1u))) ? 1u : 0u);
  return static_cast<uint16_t>(sign | r);  // r == 0x400 is the smallest normal: correct encoding
}

uint16_t fp64_to_fp16(double x) {
  // Same scheme as fp32_to_fp16 on the 52-bit double mantissa (one rounding).
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  const auto sign = static_cast<uint16_t>((bits >> 48) & 0x8000u);
  const uint64_t abs = bits & 0x7FFFFFFFFFFFFFFFull;
  if (abs >= 0x7FF0000000000000ull) {
    if (abs == 0x7FF0000000000000ull) return sign | 0x7C00u;
    return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 42) & 0x3FFu));
  }
  if (abs >= 0x40EFFE0000000000ull) return sign | 0x7C00u;  // >= 65520
  const int e = static_cast<int>(abs >> 52);                // biased double exponent
  if (e >= 1009) {                                          // normal fp16 (2^-14 and up)
    const uint64_t rebias = abs - (uint64_t{1008} << 52);
    const uint64_t lsb = (rebias >> 42) & 1u;
    return static_cast<uint16_t>(sign | ((rebias + 0x1FFFFFFFFFFull + lsb) >> 42));
  }
  if (e < 998) return sign;  // < 2^-25
  const uint64_t mant = (abs & 0xFFFFFFFFFFFFFull) | (uint64_t{1} << 52);
  const int shift = 1051 - e;  // quantum 2^-24: value = mant * 2^(e - 1075)
  const uint64_t kept = mant >> shift;
  const uint64_t rem = mant & ((uint64_t{1} << shift) - 1u);
  const uint64_t half = uint64_t{1} << (shift - 1);
  const uint64_t r = kept + ((rem > half || (rem == half && (kept & 1u))) ? 1u : 0u);
  return static_cast<uint16_t>(sign | r);
}

float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1Fu;
  uint32_t m = h & 0x3FFu;
  uint32_t bits;
  if (e == 0x1F) {
    bits = sign | 0x7F800000u | (m << 13) | (m ? 0x400000u : 0u);  // NaN quieted
  } else if (e != 0) {
    bits = sign | ((e + 112u) << 23) | (m << 13);
  } else if (m == 0) {
    bits = sign;
  } else {
    // Subnormal: normalise into fp32.
    const int lz = std::countl_zero(m) - 22;  // leading zeros within 10 bits
    m = (m << (lz + 1)) & 0x3FFu;
    bits = sign | (static_cast<uint32_t>(113 - lz - 1) << 23) | (m << 13);
  }
  return std::bit_cast<float>(bits);
}

uint16_t fp16_add(uint16_t a, uint16_t b) {
  // fp32 holds 24 >= 2*11 + 2 bits, so rounding the sum first to fp32 and
  // then to fp16 equals a single rounding (double rounding is innocuous).
  return fp32_to_fp16(fp16_to_fp32(a) + fp16_to_fp32(b));
}

}  // namespace nibble::num
