// Output rounding of the exact accumulator and FP16 chunked summation.
#include "hw_models/numerics/accumulate.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "hw_models/numerics/fp16.hpp"

namespace nibble::num {

uint16_t round_acc_to_fp16(int64_t acc, OutputScale s) {
  const uint32_t sb = std::bit_cast<uint32_t>(s.scale);
  const bool scale_neg = (sb >> 31) != 0;
  const int se = static_cast<int>((sb >> 23) & 0xFF);
  uint64_t sm = sb & 0x7FFFFFu;
  const bool neg = (acc < 0) != scale_neg;
  if (se == 0xFF) {  // inf or NaN scale: IEEE product rules
    if (sm != 0 || acc == 0) return 0x7E00u;
    return static_cast<uint16_t>((neg ? 0x8000u : 0u) | 0x7C00u);
  }
  int exp2;
  if (se == 0) {
    exp2 = -149;
  } else {
    sm |= 0x800000u;
    exp2 = se - 150;
  }
  // |acc| as unsigned (INT64_MIN safe), times the 24-bit significand: exact in 128 bits.
  const uint64_t mag = acc < 0 ? 0 - static_cast<uint64_t>(acc) : static_cast<uint64_t>(acc);
  __extension__ typedef unsigned __int128 u128;
  const u128 p = static_cast<u128>(mag) * sm;
  return static_cast<uint16_t>(encode_scaled_int(kFp16, neg, static_cast<uint64_t>(p >> 64),
                                                 static_cast<uint64_t>(p), exp2 + s.exp2));
}

uint16_t fp16_sum_chunked(std::span<const uint16_t> terms, int chunk) {
  if (chunk < 1) chunk = 1;
  uint16_t total = 0;
  for (std::size_t start = 0; start < terms.size(); start += static_cast<std::size_t>(chunk)) {
    uint16_t part = 0;
    const std::size_t end = std::min(terms.size(), start + static_cast<std::size_t>(chunk));
    for (std::size_t k = start; k < end; ++k) part = fp16_add(part, terms[k]);
    total = fp16_add(total, part);
  }
  return total;
}

}  // namespace nibble::num
