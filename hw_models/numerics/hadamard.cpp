// 16-point random Hadamard transform (see hadamard.hpp).
#include "hw_models/numerics/hadamard.hpp"

#include <cstddef>

#include "hw_models/numerics/counter_rng.hpp"

namespace nibble::num {

uint16_t hadamard_sign_mask(uint64_t seed) {
  uint16_t m = 0;
  for (int i = 0; i < kHadamardSize; ++i)
    if (counter_hash(seed, static_cast<uint64_t>(i)) >> 63) m |= static_cast<uint16_t>(1u << i);
  return m;
}

void hadamard16_inplace(std::span<float> v, uint16_t sign_mask) {
  const std::size_t runs = v.size() / kHadamardSize;
  for (std::size_t r = 0; r < runs; ++r) {
    float* x = v.data() + r * kHadamardSize;
    for (int i = 0; i < kHadamardSize; ++i)
      if ((sign_mask >> i) & 1u) x[i] = -x[i];
    for (int h = 1; h < kHadamardSize; h <<= 1)
      for (int j = 0; j < kHadamardSize; ++j)
        if ((j & h) == 0) {
          const float a = x[j], b = x[j + h];
          x[j] = a + b;
          x[j + h] = a - b;
        }
    for (int i = 0; i < kHadamardSize; ++i) x[i] *= 0.25f;
  }
}

}  // namespace nibble::num
