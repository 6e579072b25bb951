#pragma once
// The workload IR: what a chip is asked to compute, as an ordered list of
// operations with shapes and operand formats, independent of any chip. The
// compiler (sim/compiler) lowers each GEMM-bearing op with gemm_of() and maps
// vector/quantize ops to the SFU, LGU and scale unit. Plain C++, no SystemC.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hw_models/numerics/precision.hpp"

namespace nibble::workload {

enum class OpType : uint8_t { gemm, conv2d, vector, quantize };

// Which part of a training step an op belongs to (forward only for inference).
enum class Pass : uint8_t { forward, dX, dW, weight_update };

// A GEMM C[M,N] = A[M,K] x B[K,N], repeated `count` times with the same shape
// (attention heads, conv groups, batched matmuls).
struct GemmShape {
  uint64_t m = 0, n = 0, k = 0;
  uint64_t count = 1;
  uint64_t macs() const { return m * n * k * count; }
  bool operator==(const GemmShape&) const = default;
};

// NCHW convolution with square-or-not kernel, symmetric padding and groups;
// a depthwise conv is groups == in_channels == out_channels.
struct Conv2dShape {
  uint64_t batch = 1, in_channels = 0, in_height = 0, in_width = 0;
  uint64_t out_channels = 0, kernel_h = 1, kernel_w = 1;
  uint64_t stride = 1, padding = 0, groups = 1;
  // A SCALE-Sim layer whose stride does not divide H - R: the IFMAP's true
  // height / width (in_height / in_width are then larger, so the output has
  // SCALE-Sim's size; its windows read past the true edge as null requests,
  // which its USER read buffers see). 0: in_height / in_width.
  uint64_t scalesim_height = 0, scalesim_width = 0;
  uint64_t out_height() const { return (in_height + 2 * padding - kernel_h) / stride + 1; }
  uint64_t out_width() const { return (in_width + 2 * padding - kernel_w) / stride + 1; }
  bool operator==(const Conv2dShape&) const = default;
};

// An element-wise op on the SFU (ReLU, add, batch norm, softmax, the SGD
// weight update...). `format` is the arithmetic format: "fp16" or "fp32".
struct VectorShape {
  std::string function;
  uint64_t elements = 0;
  std::string format = "fp16";
  bool operator==(const VectorShape&) const = default;
};

// Quantization of a tensor to a narrow format by the scale unit + LGU:
// "int4" (weights, SAWB), "uint4" (PACT activations), "fp4" (radix-4
// gradients; `phases` 2 = both TPR phases), "hfp8".
struct QuantizeShape {
  std::string to;
  uint64_t elements = 0;
  uint32_t phases = 1;
  bool operator==(const QuantizeShape&) const = default;
};

// One GEMM operand: the tensor it reads, whether the array reads it
// transposed, and whether the tensor is an activation saved from forward.
struct Operand {
  std::string tensor;
  bool transposed = false;
  bool saved = false;
  bool operator==(const Operand&) const = default;
};

struct Op {
  std::string name;
  std::string layer;
  OpType type = OpType::gemm;
  Pass pass = Pass::forward;
  Precision precision = Precision::int4_int4;  // meaningful for gemm and conv2d
  GemmShape gemm;                              // type == gemm
  Conv2dShape conv;                            // type == conv2d
  VectorShape vector;                          // type == vector
  QuantizeShape quantize;                      // type == quantize
  Operand a, b;                                // gemm and conv2d (conv: a = input, b = weights)
  bool operator==(const Op&) const = default;

  bool is_matrix() const { return type == OpType::gemm || type == OpType::conv2d; }
};

// Aggregate helpers (designated initializers that skip members trip
// -Wmissing-field-initializers).
inline Operand operand(std::string tensor, bool transposed = false, bool saved = false) {
  Operand o;
  o.tensor = std::move(tensor);
  o.transposed = transposed;
  o.saved = saved;
  return o;
}
inline Op make_op(std::string name, std::string layer, OpType type, Pass pass) {
  Op op;
  op.name = std::move(name);
  op.layer = std::move(layer);
  op.type = type;
  op.pass = pass;
  return op;
}

struct Workload {
  std::string name;
  std::string description;
  uint64_t batch = 1;
  bool training = false;
  std::vector<Op> ops;
  bool operator==(const Workload&) const = default;
};

// im2col lowering of a conv: per group, M = N*P*Q, K = C*R*S/groups,
// N = K_out/groups, count = groups. Throws InputError on a shape that does
// not divide into its groups or has an empty output.
GemmShape lower_conv(const Conv2dShape& conv);

// The GEMM an array executes for a gemm or conv2d op; nullopt otherwise.
std::optional<GemmShape> gemm_of(const Op& op);

// Multiply-accumulates of an op (0 for vector and quantize ops).
uint64_t macs(const Op& op);

std::string_view to_string(OpType t);
std::string_view to_string(Pass p);
std::string_view to_string(Precision p);
std::optional<OpType> op_type_from_string(std::string_view s);
std::optional<Pass> pass_from_string(std::string_view s);
std::optional<Precision> precision_from_string(std::string_view s);

}  // namespace nibble::workload
