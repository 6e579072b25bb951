#pragma once
// An independent, table-driven reference for binary float formats: every
// code's value is computed from the textbook formula in double, the finite
// values are sorted, and an input is rounded by searching the table and
// comparing 2|x| with lo + hi (exact in double). Shares no code with
// hw_models/numerics/float_format.cpp.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "hw_models/numerics/float_format.hpp"

namespace nibble::num::test {

class RefFormat {
 public:
  explicit RefFormat(const FloatFormat& f) : f_(f) {
    const uint32_t n = 1u << (f.exp_bits + f.man_bits);  // positive codes
    const uint32_t top = (1u << f.exp_bits) - 1;
    for (uint32_t c = 0; c < n; ++c) {
      const uint32_t e = c >> f.man_bits, m = c & ((1u << f.man_bits) - 1);
      const bool special =
          (f.specials == Specials::ieee && e == top) ||
          (f.specials == Specials::nan_only && e == top && m == (1u << f.man_bits) - 1);
      if (special) continue;
      double v;
      if (e == 0)
        v = std::ldexp(double(m), 1 - f.bias - f.man_bits);  // FTZ is applied after rounding
      else
        v = std::ldexp(double((1u << f.man_bits) + m), int(e) - f.bias - f.man_bits);
      entries_.push_back({v, c});
    }
    std::sort(entries_.begin(), entries_.end(), [](auto& a, auto& b) { return a.value < b.value; });
    const auto& last = entries_.back();
    const uint32_t lm = last.code & ((1u << f.man_bits) - 1), le = last.code >> f.man_bits;
    const double ulp = std::ldexp(1.0, int(le) - f.bias - f.man_bits);
    virtual_ = last.value + ulp;
    virtual_even_ = ((lm + 1) & 1u) == 0;
  }

  double value(uint32_t code) const {
    const uint32_t mag = code & ~f_.sign_mask();
    const double z = (code & f_.sign_mask()) ? -0.0 : 0.0;
    if (!f_.subnormals && (mag >> f_.man_bits) == 0) return z;
    for (auto& en : entries_)
      if (en.code == mag) return (code & f_.sign_mask()) ? -en.value : en.value;
    return NAN;
  }

  uint32_t encode(double x) const {
    const uint32_t c = encode_with_subnormals(x);
    const bool subnormal = ((c >> f_.man_bits) & ((1u << f_.exp_bits) - 1)) == 0;
    if (!f_.subnormals && subnormal) return c & f_.sign_mask();
    return c;
  }

  uint32_t encode_with_subnormals(double x) const {
    const uint32_t sign = std::signbit(x) ? f_.sign_mask() : 0u;
    const uint32_t top = (1u << f_.exp_bits) - 1;
    const uint32_t inf = sign | (top << f_.man_bits);
    const uint32_t maxc = sign | entries_.back().code;
    if (std::isnan(x)) {
      if (f_.specials == Specials::ieee) return inf | (1u << (f_.man_bits - 1));
      if (f_.specials == Specials::nan_only)
        return sign | (top << f_.man_bits) | ((1u << f_.man_bits) - 1);
      return 0;
    }
    auto overflow = [&] {
      if (f_.saturate || f_.specials == Specials::none) return maxc;
      if (f_.specials == Specials::ieee) return inf;
      return sign | (top << f_.man_bits) | ((1u << f_.man_bits) - 1);
    };
    const double ax = std::fabs(x);
    if (std::isinf(x)) return f_.specials == Specials::ieee ? inf : overflow();
    // Find lo <= ax < hi among the table plus the virtual value above max.
    auto it = std::upper_bound(entries_.begin(), entries_.end(), ax,
                               [](double v, auto& en) { return v < en.value; });
    if (it == entries_.end()) {
      if (ax == entries_.back().value) return maxc;  // unreachable: upper_bound is past equal
      const double lo = entries_.back().value;
      const double two = 2 * ax, mid2 = lo + virtual_;
      if (two < mid2 || (two == mid2 && !virtual_even_)) return maxc;
      return overflow();
    }
    const auto& hi = *it;
    const auto& lo = *(it - 1);
    const double two = 2 * ax, mid2 = lo.value + hi.value;
    uint32_t c;
    if (two < mid2)
      c = lo.code;
    else if (two > mid2)
      c = hi.code;
    else
      c = (lo.code & 1u) == 0 ? lo.code : hi.code;  // tie: even mantissa
    return sign | c;
  }

  double max_value() const { return entries_.back().value; }
  const FloatFormat& format() const { return f_; }

 private:
  struct Entry {
    double value;
    uint32_t code;
  };
  FloatFormat f_;
  std::vector<Entry> entries_;
  double virtual_;
  bool virtual_even_;
};

}  // namespace nibble::num::test
