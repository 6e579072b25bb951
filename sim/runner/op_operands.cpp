#include "sim/runner/op_operands.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/hfp8.hpp"
#include "workloads/io/checked_math.hpp"

namespace nibble::runner {
namespace {

// splitmix64: a fast, well-mixed stream from one 64-bit state.
struct SplitMix {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

enum class Kind { uint4, int4, fp4, hfp8_143, hfp8_152, fp16, mxfp4, nvfp4 };

// Fills `codes` 4 bits (or 8/16) per draw from the stream.
void fill(std::vector<hw::OperandCode>& codes, uint64_t n, Kind kind, SplitMix& rng) {
  codes.resize(n);
  uint64_t bits = 0;
  int left = 0;
  auto take = [&](int width) {
    if (left < width) {
      bits = rng.next();
      left = 64;
    }
    const uint64_t v = bits & ((uint64_t{1} << width) - 1);
    bits >>= width;
    left -= width;
    return v;
  };
  for (uint64_t i = 0; i < n; ++i) {
    switch (kind) {
      case Kind::uint4:
        codes[i] = hw::int4_operand(static_cast<int8_t>(take(4)));
        break;
      case Kind::int4:
        codes[i] = hw::int4_operand(static_cast<int8_t>(int(take(4)) - 8));
        break;
      case Kind::fp4:
        codes[i] = static_cast<hw::OperandCode>(take(4));
        break;
      case Kind::hfp8_143:
      case Kind::hfp8_152: {
        // Exponent field below all-ones: finite in either format.
        const num::FloatFormat f = kind == Kind::hfp8_143 ? num::kHfp8Fwd143 : num::kHfp8Bwd152;
        const uint32_t man_bits = uint32_t(f.man_bits);
        const uint64_t max_exp = (uint64_t{1} << f.exp_bits) - 2;
        const uint64_t e = take(8) % (max_exp + 1);
        const uint64_t m = take(int(man_bits)), s = take(1);
        codes[i] = static_cast<hw::OperandCode>((s << 7) | (e << man_bits) | m);
        break;
      }
      case Kind::fp16: {
        const uint64_t e = 11 + take(4) % 9;  // biased 11..19: 2^-4 .. 2^4
        codes[i] = static_cast<hw::OperandCode>((take(1) << 15) | (e << 10) | take(10));
        break;
      }
      case Kind::mxfp4:  // E8M0 scale 2^-8 .. 2^7; finite UE4M3 scale
      case Kind::nvfp4: {
        const uint64_t e2m1 = take(4);
        const uint64_t scale = kind == Kind::mxfp4 ? 119 + take(4) : take(7) % 0x7F;
        codes[i] =
            hw::block_fp4_operand(static_cast<uint8_t>(e2m1), static_cast<uint8_t>(scale), false);
        break;
      }
    }
  }
}

// Block-scaled operands: one scale per K block (copied from the block's first
// element) and the block-end flag on each block's last element. A is M x K
// (K along a row), B is K x N (K down a column).
void shape_blocks(std::vector<hw::OperandCode>& codes, uint32_t rows, uint32_t cols,
                  bool k_along_rows, uint32_t block) {
  const uint32_t K = k_along_rows ? cols : rows, lines = k_along_rows ? rows : cols;
  for (uint32_t l = 0; l < lines; ++l)
    for (uint32_t k = 0; k < K; ++k) {
      const uint64_t i = k_along_rows ? uint64_t{l} * cols + k : uint64_t{k} * cols + l;
      const uint64_t first = k_along_rows ? uint64_t{l} * cols + k / block * block
                                          : uint64_t{k / block * block} * cols + l;
      const bool end = (k + 1) % block == 0 || k + 1 == K;
      codes[i] = static_cast<hw::OperandCode>((codes[i] & 0xFu) | (codes[first] & 0xFF0u) |
                                              (end ? hw::kBlockEndFlag : 0));
    }
}

}  // namespace

hw::MacFormat mac_format(const workload::Op& op) {
  hw::MacFormat f;
  f.precision = op.precision;
  f.block_size = op.precision == Precision::nvfp4 ? 16 : 32;
  const bool dw = op.pass == workload::Pass::dW;
  const bool backward = op.pass == workload::Pass::dX || dw;
  // dX = dY * W^T has the gradient in A, dW = X^T * dY in B (microarch 8).
  f.fp4_operand = dw ? hw::Fp4Operand::b : hw::Fp4Operand::a;
  if (backward) {
    (dw ? f.hfp8_b : f.hfp8_a) = num::kHfp8Bwd152;
  }
  return f;
}

std::shared_ptr<const hw::GemmOperands> make_operands(const workload::Op& op,
                                                      const hw::GemmShape& shape, uint64_t seed,
                                                      uint64_t op_index) {
  // The operand data (fast/detailed modes) is checked against the memory
  // budget before anything is allocated.
  const uint64_t codes =
      io::checked_product({shape.m, shape.k}, UINT64_MAX / 4, "op '" + op.name + "'", "", "M x K") +
      io::checked_product({shape.k, shape.n}, UINT64_MAX / 4, "op '" + op.name + "'", "", "K x N");
  io::check_allocation(
      codes * sizeof(hw::OperandCode), "op '" + op.name + "'", "",
      fmt::format("the operand data of a {}x{}x{} GEMM", shape.m, shape.n, shape.k));
  auto ops = std::make_shared<hw::GemmOperands>();
  ops->format = mac_format(op);
  ops->shape = shape;
  SplitMix rng{seed * 0x9E3779B97F4A7C15ull ^ (op_index + 1) * 0xD1B54A32D192ED03ull};
  Kind a = Kind::uint4, b = Kind::int4;
  switch (op.precision) {
    case Precision::int4_int4:
      break;
    case Precision::int4_fp4:
      (ops->format.fp4_operand == hw::Fp4Operand::a ? a : b) = Kind::fp4;
      break;
    case Precision::hfp8: {
      const auto kind_of = [](const num::FloatFormat& f) {
        return f.exp_bits == num::kHfp8Bwd152.exp_bits ? Kind::hfp8_152 : Kind::hfp8_143;
      };
      a = kind_of(ops->format.hfp8_a);
      b = kind_of(ops->format.hfp8_b);
      break;
    }
    case Precision::fp16:
      a = b = Kind::fp16;
      break;
    case Precision::mxfp4:
      a = b = Kind::mxfp4;
      break;
    case Precision::nvfp4:
      a = b = Kind::nvfp4;
      break;
  }
  fill(ops->a, uint64_t{shape.m} * shape.k, a, rng);
  fill(ops->b, uint64_t{shape.k} * shape.n, b, rng);
  if (is_block_fp4(op.precision)) {
    shape_blocks(ops->a, shape.m, shape.k, true, ops->format.block_size);
    shape_blocks(ops->b, shape.k, shape.n, false, ops->format.block_size);
  }
  return ops;
}

}  // namespace nibble::runner
