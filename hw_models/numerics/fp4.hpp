#pragma once
// Radix-4 FP4 [1,3,0] gradients (Sun et al., NeurIPS 2020).
// Code layout (4 bits): bit 3 = sign, bits 2..0 = exponent field e.
//   e == 0      : zero (code 0; code 8 is "-0", decodes to zero, never produced)
//   e = 1..7    : magnitude 4^(e-4) in {4^-3 .. 4^3}
// Value = (-1)^s * 4^(e-4) * 2^grid_exp, where
//   grid_exp = gradscale_exp                         (phase even: grid {4^k})
//   grid_exp = gradscale_exp + odd_phase_shift (=1)  (phase odd:  grid {2*4^k})
// i.e. the odd phase is the same code with the scale register doubled (TPR).
//
// Nearest rounding (linear domain), with y = |x| * 2^-grid_exp (exact):
//   y <  0.5 * 4^-3             -> 0           (underflow)
//   y in [2.5*4^(k-1), 2.5*4^k) -> 4^k         (k = -2..2; threshold = linear midpoint)
//   y >= 2.5 * 4^2 = 40         -> 4^3         (saturation, incl. +-inf)
//   [0.5*4^-3, 2.5*4^-3)        -> 4^-3
// Ties (y exactly on a threshold) go to the larger magnitude. NaN -> code 0.
// Stochastic rounding: between the neighbouring grid points lo < y < hi
// (lo = 0 below 4^-3) round up with probability (y - lo) / (hi - lo), using
// counter_uniform(seed, index); y >= 4^3 saturates. Unbiased inside the range.
#include <cstdint>
#include <span>

namespace nibble::num {

enum class TprPhase : uint8_t { even, odd };
enum class Rounding : uint8_t { nearest, stochastic };

struct Fp4Config {
  int odd_phase_shift = 1;  // grid_exp offset of the odd phase (scale register x2)
  Rounding rounding = Rounding::nearest;
  uint64_t seed = 0;  // stochastic rounding seed
};

inline constexpr int kFp4MaxExpField = 7;
inline constexpr int kFp4MinLog2 = -6;  // log2 of the smallest magnitude 4^-3
inline constexpr int kFp4MaxLog2 = 6;   // log2 of the largest magnitude 4^3

inline int fp4_grid_exp(int gradscale_exp, TprPhase phase, const Fp4Config& c = {}) {
  return gradscale_exp + (phase == TprPhase::odd ? c.odd_phase_shift : 0);
}

constexpr bool fp4_negative(uint8_t code) {
  return (code & 0x8u) != 0;
}
constexpr int fp4_exp_field(uint8_t code) {
  return code & 0x7;
}
constexpr bool fp4_is_zero(uint8_t code) {
  return (code & 0x7u) == 0;
}

uint8_t fp4_encode_nearest(float x, int grid_exp);
uint8_t fp4_encode_stochastic(float x, int grid_exp, uint64_t seed, uint64_t index);
// Exact decoded value: (-1)^s * 2^(2(e-4) + grid_exp).
double fp4_decode(uint8_t code, int grid_exp);

// Per-tensor counts the log-domain gradient unit reports (for GradScale).
struct Fp4Counts {
  uint64_t total = 0;
  uint64_t saturated = 0;  // |x| * 2^-grid_exp > 4^3 (clipped)
  uint64_t underflow = 0;  // x != 0 quantized to 0
  double max_abs = 0;      // max |x| seen (for the max GradScale mode)
};

// Quantize with the configured rounding; index is the element's position in
// the tensor (the stochastic counter). Updates counts if non-null.
uint8_t fp4_encode(float x, int grid_exp, const Fp4Config& c, uint64_t index,
                   Fp4Counts* counts = nullptr);

}  // namespace nibble::num
