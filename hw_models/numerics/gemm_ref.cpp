// Scalar reference GEMMs: the definition, written as plainly as possible.
#include "hw_models/numerics/gemm_ref.hpp"

#include <string>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/gemm_common.hpp"

namespace nibble::num::ref {
namespace {

template <class GetA, class GetB>
void int_gemm(int m, int n, int k, GetA get_a, GetB get_b, OutputScale s, const GemmConfig& cfg,
              uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_int_config(cfg);
  std::vector<uint16_t> terms(static_cast<std::size_t>(k));
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      const std::size_t o =
          static_cast<std::size_t>(i) * static_cast<std::size_t>(n) + static_cast<std::size_t>(j);
      if (cfg.mode == AccumMode::fp16_chunked) {
        for (int kk = 0; kk < k; ++kk)
          terms[static_cast<std::size_t>(kk)] = round_acc_to_fp16(get_a(i, kk) * get_b(kk, j), s);
        c[o] = fp16_sum_chunked(terms, cfg.chunk);
        if (acc) acc[o] = 0;
        continue;
      }
      SaturatingAccumulator a(cfg.acc_bits);
      for (int kk = 0; kk < k; ++kk) a.add(int64_t{get_a(i, kk)} * get_b(kk, j));
      c[o] = round_acc_to_fp16(a.value(), s);
      if (acc) acc[o] = a.value();
      if (stats) {
        stats->saturations += a.overflows();
        stats->saturated_outputs += a.overflows() ? 1 : 0;
        ++stats->sequential_outputs;
      }
    }
  }
}

template <class GetA, class GetB>
void float_gemm(int m, int n, int k, GetA get_a, GetB get_b, float scale, const GemmConfig& cfg,
                uint16_t* c, float* acc) {
  check_float_config(cfg);
  std::vector<uint16_t> terms(static_cast<std::size_t>(k));
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      const std::size_t o =
          static_cast<std::size_t>(i) * static_cast<std::size_t>(n) + static_cast<std::size_t>(j);
      if (cfg.mode == AccumMode::fp16_chunked) {
        for (int kk = 0; kk < k; ++kk)
          terms[static_cast<std::size_t>(kk)] =
              scaled_product_fp16(get_a(i, kk), get_b(kk, j), scale);
        c[o] = fp16_sum_chunked(terms, cfg.chunk);
        if (acc) acc[o] = fp16_to_fp32(c[o]);
        continue;
      }
      float sum = 0.0f;
      for (int kk = 0; kk < k; ++kk)
        sum = sum + get_a(i, kk) * get_b(kk, j);  // product exact in fp32
      c[o] = scaled_fp16(sum, scale);
      if (acc) acc[o] = sum;
    }
  }
}

}  // namespace

void gemm_int4_int4(MatView<int8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                    uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  int_gemm(
      a.rows, b.cols, a.cols, [&](int i, int k) { return int32_t{a.at(i, k)}; },
      [&](int k, int j) { return int32_t{b.at(k, j)}; }, s, cfg, c, acc, stats);
}

void gemm_fp4_int4(MatView<uint8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  int_gemm(
      a.rows, b.cols, a.cols, [&](int i, int k) { return fp4_fixed(a.at(i, k)); },
      [&](int k, int j) { return int32_t{b.at(k, j)}; }, s, cfg, c, acc, stats);
}

void gemm_int4_fp4(MatView<int8_t> a, MatView<uint8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  int_gemm(
      a.rows, b.cols, a.cols, [&](int i, int k) { return int32_t{a.at(i, k)}; },
      [&](int k, int j) { return fp4_fixed(b.at(k, j)); }, s, cfg, c, acc, stats);
}

void gemm_hfp8(MatView<uint8_t> a, const FloatFormat& fa, MatView<uint8_t> b, const FloatFormat& fb,
               float scale, const GemmConfig& cfg, uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  validate(fa);
  validate(fb);
  float_gemm(
      a.rows, b.cols, a.cols, [&](int i, int k) { return decode_float(fa, a.at(i, k)); },
      [&](int k, int j) { return decode_float(fb, b.at(k, j)); }, scale, cfg, c, acc);
}

void gemm_fp16(MatView<uint16_t> a, MatView<uint16_t> b, float scale, const GemmConfig& cfg,
               uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  float_gemm(
      a.rows, b.cols, a.cols, [&](int i, int k) { return fp16_to_fp32(a.at(i, k)); },
      [&](int k, int j) { return fp16_to_fp32(b.at(k, j)); }, scale, cfg, c, acc);
}

}  // namespace nibble::num::ref
