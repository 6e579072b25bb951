#pragma once
// Block-scaled FP4 tensors: MXFP4 (E2M1 elements, one E8M0 scale per block
// of 32, OCP MX v1.0) and NVFP4 (E2M1 elements, one UE4M3 scale per block of
// 16, times an fp32 tensor scale). docs/numerics.md section 10 is the spec.
//
// A tensor is a rows x cols matrix quantized in blocks along its rows (the
// GEMM's K axis runs along a row): 1-D blocks of `block_size` consecutive
// elements of a row (a row's last block may be shorter), or 2-D tiles of
// 16 x 16 (edge tiles may be smaller), whose one scale is stored once per
// (row, 16-column block) so both layouts read alike.
//
// Element rounding per format:
//   MXFP4: y = x * 2^-e (exact), E2M1(y)                    (microxcaling)
//   NVFP4: y = fp32(x * encode_scale), E2M1(y)             (TransformerEngine)
// A block with a NaN scale (MXFP4: NaN/inf in the block; NVFP4: NaN in the
// tensor) keeps element codes 0 and decodes to NaN. Stochastic rounding of
// element (r, c) uses counter index_base + r * cols + c.
#include <cstdint>
#include <span>
#include <vector>

#include "hw_models/numerics/block_scale.hpp"
#include "hw_models/numerics/e2m1.hpp"
#include "hw_models/numerics/gemm.hpp"

namespace nibble::num {

enum class BlockFormat : uint8_t { mxfp4, nvfp4 };

struct BlockFp4Config {
  BlockFormat format = BlockFormat::mxfp4;
  int block_size = 32;  // 16 or 32; 2-D tiles are 16 x 16 (block_size must be 16)
  bool tiles_2d = false;
  ScaleRounding scale_rounding = ScaleRounding::floor;  // MXFP4 only
  E2m1Rounding rounding = E2m1Rounding::nearest_even;
  uint64_t seed = 0;
};

// Throws nibble::InputError for an unsupported combination.
void validate(const BlockFp4Config& c);
// The format's default block size (MXFP4 32, NVFP4 16).
int default_block_size(BlockFormat f);

// What the quantizer clipped or flushed while producing a tensor (numerics
// health, docs/numerics.md section 10): not part of the tensor's value.
struct BlockFp4Counts {
  uint64_t elements = 0;      // elements encoded (blocks with a NaN scale excluded)
  uint64_t saturated = 0;     // |scaled element| > 6: clipped to the largest E2M1 magnitude
  uint64_t underflow = 0;     // x != 0 that decodes to 0 (code +-0, or NVFP4 block scale 0)
  uint64_t scale_clamps = 0;  // block scales clamped: E8M0 exponent outside [-127, 127], or
                              // the NVFP4 UE4M3 scale above 448 before the clamp
};

struct BlockFp4Tensor {
  BlockFormat format = BlockFormat::mxfp4;
  int rows = 0, cols = 0;
  int block_size = 32;               // along a row
  std::vector<uint8_t> codes;        // rows * cols E2M1 codes, row-major
  std::vector<uint8_t> scale_codes;  // rows * blocks_per_row(): E8M0 or UE4M3 codes
  Nvfp4TensorScale tensor;           // NVFP4 only (MXFP4: 1, 1)
  float global_amax = 0.0f;          // NVFP4: max |x| over the tensor
  BlockFp4Counts counts;             // of the quantization that produced it

  int blocks_per_row() const { return block_size ? (cols + block_size - 1) / block_size : 0; }
  uint8_t scale_code(int r, int kb) const {
    return scale_codes[static_cast<std::size_t>(r) * blocks_per_row() + kb];
  }
  // Exact value of a block scale (2^e or the UE4M3 value; NaN if NaN).
  double block_scale(int r, int kb) const;
  // Exact decoded element: e2m1 * block scale (* S_dec for NVFP4), in double.
  double value(int r, int c) const;
};

// x is rows x cols, row-major.
BlockFp4Tensor quantize_block_fp4(std::span<const float> x, int rows, int cols,
                                  const BlockFp4Config& c, uint64_t index_base = 0);
// The element-at-a-time quantizer quantize_block_fp4 is tested against (==):
// the rule above written out one element at a time, no SIMD.
BlockFp4Tensor quantize_block_fp4_ref(std::span<const float> x, int rows, int cols,
                                      const BlockFp4Config& c, uint64_t index_base = 0);
// NVFP4 with a tensor scale given from outside (e.g. the whole tensor when x
// is a slice); global_amax is what S_enc is computed from.
BlockFp4Tensor quantize_block_fp4_with_amax(std::span<const float> x, int rows, int cols,
                                            const BlockFp4Config& c, float global_amax,
                                            uint64_t index_base = 0);
void dequantize_block_fp4(const BlockFp4Tensor& t, std::span<float> out);  // fp32 of value()
// The one block encoder of the chip's LGU and the trainer: when `hadamard`,
// each row first gets the 16-point random Hadamard transform along K
// (hadamard.hpp, runs of 16 from the row's start), then quantize_block_fp4 of
// the transformed values (NVFP4's tensor scale is the transformed tensor's).
BlockFp4Tensor quantize_block_fp4_rht(std::span<const float> x, int rows, int cols,
                                      const BlockFp4Config& c, bool hadamard, uint16_t sign_mask,
                                      uint64_t index_base = 0);
// The same, transforming x in place (the caller's scratch copy): no copy.
BlockFp4Tensor quantize_block_fp4_rht_inplace(std::span<float> x, int rows, int cols,
                                              const BlockFp4Config& c, bool hadamard,
                                              uint16_t sign_mask, uint64_t index_base = 0);

// C[M x N] = A[M x K] * B^T where b_t is N x K: both operands are blocked
// along K with the same block size and format. Per output, in this order:
//   acc = +0 (fp32)
//   for kb = 0, 1, ... (ascending K blocks):
//     d  = sum over the block of (2a)(2b)        (exact integer, |d| <= 144 * 32)
//     p  = fp32(d / 4 * sa * sb)                 (exact unless outside fp32's range)
//     acc = fp32(acc + p)
//   out_f32 = fp32(acc * alpha), alpha = fp32(S_dec,a * S_dec,b) (MXFP4: 1)
//   out_fp16 = fp16(acc * alpha)                 (one rounding from the exact product)
// Any output pointer may be null; acc_f32 receives the fp32 sums before alpha.
void gemm_block_fp4_ref(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t, float* out_f32,
                        uint16_t* out_fp16, float* acc_f32 = nullptr);
// The same result from the fast kernel (gemm_block_fp4.cpp; the chip's fast path
// and the trainer's kernel): operands packed once, integer block dot products
// with SIMD (vpdpbusd, or vpmaddubsw on AVX2) for a tile of outputs, the scales
// applied in fp32 where that is exact (else in double, as the reference), the
// same fp32 accumulation in ascending kb. Bit-identical to gemm_block_fp4_ref
// for every kernel; `kernel` picks one (best, avx512vnni, avx2, portable).
void gemm_block_fp4(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t, float* out_f32,
                    uint16_t* out_fp16, float* acc_f32 = nullptr,
                    IntKernel kernel = IntKernel::best);
bool block_fp4_kernel_supported(IntKernel k);
float block_fp4_alpha(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t);
// Throws InputError unless A and B^T have the same K, format and block size.
void check_block_fp4_gemm(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t);

}  // namespace nibble::num
