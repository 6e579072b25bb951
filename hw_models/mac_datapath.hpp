#pragma once
// The arithmetic of one PE of the MPE array: the products of one reduction
// group (k consecutive elements of K, k = MACs per PE per cycle) summed
// exactly, and the single FP16 rounding at the array's output edge.
//
// The array models (detailed and fast) call ONLY this interface, so the
// numbers come from hw_models/numerics and never from the timing code: the
// production datapath per precision mode is built by make_mac_datapath(),
// which is the one place wired to the numerics API. The saturating
// accumulator itself (its width and where it saturates) is hardware and
// lives in the array (mac_accumulator.hpp).
#include <cstdint>
#include <memory>

#include "hw_models/numerics/precision.hpp"

namespace nibble::hw {

// An operand as it sits in a PE register: the raw code of its format
// (4-bit INT4/FP4 codes, 8-bit HFP8, 16-bit FP16), right-aligned.
using OperandCode = uint16_t;

class MacDatapath {
 public:
  virtual ~MacDatapath() = default;

  // Exact sum of a[i] * b[i] for i < k, in the accumulator's fixed-point
  // frame of this precision mode. `a` is the A operand (weights or
  // activations in the forward pass), `b` the B operand, in that role even
  // when the dataflow keeps B stationary. `zero_products` is incremented by
  // the number of products with a zero operand (zero-gated: no switching).
  virtual int64_t group_sum(const OperandCode* a, const OperandCode* b, uint32_t k,
                            uint64_t& zero_products) const = 0;

  // FP16 bits of an accumulator value: the one rounding on the way out.
  virtual uint16_t round_output(int64_t accumulator) const = 0;
};

// The chip's datapath for a precision mode, from hw_models/numerics.
// Throws SimulationError for a mode whose numerics are not available.
std::shared_ptr<const MacDatapath> make_mac_datapath(Precision precision);

}  // namespace nibble::hw
