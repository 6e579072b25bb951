#pragma once
// Scalar reference GEMMs: the plain definition, one output at a time, k in
// order, one SaturatingAccumulator per output. The bulk kernels in gemm.hpp
// must equal these bit for bit (tests/numerics/gemm_test.cpp).
#include "hw_models/numerics/gemm.hpp"

namespace nibble::num::ref {

void gemm_int4_int4(MatView<int8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                    uint16_t* c_fp16, int64_t* acc = nullptr, GemmStats* stats = nullptr);
void gemm_fp4_int4(MatView<uint8_t> a_fp4, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c_fp16, int64_t* acc = nullptr, GemmStats* stats = nullptr);
void gemm_int4_fp4(MatView<int8_t> a, MatView<uint8_t> b_fp4, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c_fp16, int64_t* acc = nullptr, GemmStats* stats = nullptr);
void gemm_hfp8(MatView<uint8_t> a, const FloatFormat& fa, MatView<uint8_t> b, const FloatFormat& fb,
               float scale, const GemmConfig& cfg, uint16_t* c_fp16, float* acc_f32 = nullptr);
void gemm_fp16(MatView<uint16_t> a, MatView<uint16_t> b, float scale, const GemmConfig& cfg,
               uint16_t* c_fp16, float* acc_f32 = nullptr);

}  // namespace nibble::num::ref
