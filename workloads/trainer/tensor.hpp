#pragma once
// The trainer's dense tensor types. Activations are stored [batch, C*H*W]
// row-major (NCHW flattened per sample); weights [out, in*kh*kw].
#include <Eigen/Core>

#include <cstdint>

namespace nibble::train {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;
// Codes of a quantized tensor, one per element: FP16 bit patterns (16-bit)
// and 4/8-bit codes (int8 storage).
using CodeMat = Eigen::Matrix<uint16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Code8Mat = Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Per-sample feature-map shape.
struct Shape {
  int c = 1, h = 1, w = 1;
  int size() const { return c * h * w; }
  bool operator==(const Shape&) const = default;
};

}  // namespace nibble::train
