#pragma once
// Generic IEEE-style binary floating-point formats of up to 16 bits
// (FP16, HFP8 1-4-3 and 1-5-2, and any sign/exponent/mantissa split a chip
// config asks for). One rounding core serves every format so that FP16 and
// HFP8 share the exact same round-to-nearest-even rule.
#include <cstdint>
#include <string>

namespace nibble::num {

// What the all-ones exponent field means.
enum class Specials : uint8_t {
  ieee,      // all-ones exponent: mantissa 0 = +-inf, else NaN (IEEE 754 style)
  nan_only,  // only S.1..1.1..1 is NaN; the rest of the top binade is finite (OCP E4M3FN style)
  none,      // every code is finite; NaN and inf inputs saturate (NaN -> +0)
};

// A sign-exponent-mantissa format. Value of a code with exponent field E and
// mantissa field M:
//   E == 0          : (-1)^s * M * 2^(1 - bias - man_bits)     (subnormal; 0 if !subnormals)
//   0 < E < E_top   : (-1)^s * (1 + M / 2^man_bits) * 2^(E - bias)
//   E == E_top      : per `specials`.
// Encoding rounds the exact input to the nearest representable value, ties to
// the even mantissa (RNE). A finite input whose rounded magnitude exceeds the
// largest finite value overflows: to the largest finite value if `saturate`,
// else to inf (ieee), NaN (nan_only) or the largest finite value (none).
// Infinite inputs: inf for ieee; largest finite value if saturate or none;
// NaN for nan_only without saturate.
// Without subnormals, results below the smallest normal flush to signed zero
// (rounding is done first on the subnormal grid, so a value that rounds up to
// the smallest normal survives) and subnormal codes decode to signed zero.
struct FloatFormat {
  int exp_bits = 5;   // 2..8
  int man_bits = 10;  // 0..10 (ieee specials need >= 1 so NaN differs from inf)
  int bias = 15;      // exponent bias
  Specials specials = Specials::ieee;
  bool subnormals = true;
  bool saturate = false;  // overflow clamps to the largest finite value

  int total_bits() const { return 1 + exp_bits + man_bits; }
  uint32_t sign_mask() const { return 1u << (exp_bits + man_bits); }
  uint32_t code_count() const { return 1u << total_bits(); }
  bool operator==(const FloatFormat&) const = default;
};

// Throws nibble::InputError when the format is outside the supported range.
void validate(const FloatFormat& f);
std::string describe(const FloatFormat& f);  // e.g. "1-4-3 bias 7 ieee subnormals saturate"

// Round x (or the exact value neg * mag * 2^exp2) once to the format.
uint32_t encode_float(const FloatFormat& f, float x);
uint32_t encode_double(const FloatFormat& f, double x);
// mag is the 128-bit integer hi * 2^64 + lo; exact for any magnitude: used to
// round an exact integer accumulator times a scale with a single rounding.
uint32_t encode_scaled_int(const FloatFormat& f, bool negative, uint64_t mag_hi, uint64_t mag_lo,
                           int exp2);

// Exact value of a code (every supported format fits in fp32 exactly).
float decode_float(const FloatFormat& f, uint32_t code);

bool is_nan_code(const FloatFormat& f, uint32_t code);
uint32_t nan_code(const FloatFormat& f, bool negative);  // canonical (quiet) NaN; none: +0
uint32_t max_finite_code(const FloatFormat& f, bool negative);
double max_finite(const FloatFormat& f);
double min_subnormal(const FloatFormat& f);  // smallest positive value (min normal if !subnormals)

}  // namespace nibble::num
