#pragma once
// The PE's partial-sum adder: an exact integer accumulator of a configured
// width that saturates (and counts each saturation) instead of wrapping.
// Every array model adds reduction groups in ascending K order through this
// one function, so detailed, fast and the reference agree bit for bit even
// when saturation happens (saturating addition is not associative).
#include <cstdint>

namespace nibble::hw {

class SaturatingAccumulator {
 public:
  explicit SaturatingAccumulator(uint32_t bits)
      : max_(bits >= 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1),
        min_(bits >= 64 ? INT64_MIN : -(int64_t{1} << (bits - 1))) {}

  int64_t add(int64_t partial, int64_t group, uint64_t& saturations) const {
    int64_t sum = 0;
    if (__builtin_add_overflow(partial, group, &sum)) {
      ++saturations;
      return group > 0 ? max_ : min_;
    }
    if (sum > max_) {
      ++saturations;
      return max_;
    }
    if (sum < min_) {
      ++saturations;
      return min_;
    }
    return sum;
  }

  int64_t max() const { return max_; }
  int64_t min() const { return min_; }

 private:
  int64_t max_;
  int64_t min_;
};

}  // namespace nibble::hw
