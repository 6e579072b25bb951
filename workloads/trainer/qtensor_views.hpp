#pragma once
// Views and small helpers over the trainer's tensors that every executor
// needs (software, chip-backed, trace): contiguous spans of Eigen storage for
// the numerics bulk kernels, the numerics float format of a trainer Format,
// and an empty QTensor with a tensor's shape. One copy, so the executors
// cannot drift apart.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "workloads/trainer/executor.hpp"

namespace nibble::train {

template <class M>
auto span_of(const M& m) {
  return std::span(m.data(), static_cast<size_t>(m.size()));
}
template <class M>
auto mspan_of(M& m) {
  return std::span(m.data(), static_cast<size_t>(m.size()));
}
inline std::span<const uint8_t> bytes_of(const Code8Mat& m) {
  return {reinterpret_cast<const uint8_t*>(m.data()), static_cast<size_t>(m.size())};
}
inline std::span<uint8_t> mbytes_of(Code8Mat& m) {
  return {reinterpret_cast<uint8_t*>(m.data()), static_cast<size_t>(m.size())};
}

// The numerics format of an FP16/HFP8 trainer format.
inline const num::FloatFormat& float_format(Format f) {
  switch (f) {
    case Format::fp16:
      return num::kFp16;
    case Format::hfp8_143:
      return num::kHfp8Fwd143;
    case Format::hfp8_152:
      return num::kHfp8Bwd152;
    default:
      throw SimulationError(fmt::format("{} is not a float format", to_string(f)));
  }
}

// A QTensor of x's shape in format f, phase p, with no codes yet.
inline QTensor shell(const Mat& x, Format f, Phase p) {
  QTensor q;
  q.format = f;
  q.phase = p;
  q.rows_ = static_cast<int>(x.rows());
  q.cols_ = static_cast<int>(x.cols());
  return q;
}

inline bool is_int(Format f) {
  return f == Format::int4 || f == Format::uint4;
}
inline bool is_hfp8(Format f) {
  return f == Format::hfp8_143 || f == Format::hfp8_152;
}

// Throws unless op(A) is m x k and op(B) is k x n: every executor checks the
// op against its operands before computing.
inline void check_gemm_shape(const GemmOp& op) {
  const QTensor& a = *op.a;
  const QTensor& b = *op.b;
  const int ar = op.a_trans ? a.cols() : a.rows(), ac = op.a_trans ? a.rows() : a.cols();
  const int br = op.b_trans ? b.cols() : b.rows(), bc = op.b_trans ? b.rows() : b.cols();
  if (ar != op.m || ac != op.k || br != op.k || bc != op.n)
    throw SimulationError(fmt::format("{} {}: GEMM shape mismatch: op {}x{}x{}, A {}x{}, B {}x{}",
                                      op.layer, to_string(op.pass), op.m, op.n, op.k, ar, ac, br,
                                      bc));
}

// An FP32 "quantization" (the fp32 recipe's gradients): one unquantized copy
// of x per requested phase.
inline std::vector<QTensor> fp32_copies(const Mat& x, const std::vector<Phase>& phases) {
  std::vector<QTensor> out;
  for (Phase p : phases) {
    QTensor q = shell(x, Format::fp32, p);
    q.values = x;
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace nibble::train
