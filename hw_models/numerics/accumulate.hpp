#pragma once
// The MAC semantics of the MPE array.
//
// Fixed-point convention. Every product is an exact integer:
//   INT4 x INT4 : a * b                       (a, b codes in -8..15)
//   INT4 x FP4  : a * fp4_fixed(code)         where fp4_fixed = +-4^(e-1) = +-(1 << 2(e-1)),
//                 i.e. the FP4 magnitude 4^(e-4) in units of the smallest one, 4^-3 = 2^-6.
//                 In hardware: the INT4 operand shifted left by 2(e-1) bits, no multiplier.
// Products are summed in an exact two's-complement accumulator of `width`
// bits (default 32) that saturates at [-2^(w-1), 2^(w-1)-1]; each clamp
// increments an overflow counter. The array output is the accumulator times
// the combined scale, rounded ONCE to FP16 (RNE):
//   out = fp16( acc * scale * 2^exp2 )
//   INT4 x INT4: scale = s_w * s_a (fp32, computed by the scale unit), exp2 = 0
//   INT4 x FP4 : scale = s_int (fp32), exp2 = grid_exp + kFp4FixedExp2 (= -6)
// Without saturation the sum is exact and associative, so any summation
// order (tiling, SIMD, threads) gives identical bits.
//
// fp16_chunked mode (Wang et al. 2018; for studies): each product is rounded
// to FP16 (including the scale), summed with sequential FP16 adds in chunks
// of C terms (each chunk starts from +0), and the chunk sums are added
// sequentially in FP16.
#include <cstdint>
#include <span>

#include "hw_models/numerics/fp4.hpp"

namespace nibble::num {

inline constexpr int kFp4FixedExp2 = kFp4MinLog2;  // the fixed point's unit is 2^-6

constexpr int32_t fp4_fixed(uint8_t code) {
  const int e = code & 0x7;
  if (e == 0) return 0;
  const int32_t mag = int32_t{1} << (2 * (e - 1));
  return (code & 0x8u) ? -mag : mag;
}

constexpr int32_t mac_int4_int4(int8_t a, int8_t b) {
  return int32_t{a} * int32_t{b};
}
constexpr int32_t mac_int4_fp4(int8_t a, uint8_t fp4_code) {
  return int32_t{a} * fp4_fixed(fp4_code);
}

constexpr int64_t acc_max(int width) {
  return width >= 64 ? INT64_MAX : (int64_t{1} << (width - 1)) - 1;
}
constexpr int64_t acc_min(int width) {
  return width >= 64 ? INT64_MIN : -(int64_t{1} << (width - 1));
}

// The accumulator register of one PE column (width 2..64 bits).
class SaturatingAccumulator {
 public:
  explicit SaturatingAccumulator(int width = 32) : max_(acc_max(width)), min_(acc_min(width)) {}
  void add(int64_t product) {
    int64_t s;
    if (__builtin_add_overflow(value_, product, &s)) {  // only reachable at width 64
      value_ = product > 0 ? max_ : min_;
      ++overflows_;
      return;
    }
    if (s > max_) {
      s = max_;
      ++overflows_;
    } else if (s < min_) {
      s = min_;
      ++overflows_;
    }
    value_ = s;
  }
  int64_t value() const { return value_; }
  uint64_t overflows() const { return overflows_; }
  void reset() { value_ = 0; }

 private:
  int64_t max_, min_;
  int64_t value_ = 0;
  uint64_t overflows_ = 0;
};

// The sequential saturating accumulator (SaturatingAccumulator, terms in
// k order) of `lanes` outputs that share one left operand: lane c sums
// a[t] * b[t * lanes + c] for t = 0..k-1 from 0, clamping after every add.
// sums[c] gets the final value and overflows[c] the number of clamps. This is
// the path of every output whose sum can leave the accumulator's range, so it
// is vectorised across lanes (AVX-512 when the CPU has it, lanes is a
// multiple of 8 and width <= 62); otherwise lane by lane with
// SaturatingAccumulator. Equal bits either way
// (tests/numerics/misc_test.cpp). Contract: |a|, |b| < 2^24 (4- and
// 8-bit codes and FP4's fixed point are far below), so every add is exact
// in int64.
void saturating_sums(const int32_t* a, const int32_t* b, int k, int lanes, int width, int64_t* sums,
                     uint64_t* overflows);

struct OutputScale {
  float scale = 1.0f;
  int exp2 = 0;
};

// fp16(acc * scale * 2^exp2) with a single rounding (exact 128-bit product).
uint16_t round_acc_to_fp16(int64_t acc, OutputScale s);

// The same for a whole row of accumulators (AVX-512 when available: exact
// product in double, round-to-odd to fp32, then RNE to FP16, which equals a
// single rounding because fp32 keeps >= 2 extra bits; Boldo & Melquiond 2008).
void round_acc_to_fp16_bulk(std::span<const int64_t> acc, OutputScale s, std::span<uint16_t> out);

// fp16_chunked: sequential FP16 sums of terms (FP16 bits) in chunks of C.
uint16_t fp16_sum_chunked(std::span<const uint16_t> terms, int chunk);

}  // namespace nibble::num
