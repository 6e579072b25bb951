#pragma once
// Counter-based random numbers for stochastic rounding: the draw for element
// `index` under `seed` is a pure function of (seed, index), so results do not
// depend on thread count, tiling or evaluation order, and no RNG state is
// carried around (no global mutable state).
//   h = mix(mix(seed ^ 0x6A09E667F3BCC909) + index * 0x9E3779B97F4A7C15)
// with mix() the splitmix64 finaliser; the uniform is (h >> 11) * 2^-53.
#include <cstdint>

namespace nibble::num {

constexpr uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr uint64_t counter_hash(uint64_t seed, uint64_t index) {
  return splitmix64_mix(splitmix64_mix(seed ^ 0x6A09E667F3BCC909ull) +
                        index * 0x9E3779B97F4A7C15ull);
}

// Uniform in [0, 1) with 53 random bits.
constexpr double counter_uniform(uint64_t seed, uint64_t index) {
  return static_cast<double>(counter_hash(seed, index) >> 11) * 0x1.0p-53;
}

}  // namespace nibble::num
