#pragma once
// ONNX models (.onnx, a serialized onnx::ModelProto) to an arch net, so an
// imported model lowers to a forward pass or a training step exactly like a
// library net (generate_workload). The importer parses the protobuf with
// Debian's libonnx, fills a symbolic batch dimension from the caller, runs
// ONNX's own shape inference, then maps every node:
//   Conv -> conv2d, Gemm/MatMul with a constant operand -> linear,
//   MatMul of two activations -> matmul (batched: count),
//   element-wise, normalization and pooling ops -> vector,
//   shape-only ops (Reshape, Flatten, Transpose, ...) -> nothing.
// Anything else is an InputError naming the file, the node and its op type.
// docs/workload_format.md ("ONNX import") lists the ops and the limits.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "workloads/ir/arch_net.hpp"

namespace nibble::workload {

struct OnnxImportOptions {
  // Fills a symbolic (dim_param) or missing first dimension of the graph
  // inputs. A model with a fixed batch keeps it for shape inference; its
  // layers are still divided by it to get the per-sample arch net.
  std::optional<uint64_t> batch;
};

struct OnnxImport {
  ArchNet net;                    // per-sample layers, whole network (not an interior block)
  uint64_t model_batch = 1;       // first dimension of the graph's first data input
  int64_t opset = 0;              // default-domain opset the model imports
  uint64_t shape_only_nodes = 0;  // nodes that became no layer (reshape, constants, ...)
};

OnnxImport read_onnx_model(const std::filesystem::path& path, const OnnxImportOptions& opt = {});

// ONNX op types the importer accepts, sorted (the list error messages show).
std::vector<std::string> onnx_supported_ops();

// Highest default-domain opset the linked ONNX library knows.
int64_t onnx_max_opset();

}  // namespace nibble::workload
