#pragma once
// Names of the number formats, tensor roles, passes and TPR phases that an
// executor op carries. The arithmetic of each format lives in
// hw_models/numerics; these are only labels with stable spellings (they
// appear in traces and recipes).
#include <cstdint>
#include <string>
#include <string_view>

namespace nibble::train {

enum class Format : uint8_t {
  fp32,        // no quantization (the reference)
  fp16,        // IEEE binary16
  hfp8_143,    // HFP8 forward: 1 sign, 4 exponent, 3 mantissa bits
  hfp8_152,    // HFP8 backward: 1 sign, 5 exponent, 2 mantissa bits
  int4,        // signed symmetric codes -7..7 times a per-tensor scale
  uint4,       // unsigned codes 0..15 times a per-tensor scale (PACT)
  fp4_radix4,  // [1,3,0] radix-4 gradient codes times GradScale
  mxfp4,       // OCP MXFP4: E2M1 codes, one E8M0 scale per block along K
  nvfp4,       // NVIDIA NVFP4: E2M1 codes, one UE4M3 scale per block, fp32 tensor scale
};

// Whether f is a block-scaled FP4 format (mxfp4, nvfp4).
constexpr bool is_block_fp4(Format f) {
  return f == Format::mxfp4 || f == Format::nvfp4;
}

enum class Role : uint8_t { weight, activation, gradient };
enum class Pass : uint8_t { forward, grad_input, grad_weight, update };
enum class Phase : uint8_t { none, even, odd };

std::string_view to_string(Format f);
std::string_view to_string(Role r);
std::string_view to_string(Pass p);
std::string_view to_string(Phase p);
// Inverse of to_string; throw InputError naming `where` on unknown names.
Format format_from_string(std::string_view s, const std::string& where);
Role role_from_string(std::string_view s, const std::string& where);
Pass pass_from_string(std::string_view s, const std::string& where);
Phase phase_from_string(std::string_view s, const std::string& where);

// Bits per stored code (32 for fp32, which stores values instead of codes).
int format_bits(Format f);

}  // namespace nibble::train
