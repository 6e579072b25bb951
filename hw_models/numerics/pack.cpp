// Nibble packing (order in pack.hpp).
#include "hw_models/numerics/pack.hpp"

#include <string>

#include "hw_models/numerics/errors.hpp"

namespace nibble::num {
namespace {
void check_packed(std::size_t n, std::size_t bytes) {
  if (bytes != packed_bytes(n))
    throw InputError("pack: " + std::to_string(n) + " codes need " +
                     std::to_string(packed_bytes(n)) + " bytes, buffer has " +
                     std::to_string(bytes));
}
}  // namespace

void pack_int4(std::span<const int8_t> codes, std::span<uint8_t> out) {
  check_packed(codes.size(), out.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < -8 || codes[i] > 7)
      throw InputError("pack_int4: code " + std::to_string(codes[i]) + " at " + std::to_string(i) +
                       " is outside -8..7");
    const auto nib = static_cast<uint8_t>(codes[i] & 0xF);
    out[i / 2] = (i % 2 == 0) ? nib : pack_nibbles(low_nibble(out[i / 2]), nib);
  }
}

void pack_uint4(std::span<const uint8_t> codes, std::span<uint8_t> out) {
  check_packed(codes.size(), out.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] > 15)
      throw InputError("pack_uint4: code " + std::to_string(codes[i]) + " at " + std::to_string(i) +
                       " is outside 0..15");
    out[i / 2] = (i % 2 == 0) ? codes[i] : pack_nibbles(low_nibble(out[i / 2]), codes[i]);
  }
}

void unpack_int4(std::span<const uint8_t> packed, std::span<int8_t> out) {
  check_packed(out.size(), packed.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = sign_extend4(i % 2 == 0 ? low_nibble(packed[i / 2]) : high_nibble(packed[i / 2]));
}

void unpack_uint4(std::span<const uint8_t> packed, std::span<uint8_t> out) {
  check_packed(out.size(), packed.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = i % 2 == 0 ? low_nibble(packed[i / 2]) : high_nibble(packed[i / 2]);
}

}  // namespace nibble::num
