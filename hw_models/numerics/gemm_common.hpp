#pragma once
// Pieces shared by the reference and the bulk GEMMs (internal header).
#include <cstddef>
#include <cstdint>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gemm.hpp"

namespace nibble::num {

inline void check_shapes(int am, int ak, int bk, int bn) {
  if (ak != bk || am < 0 || ak < 0 || bn < 0)
    throw InputError("gemm: A is " + std::to_string(am) + "x" + std::to_string(ak) + " but B is " +
                     std::to_string(bk) + "x" + std::to_string(bn));
}

inline void check_common(const GemmConfig& cfg) {
  if (cfg.chunk < 1)
    throw InputError("gemm: fp16 chunk must be >= 1, found " + std::to_string(cfg.chunk));
  if (cfg.threads < 1)
    throw InputError("gemm: threads must be >= 1, found " + std::to_string(cfg.threads));
}

inline void check_int_config(const GemmConfig& cfg) {
  check_common(cfg);
  if (cfg.mode == AccumMode::fp32)
    throw InputError("gemm: integer GEMMs accumulate int_exact or fp16_chunked, not fp32");
  if (cfg.acc_bits < 2 || cfg.acc_bits > 64)
    throw InputError("gemm: accumulator width must be 2..64 bits, found " +
                     std::to_string(cfg.acc_bits));
}

inline void check_float_config(const GemmConfig& cfg) {
  check_common(cfg);
  if (cfg.mode == AccumMode::int_exact)
    throw InputError("gemm: float GEMMs accumulate fp32 or fp16_chunked, not int_exact");
}

// fp16(sum * scale), one rounding (the fp32 x fp32 product is exact in double).
inline uint16_t scaled_fp16(float sum, float scale) {
  return fp64_to_fp16(static_cast<double>(sum) * static_cast<double>(scale));
}

// fp16(a * b * scale) for HFP8/FP16 operands: a*b is exact in fp32 (<= 22
// significant bits) and the product with scale is exact in double.
inline uint16_t scaled_product_fp16(float a, float b, float scale) {
  return fp64_to_fp16(static_cast<double>(a * b) * static_cast<double>(scale));
}

// out_f32[i] = fp32(sum[i] * scale), out_fp16[i] = fp16(sum[i] * scale), each one
// rounding of the exact product (either output may be null); vectorised where
// the CPU allows (simd false: scalar). Defined in gemm_block_fp4.cpp.
void scaled_outputs_bulk(const float* sum, std::size_t count, float scale, float* out_f32,
                         uint16_t* out_fp16, bool simd = true);

}  // namespace nibble::num
