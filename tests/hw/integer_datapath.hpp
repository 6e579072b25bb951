#pragma once
// An independent integer datapath for testing the array's data movement
// while hw_models/numerics is not wired in: each operand code is read as a
// plain two's-complement integer of the mode's operand width (4, 4, 8, 16
// bits), except that in int4_fp4 the B code is radix-4 FP4 [1,3,0] (sign,
// 3-bit exponent code, 0 = zero, magnitude 4^(code-4)) taken in a 2^-6
// fixed-point frame so every product is an exact integer. Deliberately
// written from the format definition, not from any array code.
#include <cstdint>

#include "hw_models/mac_datapath.hpp"

namespace nibble::test {

inline int64_t sign_extend(uint16_t code, int bits) {
  const int64_t v = code & ((1u << bits) - 1u);
  return (v & (int64_t{1} << (bits - 1))) ? v - (int64_t{1} << bits) : v;
}

inline int operand_bits(Precision p) {
  switch (p) {
    case Precision::int4_int4: return 4;
    case Precision::int4_fp4: return 4;
    case Precision::hfp8: return 8;
    case Precision::fp16: return 16;
  }
  return 16;
}

// Value of the B operand in the accumulator frame.
inline int64_t decode_b(Precision p, uint16_t code) {
  if (p != Precision::int4_fp4) return sign_extend(code, operand_bits(p));
  const int e = code & 7;
  if (e == 0) return 0;
  const int64_t magnitude = int64_t{1} << (2 * (e - 4) + 6);  // 4^(e-4) * 2^6
  return (code & 8) ? -magnitude : magnitude;
}

inline int64_t decode_a(Precision p, uint16_t code) { return sign_extend(code, operand_bits(p)); }

class IntegerDatapath final : public hw::MacDatapath {
 public:
  explicit IntegerDatapath(Precision p) : precision_(p) {}
  int64_t group_sum(const hw::OperandCode* a, const hw::OperandCode* b, uint32_t k,
                    uint64_t& zero_products) const override {
    int64_t sum = 0;
    for (uint32_t i = 0; i < k; ++i) {
      const int64_t x = decode_a(precision_, a[i]), y = decode_b(precision_, b[i]);
      if (x == 0 || y == 0) ++zero_products;
      sum += x * y;
    }
    return sum;
  }
  // A stand-in for the FP16 rounding: any fixed function of the accumulator
  // exercises the output path (the real one comes from numerics).
  uint16_t round_output(int64_t acc) const override {
    const uint64_t u = static_cast<uint64_t>(acc);
    return static_cast<uint16_t>(u ^ (u >> 16) ^ (u >> 32) ^ (u >> 48));
  }

 private:
  Precision precision_;
};

}  // namespace nibble::test
