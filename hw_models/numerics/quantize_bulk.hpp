#pragma once
// Bulk quantizers: whole tensors at a time, vectorised (AVX2 / AVX-512
// chosen at run time, portable fallback; docs/numerics.md section 7) and
// bit-exact with the scalar functions of each format
// (tests/numerics/quantize_bulk_test.cpp). Output spans must have the input's
// size (nibble::InputError otherwise).
#include <cstdint>
#include <span>

#include "hw_models/numerics/float_format.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/pact.hpp"

namespace nibble::num {

// clipped (optional): += the elements a clamp changed: x / step outside
// [-max_code, max_code] (|w| > alpha for weights); PACT: x outside the clip
// range [0 or -alpha, alpha], or x / step outside the code range.
void quantize_int4_bulk(std::span<const float> x, float step, int max_code, std::span<int8_t> codes,
                        uint64_t* clipped = nullptr);
void dequantize_int4_bulk(std::span<const int8_t> codes, float step, std::span<float> out);
void pact_quantize_bulk(std::span<const float> x, float alpha, const PactConfig& c,
                        std::span<int8_t> codes, uint64_t* clipped = nullptr);
// index_base: counter of x[0] for stochastic rounding (element i uses index_base + i).
void fp4_quantize_bulk(std::span<const float> x, int grid_exp, const Fp4Config& c,
                       uint64_t index_base, std::span<uint8_t> codes, Fp4Counts* counts = nullptr);
void fp4_dequantize_bulk(std::span<const uint8_t> codes, int grid_exp, std::span<float> out);
void fp32_to_fp16_bulk(std::span<const float> x, std::span<uint16_t> out);
void fp16_to_fp32_bulk(std::span<const uint16_t> h, std::span<float> out);
void encode_float_bulk(const FloatFormat& f, std::span<const float> x,
                       std::span<uint8_t> out);  // <= 8-bit formats
void decode_float_bulk(const FloatFormat& f, std::span<const uint8_t> codes, std::span<float> out);

namespace detail {
// Test hook: which vector path fp4_quantize_bulk may use (best = fastest the
// CPU has; avx2 = no AVX-512; portable = scalar fp4_encode). Every choice
// gives the same codes and counts. Not thread-safe: tests and benchmarks only.
enum class Fp4BulkIsa : uint8_t { best, avx2, portable };
extern Fp4BulkIsa fp4_bulk_isa_override;
}  // namespace detail

}  // namespace nibble::num
