// Radix-4 FP4 quantization in the linear domain (see fp4.hpp for the rule).
#include "hw_models/numerics/fp4.hpp"

#include <cmath>

#include "hw_models/numerics/counter_rng.hpp"

namespace nibble::num {
namespace {

// Magnitude of exponent field e (1..7) on the unit grid: 4^(e-4).
double grid_mag(int e) {
  return std::ldexp(1.0, 2 * (e - 4));
}

uint8_t make_code(bool neg, int e) {
  return static_cast<uint8_t>((neg && e ? 0x8 : 0x0) | e);
}

// Nearest exponent field for y = |x| * 2^-grid_exp (y >= 0, not NaN).
int nearest_field(double y) {
  if (y < 0.5 * grid_mag(1)) return 0;
  int e = 1;
  // threshold between 4^(e-4) and 4^(e-3) is 2.5 * 4^(e-4); ties go up.
  while (e < kFp4MaxExpField && y >= 2.5 * grid_mag(e)) ++e;
  return e;
}

}  // namespace

uint8_t fp4_encode_nearest(float x, int grid_exp) {
  if (std::isnan(x)) return 0;
  const double y = std::ldexp(std::fabs(static_cast<double>(x)), -grid_exp);
  return make_code(std::signbit(x), nearest_field(y));
}

uint8_t fp4_encode_stochastic(float x, int grid_exp, uint64_t seed, uint64_t index) {
  if (std::isnan(x)) return 0;
  const double y = std::ldexp(std::fabs(static_cast<double>(x)), -grid_exp);
  if (y >= grid_mag(kFp4MaxExpField)) return make_code(std::signbit(x), kFp4MaxExpField);
  // lo = largest grid point <= y (field e_lo), hi = next one.
  int e_lo = 0;
  while (e_lo < kFp4MaxExpField && y >= grid_mag(e_lo + 1)) ++e_lo;
  const double lo = e_lo == 0 ? 0.0 : grid_mag(e_lo);
  const double hi = grid_mag(e_lo + 1);
  if (y == lo) return make_code(std::signbit(x), e_lo);
  const double p_up = (y - lo) / (hi - lo);
  const bool up = counter_uniform(seed, index) < p_up;
  return make_code(std::signbit(x), up ? e_lo + 1 : e_lo);
}

double fp4_decode(uint8_t code, int grid_exp) {
  const int e = fp4_exp_field(code);
  if (e == 0) return 0.0;
  const double v = std::ldexp(1.0, 2 * (e - 4) + grid_exp);
  return fp4_negative(code) ? -v : v;
}

uint8_t fp4_encode(float x, int grid_exp, const Fp4Config& c, uint64_t index, Fp4Counts* counts) {
  const uint8_t code = c.rounding == Rounding::stochastic
                           ? fp4_encode_stochastic(x, grid_exp, c.seed, index)
                           : fp4_encode_nearest(x, grid_exp);
  if (counts) {
    ++counts->total;
    const double ax = std::fabs(static_cast<double>(x));
    if (!std::isnan(x)) {
      if (ax > counts->max_abs) counts->max_abs = ax;
      if (std::ldexp(ax, -grid_exp) > grid_mag(kFp4MaxExpField)) ++counts->saturated;
      if (ax != 0.0 && fp4_is_zero(code)) ++counts->underflow;
    }
  }
  return code;
}

}  // namespace nibble::num
