#pragma once
// Two 4-bit codes per byte. Nibble order (little-endian, as ONNX INT4 and
// GGML): element 2i in the LOW nibble (bits 3..0), element 2i+1 in the HIGH
// nibble (bits 7..4). An odd count leaves the last high nibble 0.
// Signed INT4 codes are stored as 4-bit two's complement (-8..7); UINT4 and
// FP4 codes as-is (0..15).
#include <cstdint>
#include <span>

namespace nibble::num {

constexpr uint8_t pack_nibbles(uint8_t lo, uint8_t hi) {
  return static_cast<uint8_t>((lo & 0xFu) | ((hi & 0xFu) << 4));
}
constexpr uint8_t low_nibble(uint8_t b) {
  return b & 0xFu;
}
constexpr uint8_t high_nibble(uint8_t b) {
  return static_cast<uint8_t>(b >> 4);
}
constexpr int8_t sign_extend4(uint8_t nib) {
  return static_cast<int8_t>((nib & 0x7) - (nib & 0x8));
}

inline std::size_t packed_bytes(std::size_t n) {
  return (n + 1) / 2;
}

// Throw nibble::InputError if out has the wrong size or a code does not fit.
void pack_int4(std::span<const int8_t> codes, std::span<uint8_t> out);     // codes -8..7
void pack_uint4(std::span<const uint8_t> codes, std::span<uint8_t> out);   // codes 0..15
void unpack_int4(std::span<const uint8_t> packed, std::span<int8_t> out);  // out.size() = n
void unpack_uint4(std::span<const uint8_t> packed, std::span<uint8_t> out);

}  // namespace nibble::num
