#pragma once
// The 16-point random Hadamard transform (RHT) of NVIDIA's NVFP4 recipe
// (arXiv 2509.25149 section 4.2; TransformerEngine reference_nvfp4.py
// _apply_rht): each run of 16 consecutive elements along K is replaced by
//   y = (1/4) * H16 * (s . x)
// with H16 the Sylvester Hadamard matrix (H_ij = (-1)^popcount(i & j)) and
// s a +-1 sign vector. Computed as an in-place fast Walsh-Hadamard
// transform in fp32: stages h = 1, 2, 4, 8, each pair (v[j], v[j+h]) for
// j with bit h clear becomes (v[j] + v[j+h], v[j] - v[j+h]) (fp32 adds),
// then each element times 0.25f (fp32). H16 / 4 is orthonormal and its own
// inverse, so applying it to both operands of a GEMM along K leaves the
// exact product unchanged; only the quantization sees the spread values.
// Sign bit i of `sign_mask` set means s_i = -1.
#include <cstdint>
#include <span>

namespace nibble::num {

inline constexpr int kHadamardSize = 16;
// TransformerEngine's fixed wgrad sign vector get_wgrad_sign_vector():
// {+,+,+,-,+,-,-,-,-,-,-,+,-,+,-,-}.
inline constexpr uint16_t kTeWgradSignMask = 0xD7E8;

// A seeded sign vector: s_i = -1 iff bit 63 of counter_hash(seed, i) is set.
uint16_t hadamard_sign_mask(uint64_t seed);

// Transforms v (size a multiple of 16 is not required: a trailing run shorter
// than 16 is left unchanged, on both GEMM operands alike) in place.
// Vectorised where the CPU allows; the same bits as hadamard16_inplace_ref,
// the scalar code written as the text above.
void hadamard16_inplace(std::span<float> v, uint16_t sign_mask);
void hadamard16_inplace_ref(std::span<float> v, uint16_t sign_mask);

}  // namespace nibble::num
