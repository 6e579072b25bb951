// Bulk quantizers. The int4/pact loops are branch-free so they vectorise;
// FP16 uses the F16C instructions when the CPU has them (chosen at run time;
// the library itself is compiled for the baseline ISA).
#include "hw_models/numerics/quantize_bulk.hpp"

#include <string>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nibble::num {
namespace {

void check_sizes(const char* what, std::size_t in, std::size_t out) {
  if (in != out)
    throw InputError(std::string(what) + ": output has " + std::to_string(out) +
                     " elements, input " + std::to_string(in));
}

// RNE of q for |q| <= 2^22 by the 1.5*2^23 trick (exact in the default rounding mode).
inline float rne_small(float q) {
  constexpr float kMagic = 12582912.0f;
  return (q + kMagic) - kMagic;
}

// clamp(RNE(x / step), lo, hi) as in quantize_int4 / pact_quantize; NaN -> 0.
void quantize_linear(std::span<const float> x, float step, float lo_clip, float hi_clip,
                     float lo_code, float hi_code, int8_t* out) {
  const std::size_t n = x.size();
  if (!(step > 0.0f)) {
    for (std::size_t i = 0; i < n; ++i) out[i] = 0;
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    float v = x[i];
    v = v < lo_clip ? lo_clip : v;
    v = v > hi_clip ? hi_clip : v;
    float q = v / step;
    q = q < lo_code ? lo_code : q;
    q = q > hi_code ? hi_code : q;
    const float r = rne_small(q);
    out[i] = (r == r) ? static_cast<int8_t>(r) : int8_t{0};
  }
}

#if defined(__x86_64__)
__attribute__((target("avx2,f16c"))) void f32_to_f16_f16c(const float* x, uint16_t* out,
                                                          std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h =
        _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = fp32_to_fp16(x[i]);
}
__attribute__((target("avx2,f16c"))) void f16_to_f32_f16c(const uint16_t* h, float* out,
                                                          std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
  for (; i < n; ++i) out[i] = fp16_to_fp32(h[i]);
}
bool has_f16c() {
  return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2");
}
#endif

}  // namespace

void quantize_int4_bulk(std::span<const float> x, float step, int max_code,
                        std::span<int8_t> codes) {
  check_sizes("quantize_int4_bulk", x.size(), codes.size());
  const auto m = static_cast<float>(max_code);
  constexpr float kInf = __builtin_huge_valf();
  quantize_linear(x, step, -kInf, kInf, -m, m, codes.data());
}

void dequantize_int4_bulk(std::span<const int8_t> codes, float step, std::span<float> out) {
  check_sizes("dequantize_int4_bulk", codes.size(), out.size());
  for (std::size_t i = 0; i < codes.size(); ++i) out[i] = static_cast<float>(codes[i]) * step;
}

void pact_quantize_bulk(std::span<const float> x, float alpha, const PactConfig& c,
                        std::span<int8_t> codes) {
  check_sizes("pact_quantize_bulk", x.size(), codes.size());
  if (!(alpha > 0.0f)) {
    quantize_linear(x, 0.0f, 0, 0, 0, 0, codes.data());
    return;
  }
  const auto m = static_cast<float>(c.max_code());
  const float lo = c.is_signed ? -alpha : 0.0f;
  quantize_linear(x, pact_step(alpha, c), lo, alpha, c.is_signed ? -m : 0.0f, m, codes.data());
}

void fp4_quantize_bulk(std::span<const float> x, int grid_exp, const Fp4Config& c,
                       uint64_t index_base, std::span<uint8_t> codes, Fp4Counts* counts) {
  check_sizes("fp4_quantize_bulk", x.size(), codes.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    codes[i] = fp4_encode(x[i], grid_exp, c, index_base + i, counts);
}

void fp4_dequantize_bulk(std::span<const uint8_t> codes, int grid_exp, std::span<float> out) {
  check_sizes("fp4_dequantize_bulk", codes.size(), out.size());
  float table[16];
  for (int k = 0; k < 16; ++k)
    table[k] = static_cast<float>(fp4_decode(static_cast<uint8_t>(k), grid_exp));
  for (std::size_t i = 0; i < codes.size(); ++i) out[i] = table[codes[i] & 0xF];
}

void fp32_to_fp16_bulk(std::span<const float> x, std::span<uint16_t> out) {
  check_sizes("fp32_to_fp16_bulk", x.size(), out.size());
#if defined(__x86_64__)
  if (has_f16c()) return f32_to_f16_f16c(x.data(), out.data(), x.size());
#endif
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = fp32_to_fp16(x[i]);
}

void fp16_to_fp32_bulk(std::span<const uint16_t> h, std::span<float> out) {
  check_sizes("fp16_to_fp32_bulk", h.size(), out.size());
#if defined(__x86_64__)
  if (has_f16c()) return f16_to_f32_f16c(h.data(), out.data(), h.size());
#endif
  for (std::size_t i = 0; i < h.size(); ++i) out[i] = fp16_to_fp32(h[i]);
}

void encode_float_bulk(const FloatFormat& f, std::span<const float> x, std::span<uint8_t> out) {
  check_sizes("encode_float_bulk", x.size(), out.size());
  validate(f);
  if (f.total_bits() > 8)
    throw InputError("encode_float_bulk: format " + describe(f) + " is wider than 8 bits");
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<uint8_t>(encode_float(f, x[i]));
}

void decode_float_bulk(const FloatFormat& f, std::span<const uint8_t> codes, std::span<float> out) {
  check_sizes("decode_float_bulk", codes.size(), out.size());
  validate(f);
  if (f.total_bits() > 8)
    throw InputError("decode_float_bulk: format " + describe(f) + " is wider than 8 bits");
  float table[256];
  for (uint32_t k = 0; k < f.code_count(); ++k) table[k] = decode_float(f, k);
  const uint32_t mask = f.code_count() - 1;
  for (std::size_t i = 0; i < codes.size(); ++i) out[i] = table[codes[i] & mask];
}

}  // namespace nibble::num
