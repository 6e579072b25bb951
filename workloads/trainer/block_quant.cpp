#include "workloads/trainer/block_quant.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"
#include "workloads/trainer/qtensor_views.hpp"

namespace nibble::train {

num::BlockFp4Config block_config(const QuantSpec& spec, uint64_t step) {
  num::BlockFp4Config c;
  c.format = spec.format == Format::nvfp4 ? num::BlockFormat::nvfp4 : num::BlockFormat::mxfp4;
  c.block_size = spec.block_size > 0 ? spec.block_size : num::default_block_size(c.format);
  c.tiles_2d = spec.tiles_2d;
  c.scale_rounding = spec.scale_rounding == "ceil"   ? num::ScaleRounding::ceil
                     : spec.scale_rounding == "even" ? num::ScaleRounding::even
                                                     : num::ScaleRounding::floor;
  c.rounding = spec.rounding == "stochastic" ? num::E2m1Rounding::stochastic
                                             : num::E2m1Rounding::nearest_even;
  c.seed = spec.seed ^ (step * 0x9E3779B97F4A7C15ull);
  num::validate(c);
  return c;
}

std::span<float> block_values(const Mat& x, bool transposed, std::vector<float>& scratch) {
  const Eigen::Index r = x.rows(), c = x.cols();
  const size_t n = static_cast<size_t>(x.size());
  if (scratch.size() < n) scratch.resize(n);
  float* dst = scratch.data();
  const float* src = x.data();
  if (!transposed) {
    std::copy(src, src + n, dst);
    return {dst, n};
  }
  // Stored [r x c] read down its columns: 16 x 16 tiles, so both the rows
  // read and the rows written stay in L1.
  constexpr Eigen::Index kTile = 16;
  for (Eigen::Index i0 = 0; i0 < r; i0 += kTile)
    for (Eigen::Index j0 = 0; j0 < c; j0 += kTile) {
      const Eigen::Index i1 = std::min(r, i0 + kTile), j1 = std::min(c, j0 + kTile);
      for (Eigen::Index j = j0; j < j1; ++j)
        for (Eigen::Index i = i0; i < i1; ++i) dst[j * r + i] = src[i * c + j];
    }
  return {dst, n};
}

uint64_t block_index_base(const Mat& x, size_t layout_index) {
  return static_cast<uint64_t>(layout_index) * static_cast<uint64_t>(x.size());
}

QTensor block_qtensor(const Mat& x, Format f, const BlockLayout& layout, num::BlockFp4Tensor t) {
  QTensor q = shell(x, f, Phase::none);
  q.blocks_transposed = layout.transposed;
  q.scale = f == Format::nvfp4 ? t.tensor.decode : 1.0f;
  q.blocks = std::move(t);
  return q;
}

void check_block_gemm(const GemmOp& op) {
  const QTensor& a = *op.a;
  const QTensor& b = *op.b;
  const auto where = [&] { return fmt::format("{} {}", op.layer, to_string(op.pass)); };
  if (a.format != b.format)
    throw SimulationError(fmt::format("{}: no MAC mode multiplies {} by {}", where(),
                                      to_string(a.format), to_string(b.format)));
  if (a.blocks_transposed != op.a_trans || b.blocks_transposed == op.b_trans)
    throw SimulationError(fmt::format(
        "{}: block-scaled operands must be blocked along K (A blocks transposed {}, a_trans {}; "
        "B blocks transposed {}, b_trans {})",
        where(), a.blocks_transposed, op.a_trans, b.blocks_transposed, op.b_trans));
  if (a.blocks.block_size != b.blocks.block_size || a.blocks.rows != op.m ||
      b.blocks.rows != op.n || a.blocks.cols != op.k || b.blocks.cols != op.k)
    throw SimulationError(
        fmt::format("{}: block operands {}x{} (block {}) and {}x{} (block {}) do not fit {}x{}x{}",
                    where(), a.blocks.rows, a.blocks.cols, a.blocks.block_size, b.blocks.rows,
                    b.blocks.cols, b.blocks.block_size, op.m, op.n, op.k));
}

uint64_t block_fp4_scale_bytes(const num::BlockFp4Tensor& t, bool tiles_2d) {
  const uint64_t lines = tiles_2d ? (static_cast<uint64_t>(t.rows) + 15) / 16 : t.rows;
  return lines * static_cast<uint64_t>(t.blocks_per_row()) +
         (t.format == num::BlockFormat::nvfp4 ? 4 : 0);
}

uint64_t block_fp4_bytes(const num::BlockFp4Tensor& t, bool tiles_2d) {
  return (static_cast<uint64_t>(t.codes.size()) + 1) / 2 + block_fp4_scale_bytes(t, tiles_2d);
}

}  // namespace nibble::train
