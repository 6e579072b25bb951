#pragma once
// The trainer side of block-scaled FP4 (mxfp4, nvfp4) that every executor
// shares (software, chip-backed, trace replay), so they cannot drift apart:
// the numerics config of a quantize op, the values the block encoder sees
// for a layout (the stored tensor or its transpose: blocks run along the
// consuming GEMM's K axis, as the hardware streams them), the stochastic-
// rounding counters, and the GEMM's orientation check. The arithmetic itself
// is numerics/block_fp4.hpp's one copy.
#include <cstdint>
#include <span>
#include <vector>

#include "workloads/trainer/executor.hpp"

namespace nibble::train {

// Block format and rounding of a quantize op: spec.rounding "stochastic"
// selects E2M1 stochastic rounding with seed spec.seed mixed with the step
// (as the radix-4 FP4 gradients do), "nearest" round-to-nearest-even.
num::BlockFp4Config block_config(const QuantSpec& spec, uint64_t step);

// x, or its transpose, row-major (the layout's rows are its K lines), into
// `scratch` (grown when too small, never shrunk, so a caller that keeps it
// allocates and zero-fills once); the view is its first x.size() elements,
// valid until scratch is next used.
std::span<float> block_values(const Mat& x, bool transposed, std::vector<float>& scratch);

// Quantizes x into one copy per layout through numerics (Hadamard included);
// layout i uses stochastic-rounding counters from i * x.size(). Used by the
// software executor; the chip runs the same calls in its LGU job.
QTensor block_qtensor(const Mat& x, Format f, const BlockLayout& layout, num::BlockFp4Tensor t);
uint64_t block_index_base(const Mat& x, size_t layout_index);

// Throws SimulationError unless both operands are the same block format and
// block size, each blocked along the GEMM's K axis: A's blocks are op(A)
// (blocks_transposed == a_trans), B's are op(B)^T (blocks_transposed == !b_trans).
void check_block_gemm(const GemmOp& op);

// Bytes of a block-scaled tensor as stored: two E2M1 codes per byte, one
// 8-bit scale per block (one per 16x16 tile when tiles_2d), NVFP4's 4-byte
// fp32 tensor scale.
uint64_t block_fp4_scale_bytes(const num::BlockFp4Tensor& t, bool tiles_2d);
uint64_t block_fp4_bytes(const num::BlockFp4Tensor& t, bool tiles_2d);

}  // namespace nibble::train
