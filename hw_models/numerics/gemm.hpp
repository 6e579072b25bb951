#pragma once
// Bulk GEMM kernels of every MAC mode, bit-exact with the scalar references
// in gemm_ref.hpp. C[M x N] = A[M x K] * B[K x N]; operands are strided
// views, so transposes (dW = dY^T X) need no copy; C is row-major (ld = N).
//
// Integer GEMMs (INT4 x INT4, INT4 x FP4), mode int_exact: the exact sum is
// computed with SIMD integer dot products chosen at run time (AVX-512 VNNI
// vpdpbusd on bytes for INT4 x INT4; vpdpwssd / vpmaddwd on int16 pairs for
// INT4 x FP4 and on CPUs without VNNI; portable C++ otherwise) in int32
// blocks short enough never to wrap, widened into int64. Saturation is order
// dependent, so it is handled exactly as the sequential accumulator would:
// an output whose bound sum_k |a_ik||b_kj| <= acc_max(width) can never clamp
// (every partial sum is within the bound), so its exact sum IS the
// sequential result; any other output is recomputed by the sequential
// saturating accumulator in k order. (The bound is checked globally,
// K*max|a|*max|b|, then per row/column.) Same bits for any kernel, tiling
// and thread count. See docs/numerics.md section 7.
//
// Float GEMMs (HFP8, FP16): products are exact in fp32; accumulation is
// sequential in k order per output (fp32 adds, or fp16_chunked), vectorised
// across outputs, so the result equals the reference bit for bit.
#include <cstddef>
#include <cstdint>

#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/float_format.hpp"

namespace nibble::num {

template <class T>
struct MatView {
  const T* data = nullptr;
  int rows = 0;
  int cols = 0;
  std::ptrdiff_t row_stride = 0;  // elements
  std::ptrdiff_t col_stride = 1;  // elements
  T at(int r, int c) const { return data[r * row_stride + c * col_stride]; }
  MatView transposed() const { return {data, cols, rows, col_stride, row_stride}; }
};
template <class T>
MatView<T> row_major(const T* p, int rows, int cols) {
  return {p, rows, cols, cols, 1};
}

enum class AccumMode : uint8_t {
  int_exact,     // integer GEMMs: exact saturating accumulator, one FP16 rounding
  fp32,          // float GEMMs: sequential fp32 adds, one FP16 rounding at the output
  fp16_chunked,  // any GEMM: FP16 products, sequential FP16 adds in chunks of `chunk`
};

// Integer kernel selection; `best` picks the fastest the CPU supports. Every
// choice gives the same bits (tests run each supported one).
enum class IntKernel : uint8_t { best, avx512vnni, avx512bw, avx2, portable };
bool int_kernel_supported(IntKernel k);
const char* int_kernel_name(IntKernel k);

struct GemmConfig {
  AccumMode mode = AccumMode::int_exact;
  int acc_bits = 32;                   // int_exact accumulator width, 2..64
  int chunk = 64;                      // fp16_chunked chunk length C >= 1
  int threads = 1;                     // worker threads (results do not depend on it)
  IntKernel kernel = IntKernel::best;  // throws InputError if the CPU lacks it
};

struct GemmStats {
  uint64_t saturations = 0;         // accumulator clamps, all outputs
  uint64_t saturated_outputs = 0;   // outputs with at least one clamp
  uint64_t sequential_outputs = 0;  // outputs recomputed on the sequential path
};

// c_fp16: M x N FP16 bits (required). acc: optional M x N raw accumulators
// (int_exact) or nullptr. a codes -8..15 (INT4 or UINT4), b likewise.
void gemm_int4_int4(MatView<int8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                    uint16_t* c_fp16, int64_t* acc = nullptr, GemmStats* stats = nullptr);
// A = FP4 codes (0..15), B = INT4/UINT4 codes: dX = dY * W, dW = dY^T * X.
void gemm_fp4_int4(MatView<uint8_t> a_fp4, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c_fp16, int64_t* acc = nullptr, GemmStats* stats = nullptr);
// A = INT4/UINT4 codes, B = FP4 codes.
void gemm_int4_fp4(MatView<int8_t> a, MatView<uint8_t> b_fp4, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c_fp16, int64_t* acc = nullptr, GemmStats* stats = nullptr);

// HFP8: A codes in format fa, B codes in fb (1-4-3 x 1-4-3 forward,
// 1-4-3 x 1-5-2 backward). out = fp16(sum * scale) (fp32 mode: one rounding
// of the fp32 sum times scale); acc_f32 optional: the fp32 sums (fp32 mode).
void gemm_hfp8(MatView<uint8_t> a, const FloatFormat& fa, MatView<uint8_t> b, const FloatFormat& fb,
               float scale, const GemmConfig& cfg, uint16_t* c_fp16, float* acc_f32 = nullptr);
void gemm_fp16(MatView<uint16_t> a, MatView<uint16_t> b, float scale, const GemmConfig& cfg,
               uint16_t* c_fp16, float* acc_f32 = nullptr);

// The kernel `best` resolves to on this CPU.
IntKernel best_int_kernel();

}  // namespace nibble::num
