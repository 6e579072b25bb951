#pragma once
// Deterministic pseudo-random operand codes for a GEMM op of a workload run
// (workloads carry shapes, not data). FAST and DETAILED runs feed them to the
// array so the arithmetic really runs and zero-gating energy depends on the
// data. The codes depend only on (seed, op index, shape, precision, pass):
//   int4_int4: A UINT4 activations 0..15 (PACT), B INT4 weights -8..7;
//   int4_fp4:  the FP4 gradient operand (A for dX, B for dW) any 4-bit code,
//              the other INT4/UINT4 as above;
//   hfp8:      any finite 8-bit code (1-4-3 forward, gradients 1-5-2);
//   fp16:      finite values of magnitude 2^-4..2^4, random sign.
// Each draw is uniform, so about 1/16 of the 4-bit codes are zero.
#include <cstdint>
#include <memory>

#include "hw_models/program.hpp"
#include "workloads/ir/workload.hpp"

namespace nibble::runner {

// The MacFormat of one instance of `op` (precision, FP4 side, HFP8 formats).
hw::MacFormat mac_format(const workload::Op& op);

// Operands of one instance of the op's GEMM (m x k and k x n codes).
std::shared_ptr<const hw::GemmOperands> make_operands(const workload::Op& op,
                                                      const hw::GemmShape& shape, uint64_t seed,
                                                      uint64_t op_index);

}  // namespace nibble::runner
