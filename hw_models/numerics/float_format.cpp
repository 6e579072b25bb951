// One rounding core for every binary floating-point format: the exact input
// is an integer magnitude times a power of two, rounded once to the target
// grid with integer arithmetic (no floating-point rounding involved).
#include "hw_models/numerics/float_format.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "hw_models/numerics/errors.hpp"

namespace nibble::num {
namespace {

__extension__ typedef unsigned __int128 u128;

int top_exp_field(const FloatFormat& f) {
  return (1 << f.exp_bits) - 1;
}
uint32_t man_mask(const FloatFormat& f) {
  return (1u << f.man_bits) - 1u;
}

// Largest finite exponent field and the largest mantissa at it.
int max_finite_exp_field(const FloatFormat& f) {
  return f.specials == Specials::ieee ? top_exp_field(f) - 1 : top_exp_field(f);
}
uint32_t max_finite_mantissa(const FloatFormat& f) {
  return f.specials == Specials::nan_only ? man_mask(f) - 1u : man_mask(f);
}

uint32_t inf_code(const FloatFormat& f, bool neg) {
  return (neg ? f.sign_mask() : 0u) | (static_cast<uint32_t>(top_exp_field(f)) << f.man_bits);
}

uint32_t overflow_code(const FloatFormat& f, bool neg) {
  if (f.saturate || f.specials == Specials::none) return max_finite_code(f, neg);
  if (f.specials == Specials::ieee) return inf_code(f, neg);
  return nan_code(f, neg);
}

int bit_width128(u128 v) {
  const auto hi = static_cast<uint64_t>(v >> 64);
  if (hi) return 64 + std::bit_width(hi);
  return std::bit_width(static_cast<uint64_t>(v));
}

}  // namespace

void validate(const FloatFormat& f) {
  if (f.exp_bits < 2 || f.exp_bits > 8)
    throw InputError("float format: exp_bits must be 2..8, found " + std::to_string(f.exp_bits));
  if (f.man_bits < 0 || f.man_bits > 10)
    throw InputError("float format: man_bits must be 0..10, found " + std::to_string(f.man_bits));
  if (f.specials == Specials::ieee && f.man_bits < 1)
    throw InputError("float format: ieee specials need man_bits >= 1 (NaN must differ from inf)");
  if (f.specials == Specials::nan_only && f.man_bits < 1)
    throw InputError("float format: nan_only specials need man_bits >= 1");
  // Every value must be an exact, normal-or-subnormal fp32 number.
  const int emax = max_finite_exp_field(f) - f.bias;
  const int emin = 1 - f.bias - f.man_bits;
  if (emax > 127 || emin < -149)
    throw InputError("float format: bias " + std::to_string(f.bias) +
                     " puts values outside fp32's range");
}

std::string describe(const FloatFormat& f) {
  static constexpr const char* kSpecials[] = {"ieee", "nan_only", "none"};
  return "1-" + std::to_string(f.exp_bits) + "-" + std::to_string(f.man_bits) + " bias " +
         std::to_string(f.bias) + " " + kSpecials[static_cast<int>(f.specials)] +
         (f.subnormals ? " subnormals" : " ftz") +
         (f.saturate ? " saturate" : " overflow-to-special");
}

uint32_t nan_code(const FloatFormat& f, bool neg) {
  const uint32_t s = neg ? f.sign_mask() : 0u;
  switch (f.specials) {
    case Specials::ieee:
      return inf_code(f, neg) | (1u << (f.man_bits - 1));
    case Specials::nan_only:
      return s | (static_cast<uint32_t>(top_exp_field(f)) << f.man_bits) | man_mask(f);
    case Specials::none:
      return 0;
  }
  return 0;
}

uint32_t max_finite_code(const FloatFormat& f, bool neg) {
  return (neg ? f.sign_mask() : 0u) |
         (static_cast<uint32_t>(max_finite_exp_field(f)) << f.man_bits) | max_finite_mantissa(f);
}

bool is_nan_code(const FloatFormat& f, uint32_t code) {
  const uint32_t e = (code >> f.man_bits) & static_cast<uint32_t>(top_exp_field(f));
  const uint32_t m = code & man_mask(f);
  if (e != static_cast<uint32_t>(top_exp_field(f))) return false;
  if (f.specials == Specials::ieee) return m != 0;
  if (f.specials == Specials::nan_only) return m == man_mask(f);
  return false;
}

double max_finite(const FloatFormat& f) {
  return decode_float(f, max_finite_code(f, false));
}
double min_subnormal(const FloatFormat& f) {
  return std::ldexp(1.0, f.subnormals ? 1 - f.bias - f.man_bits : 1 - f.bias);
}

uint32_t encode_scaled_int(const FloatFormat& f, bool neg, uint64_t mag_hi, uint64_t mag_lo,
                           int exp2) {
  const uint32_t sign = neg ? f.sign_mask() : 0u;
  const u128 mag = (static_cast<u128>(mag_hi) << 64) | mag_lo;
  if (mag == 0) return sign;
  const int emin = 1 - f.bias;                  // exponent of the smallest normal
  const int ex = bit_width128(mag) - 1 + exp2;  // value in [2^ex, 2^(ex+1))
  if (ex > max_finite_exp_field(f) - f.bias + 1) return overflow_code(f, neg);
  int q = (ex > emin ? ex : emin) - f.man_bits;  // quantum of the target binade
  // r = round_half_even(mag * 2^(exp2 - q)); r < 2^(man_bits + 1) + 1.
  u128 r;
  if (q <= exp2) {
    r = mag << (exp2 - q);  // exact; shift is small because ex - q <= man_bits
  } else {
    const int s = q - exp2;
    if (s > 128) {
      r = 0;  // value < 2^(q-1)... far below half a quantum
    } else {
      const u128 kept = s == 128 ? 0 : mag >> s;
      const u128 rem = s == 128 ? mag : mag - (kept << s);
      const u128 half = static_cast<u128>(1) << (s - 1);
      r = kept;
      if (rem > half || (rem == half && (kept & 1u))) ++r;
    }
  }
  if (r >> (f.man_bits + 1)) {  // rounding carried into the next binade
    r >>= 1;
    ++q;
  }
  const auto rr = static_cast<uint32_t>(r);
  const uint32_t hidden = 1u << f.man_bits;
  if (rr < hidden) {  // subnormal (or zero): q == emin - man_bits
    if (!f.subnormals || rr == 0) return sign;
    return sign | rr;
  }
  const int efield = q + f.man_bits + f.bias;
  const uint32_t m = rr - hidden;
  if (efield > max_finite_exp_field(f) ||
      (efield == max_finite_exp_field(f) && m > max_finite_mantissa(f)))
    return overflow_code(f, neg);
  return sign | (static_cast<uint32_t>(efield) << f.man_bits) | m;
}

uint32_t encode_double(const FloatFormat& f, double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const bool neg = (bits >> 63) != 0;
  const int e = static_cast<int>((bits >> 52) & 0x7FF);
  uint64_t m = bits & ((uint64_t{1} << 52) - 1);
  if (e == 0x7FF) {
    if (m != 0) return nan_code(f, neg);
    if (f.specials == Specials::ieee) return inf_code(f, neg);
    return (f.saturate || f.specials == Specials::none) ? max_finite_code(f, neg)
                                                        : nan_code(f, neg);
  }
  int exp2;
  if (e == 0) {
    exp2 = -1074;
  } else {
    m |= uint64_t{1} << 52;
    exp2 = e - 1075;
  }
  return encode_scaled_int(f, neg, 0, m, exp2);
}

uint32_t encode_float(const FloatFormat& f, float x) {
  return encode_double(f, static_cast<double>(x));
}

float decode_float(const FloatFormat& f, uint32_t code) {
  const bool neg = (code & f.sign_mask()) != 0;
  const int e = static_cast<int>((code >> f.man_bits) & static_cast<uint32_t>(top_exp_field(f)));
  const uint32_t m = code & man_mask(f);
  float v;
  if (is_nan_code(f, code)) {
    v = std::numeric_limits<float>::quiet_NaN();
  } else if (f.specials == Specials::ieee && e == top_exp_field(f)) {
    v = std::numeric_limits<float>::infinity();
  } else if (e == 0) {
    v = f.subnormals ? std::ldexp(static_cast<float>(m), 1 - f.bias - f.man_bits) : 0.0f;
  } else {
    v = std::ldexp(static_cast<float>(m | (1u << f.man_bits)), e - f.bias - f.man_bits);
  }
  return neg ? -v : v;
}

}  // namespace nibble::num
