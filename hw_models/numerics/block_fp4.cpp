// Block-scaled FP4 quantization and GEMM (see block_fp4.hpp).
#include "hw_models/numerics/block_fp4.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hw_models/numerics/block_fp4_encode.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/hadamard.hpp"

namespace nibble::num {
namespace {

// max |x| over a set of elements; NaN if any is NaN (the PyTorch amax rule).
struct AbsMax {
  float v = 0.0f;
  bool nan = false;
  void add(float x) {
    if (std::isnan(x))
      nan = true;
    else
      v = std::max(v, std::fabs(x));
  }
  float get() const { return nan ? NAN : v; }
};

// Encodes one element and counts it (saturated: |y| > 6; underflow: a
// nonzero x that decodes to 0: code +-0, or an NVFP4 block scale of 0).
uint8_t element_code(const BlockFp4Config& c, BlockFormat f, float x, uint8_t scale_code,
                     float nv_encode, uint64_t index, BlockFp4Counts& n) {
  double y;
  if (f == BlockFormat::mxfp4) {
    if (scale_code == kE8m0Nan) return 0;
    y = std::ldexp(static_cast<double>(x), -e8m0_exp(scale_code));
  } else {
    y = x * nv_encode;  // fp32 product, as TransformerEngine's reference
  }
  const uint8_t code = e2m1_encode(y, c.rounding, c.seed, index);
  ++n.elements;
  n.saturated += std::fabs(y) > kE2m1Max;
  const bool zero_scale = f == BlockFormat::nvfp4 && scale_code == 0;
  n.underflow += x != 0.0f && ((code & 0x7u) == 0 || zero_scale);
  return code;
}

BlockFp4Tensor empty_tensor(std::span<const float> x, int rows, int cols, const BlockFp4Config& c,
                            float global_amax) {
  validate(c);
  if (rows < 0 || cols < 0 || x.size() != static_cast<std::size_t>(rows) * cols)
    throw InputError("block fp4: expected " + std::to_string(rows) + "x" + std::to_string(cols) +
                     " elements, found " + std::to_string(x.size()));
  BlockFp4Tensor t;
  t.format = c.format;
  t.rows = rows;
  t.cols = cols;
  t.block_size = c.block_size;
  t.global_amax = global_amax;
  if (c.format == BlockFormat::nvfp4) t.tensor = nvfp4_tensor_scale(global_amax);
  const int nb = t.blocks_per_row();
  t.codes.assign(x.size(), 0);
  t.scale_codes.assign(static_cast<std::size_t>(rows) * nb, 0);
  return t;
}

// The element-at-a-time quantizer: the reference the fast one is tested against.
BlockFp4Tensor quantize_ref_impl(std::span<const float> x, int rows, int cols,
                                 const BlockFp4Config& c, float global_amax, uint64_t index_base) {
  BlockFp4Tensor t = empty_tensor(x, rows, cols, c, global_amax);
  const int nb = t.blocks_per_row();
  const int tile_rows = c.tiles_2d ? 16 : 1;
  for (int r0 = 0; r0 < rows; r0 += tile_rows) {
    const int r1 = std::min(rows, r0 + tile_rows);
    for (int kb = 0; kb < nb; ++kb) {
      const int c0 = kb * c.block_size, c1 = std::min(cols, c0 + c.block_size);
      AbsMax m;
      for (int r = r0; r < r1; ++r)
        for (int k = c0; k < c1; ++k) m.add(x[static_cast<std::size_t>(r) * cols + k]);
      const float amax = m.get();
      uint8_t sc;
      float nv_encode = 0.0f;
      if (c.format == BlockFormat::mxfp4) {
        sc = e8m0_scale_code(amax, c.scale_rounding);
        t.counts.scale_clamps += e8m0_scale_clamped(amax, c.scale_rounding);
      } else {
        sc = nvfp4_block_scale_code(amax, t.tensor);
        nv_encode = nvfp4_element_encode_scale(sc, t.tensor);
        t.counts.scale_clamps += nvfp4_block_scale_clamped(amax, t.tensor);
      }
      for (int r = r0; r < r1; ++r) {
        t.scale_codes[static_cast<std::size_t>(r) * nb + kb] = sc;
        for (int k = c0; k < c1; ++k) {
          const std::size_t i = static_cast<std::size_t>(r) * cols + k;
          t.codes[i] = element_code(c, c.format, x[i], sc, nv_encode, index_base + i, t.counts);
        }
      }
    }
  }
  return t;
}

// Numerics-health counts of one encoded block row, the rule of element_code
// (saturated: |y| > 6 with y the scaled element; underflow: a nonzero x whose
// code is +-0, or every element of an NVFP4 block whose scale code is 0),
// recounted from the codes so the vectorised encoder stays count-free.
void count_block(const detail::E2m1BlockEncoder& e, uint8_t scale_code, const float* x,
                 const uint8_t* codes, int n, BlockFp4Counts& counts) {
  const double mx_limit = std::ldexp(static_cast<double>(kE2m1Max), e.exp);  // |x| > 6 * 2^e
  const bool zero_scale = !e.mx && scale_code == 0;
  uint32_t saturated = 0, underflow = 0;  // n <= 32
  // 6 * 2^e is a float (normal or subnormal) for e in [-148, 125], so the
  // MXFP4 test runs in float there (vectorisable); double outside.
  const bool mx_float = e.mx && e.exp >= -148 && e.exp <= 125;
  if (mx_float || !e.mx) {
    const float limit = mx_float ? static_cast<float>(mx_limit) : kE2m1Max;
    const float mul = mx_float ? 1.0f : e.nv_encode;
    for (int k = 0; k < n; ++k) saturated += std::fabs(x[k] * mul) > limit;
  } else {
    for (int k = 0; k < n; ++k) saturated += std::fabs(static_cast<double>(x[k])) > mx_limit;
  }
  for (int k = 0; k < n; ++k) underflow += (x[k] != 0.0f) & (((codes[k] & 0x7u) == 0) | zero_scale);
  counts.elements += static_cast<uint64_t>(n);
  counts.saturated += saturated;
  counts.underflow += underflow;
}

// The fast quantizer: block maxima and nearest rounding vectorised
// (block_fp4_encode.hpp), the scales as the reference, block by block.
BlockFp4Tensor quantize_impl(std::span<const float> x, int rows, int cols, const BlockFp4Config& c,
                             float global_amax, uint64_t index_base) {
  BlockFp4Tensor t = empty_tensor(x, rows, cols, c, global_amax);
  const int nb = t.blocks_per_row();
  const int tile_rows = c.tiles_2d ? 16 : 1;
  const bool mx = c.format == BlockFormat::mxfp4;
  detail::E2m1BlockEncoder enc{.mx = mx, .rounding = c.rounding, .seed = c.seed};
  float nv_encode[128] = {};  // NVFP4 element encode scale per UE4M3 code (0x7F: NaN)
  if (!mx)
    for (int sc = 0; sc < 128; ++sc)
      nv_encode[sc] = nvfp4_element_encode_scale(static_cast<uint8_t>(sc), t.tensor);
  for (int r0 = 0; r0 < rows; r0 += tile_rows) {
    const int r1 = std::min(rows, r0 + tile_rows);
    for (int kb = 0; kb < nb; ++kb) {
      const int c0 = kb * c.block_size, len = std::min(cols, c0 + c.block_size) - c0;
      detail::AbsMaxResult m;
      for (int r = r0; r < r1; ++r) {
        const auto b =
            detail::block_abs_max(x.data() + static_cast<std::size_t>(r) * cols + c0, len);
        m.max = std::max(m.max, b.max);
        m.nan = m.nan || b.nan;
      }
      const float amax = m.nan ? NAN : m.max;
      uint8_t sc;
      if (mx) {
        sc = e8m0_scale_code(amax, c.scale_rounding);
        enc.exp = e8m0_exp(sc);
      } else {
        sc = nvfp4_block_scale_code(amax, t.tensor);
        enc.nv_encode = nv_encode[sc & 0x7F];
      }
      t.counts.scale_clamps += mx ? e8m0_scale_clamped(amax, c.scale_rounding)
                                  : nvfp4_block_scale_clamped(amax, t.tensor);
      for (int r = r0; r < r1; ++r) {
        const std::size_t i = static_cast<std::size_t>(r) * cols + c0;
        t.scale_codes[static_cast<std::size_t>(r) * nb + kb] = sc;
        if (mx && sc == kE8m0Nan) continue;  // a NaN block keeps codes 0
        detail::encode_e2m1_block(enc, x.data() + i, len, t.codes.data() + i, index_base + i);
        count_block(enc, sc, x.data() + i, t.codes.data() + i, len, t.counts);
      }
    }
  }
  return t;
}

// max |x| over the tensor, NaN if any NaN (NVFP4's global amax).
float tensor_abs_max(std::span<const float> x) {
  constexpr std::size_t kPiece = std::size_t{1} << 20;
  detail::AbsMaxResult m;
  for (std::size_t i = 0; i < x.size(); i += kPiece) {
    const auto p =
        detail::block_abs_max(x.data() + i, static_cast<int>(std::min(kPiece, x.size() - i)));
    m.max = std::max(m.max, p.max);
    m.nan = m.nan || p.nan;
  }
  return m.nan ? NAN : m.max;
}

}  // namespace

void validate(const BlockFp4Config& c) {
  if (c.block_size != 16 && c.block_size != 32)
    throw InputError("block fp4: block size must be 16 or 32, found " +
                     std::to_string(c.block_size));
  if (c.tiles_2d && c.block_size != 16)
    throw InputError("block fp4: 2-D tiles are 16x16, so the block size must be 16, found " +
                     std::to_string(c.block_size));
}

int default_block_size(BlockFormat f) {
  return f == BlockFormat::mxfp4 ? 32 : 16;
}

double BlockFp4Tensor::block_scale(int r, int kb) const {
  const uint8_t sc = scale_code(r, kb);
  return format == BlockFormat::mxfp4 ? e8m0_decode(sc) : ue4m3_decode(sc);
}

double BlockFp4Tensor::value(int r, int c) const {
  const double s = block_scale(r, c / block_size);
  const double v = e2m1_decode(codes[static_cast<std::size_t>(r) * cols + c]) * s;
  return format == BlockFormat::mxfp4 ? v : v * static_cast<double>(tensor.decode);
}

BlockFp4Tensor quantize_block_fp4(std::span<const float> x, int rows, int cols,
                                  const BlockFp4Config& c, uint64_t index_base) {
  const float amax = c.format == BlockFormat::nvfp4 ? tensor_abs_max(x) : 0.0f;
  return quantize_impl(x, rows, cols, c, amax, index_base);
}

BlockFp4Tensor quantize_block_fp4_ref(std::span<const float> x, int rows, int cols,
                                      const BlockFp4Config& c, uint64_t index_base) {
  AbsMax m;
  if (c.format == BlockFormat::nvfp4)
    for (const float v : x) m.add(v);
  return quantize_ref_impl(x, rows, cols, c, m.get(), index_base);
}

BlockFp4Tensor quantize_block_fp4_with_amax(std::span<const float> x, int rows, int cols,
                                            const BlockFp4Config& c, float global_amax,
                                            uint64_t index_base) {
  return quantize_impl(x, rows, cols, c, global_amax, index_base);
}

BlockFp4Tensor quantize_block_fp4_rht(std::span<const float> x, int rows, int cols,
                                      const BlockFp4Config& c, bool hadamard, uint16_t sign_mask,
                                      uint64_t index_base) {
  if (!hadamard) return quantize_block_fp4(x, rows, cols, c, index_base);
  std::vector<float> t(x.begin(), x.end());
  return quantize_block_fp4_rht_inplace(t, rows, cols, c, hadamard, sign_mask, index_base);
}

BlockFp4Tensor quantize_block_fp4_rht_inplace(std::span<float> x, int rows, int cols,
                                              const BlockFp4Config& c, bool hadamard,
                                              uint16_t sign_mask, uint64_t index_base) {
  if (rows < 0 || cols < 0 || x.size() != static_cast<std::size_t>(rows) * cols)
    throw InputError("block fp4: expected " + std::to_string(rows) + "x" + std::to_string(cols) +
                     " elements, found " + std::to_string(x.size()));
  if (hadamard)
    for (int r = 0; r < rows; ++r)
      hadamard16_inplace(
          x.subspan(static_cast<std::size_t>(r) * cols, static_cast<std::size_t>(cols)), sign_mask);
  return quantize_block_fp4(x, rows, cols, c, index_base);
}

void dequantize_block_fp4(const BlockFp4Tensor& t, std::span<float> out) {
  if (out.size() != t.codes.size())
    throw InputError("block fp4: dequantize output has the wrong size");
  for (int r = 0; r < t.rows; ++r)
    for (int c = 0; c < t.cols; ++c)
      out[static_cast<std::size_t>(r) * t.cols + c] = static_cast<float>(t.value(r, c));
}

float block_fp4_alpha(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t) {
  if (a.format == BlockFormat::mxfp4) return 1.0f;
  return a.tensor.decode * b_t.tensor.decode;
}

void check_block_fp4_gemm(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t) {
  if (a.cols != b_t.cols || a.format != b_t.format || a.block_size != b_t.block_size)
    throw InputError("block fp4 gemm: A is " + std::to_string(a.rows) + "x" +
                     std::to_string(a.cols) + " blocks of " + std::to_string(a.block_size) +
                     " but B^T is " + std::to_string(b_t.rows) + "x" + std::to_string(b_t.cols) +
                     " blocks of " + std::to_string(b_t.block_size) +
                     (a.format != b_t.format ? " in another format" : ""));
}

namespace {
void write_out(float acc, float alpha, std::size_t i, float* out_f32, uint16_t* out_fp16,
               float* acc_f32) {
  if (acc_f32) acc_f32[i] = acc;
  const double exact = static_cast<double>(acc) * static_cast<double>(alpha);
  if (out_f32) out_f32[i] = static_cast<float>(exact);
  if (out_fp16) out_fp16[i] = fp64_to_fp16(exact);
}
}  // namespace

void gemm_block_fp4_ref(const BlockFp4Tensor& a, const BlockFp4Tensor& b_t, float* out_f32,
                        uint16_t* out_fp16, float* acc_f32) {
  check_block_fp4_gemm(a, b_t);
  const float alpha = block_fp4_alpha(a, b_t);
  const int nb = a.blocks_per_row(), bs = a.block_size, K = a.cols;
  for (int i = 0; i < a.rows; ++i)
    for (int j = 0; j < b_t.rows; ++j) {
      float acc = 0.0f;
      for (int kb = 0; kb < nb; ++kb) {
        int64_t d = 0;
        for (int k = kb * bs; k < std::min(K, (kb + 1) * bs); ++k)
          d += e2m1_twice(a.codes[static_cast<std::size_t>(i) * K + k]) *
               e2m1_twice(b_t.codes[static_cast<std::size_t>(j) * K + k]);
        const double p =
            static_cast<double>(d) * 0.25 * a.block_scale(i, kb) * b_t.block_scale(j, kb);
        acc += static_cast<float>(p);
      }
      write_out(acc, alpha, static_cast<std::size_t>(i) * b_t.rows + j, out_f32, out_fp16, acc_f32);
    }
}

}  // namespace nibble::num
