#pragma once
// The arithmetic of one PE of the MPE array in each precision mode, wired to
// hw_models/numerics (accumulate.hpp, fp4.hpp, fp16.hpp, hfp8.hpp) so that
// the simulated chip computes exactly what the numerics reference GEMMs
// (numerics/gemm_ref.hpp) define:
//   INT4 x INT4, INT4 x FP4 : exact integer products added ONE AT A TIME, in
//                             ascending K order, into a saturating accumulator
//                             of accumulator_bits (num::SaturatingAccumulator);
//                             out = fp16(acc * scale * 2^exp2), one rounding.
//   HFP8, FP16              : products exact in fp32, sequential fp32 adds in
//                             K order; out = fp16(sum * scale), one rounding.
//   MXFP4, NVFP4            : (2a)(2b) integer products summed exactly over a
//                             K block; at the block's last element the sum
//                             times both block scales (exact) is added to an
//                             fp32 sum; out = fp16(sum * alpha), alpha the
//                             product of the NVFP4 tensor scales (scale)
//                             (numerics/block_fp4.hpp gemm_block_fp4_ref).
// A PE with k MACs per cycle applies k consecutive products of the reduction
// in one clock; the array models guarantee every output sees its products in
// ascending K order whatever the dataflow, which is what makes DETAILED,
// FAST and the reference agree bit for bit even when saturation happens.
//
// The accumulator is an opaque 64-bit word to the array: an int64 for the
// integer modes, the bits of an fp32 sum for the float modes (0 is the
// initial value in both); the block-scaled modes keep the fp32 sum in the
// low 32 bits and the open block's integer sum in the high 32 (zero after a
// block's last element, so a finished word reads like a float mode's).
#include <cstdint>
#include <memory>

#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/float_format.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "hw_models/numerics/precision.hpp"

namespace nibble::hw {

// An operand as it sits in a PE register, right-aligned in 16 bits:
// INT4/UINT4: the int8 value -8..15 as two's complement (static_cast from int8_t);
// FP4: the 4-bit code; HFP8: the 8-bit code; FP16: the binary16 bits.
using OperandCode = uint16_t;

inline OperandCode int4_operand(int8_t value) {
  return static_cast<OperandCode>(static_cast<int16_t>(value));
}

// A block-scaled FP4 operand (mxfp4, nvfp4): bits 3..0 the E2M1 code, bits
// 11..4 its block's scale code (E8M0, or UE4M3 in 7 bits), bit 15 set on the
// last element of a K block (A and B have the same blocks along K). The PE
// reads the scales from the operand registers beside the codes, so a block
// needs no side channel: the scale unit writes them once per block.
inline constexpr OperandCode kBlockEndFlag = 0x8000;
inline OperandCode block_fp4_operand(uint8_t e2m1, uint8_t scale_code, bool block_end) {
  return static_cast<OperandCode>((e2m1 & 0xFu) | (OperandCode{scale_code} << 4) |
                                  (block_end ? kBlockEndFlag : 0));
}

// Which operand carries radix-4 FP4 gradient codes in int4_fp4 mode
// (dX = dY * W and dW = dY^T * X have it in A).
enum class Fp4Operand : uint8_t { a, b };

// Everything about a GEMM's number formats the datapath needs.
struct MacFormat {
  Precision precision = Precision::int4_int4;
  Fp4Operand fp4_operand = Fp4Operand::a;
  num::FloatFormat hfp8_a = num::kHfp8Fwd143;  // HFP8 formats of A and B (1-5-2 for gradients)
  num::FloatFormat hfp8_b = num::kHfp8Fwd143;
  num::OutputScale output_scale;  // from the scale registers; float modes use .scale only
  uint32_t block_size = 32;       // mxfp4/nvfp4: K elements per scale block (16 or 32)
};

// Data-dependent events of the PEs (energy and accuracy counters).
struct MacEvents {
  uint64_t zero_products = 0;  // products with a zero operand (zero-gated)
  uint64_t saturations = 0;    // accumulator clamps (integer modes)
};

class MacDatapath {
 public:
  virtual ~MacDatapath() = default;
  // One PE clock: acc + a[0]*b[0] + ... + a[k-1]*b[k-1], added in that order.
  // `a` is always the A operand and `b` the B operand, whichever is stationary.
  virtual int64_t mac(int64_t acc, const OperandCode* a, const OperandCode* b, uint32_t k,
                      MacEvents& events) const = 0;
  // FP16 bits of a final accumulator: the single rounding at the output edge.
  virtual uint16_t round_output(int64_t acc) const = 0;
  // Whether an A / B operand code has value zero (its products are gated).
  virtual bool a_is_zero(OperandCode a) const = 0;
  virtual bool b_is_zero(OperandCode b) const = 0;
};

std::unique_ptr<const MacDatapath> make_mac_datapath(const MacFormat& format,
                                                     uint32_t accumulator_bits);

}  // namespace nibble::hw
