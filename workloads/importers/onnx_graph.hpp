#pragma once
// Internal to the ONNX importer (onnx_model.cpp): maps the nodes of a graph
// whose shapes are all inferred to per-sample arch-net layers.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/ir/arch_net.hpp"

namespace nibble::workload::onnx_import {

// True when `op_type` (default domain) has a mapping.
bool supported(std::string_view op_type);
std::vector<std::string> supported_ops();

struct GraphLayers {
  std::vector<ArchLayer> layers;
  uint64_t shape_only_nodes = 0;
};

// `graph` has been through shape inference; `model_batch` is the first
// dimension of its data input, by which every layer is divided. `file` names
// the model in errors.
GraphLayers lower_graph(const onnx::GraphProto& graph, uint64_t model_batch,
                        const std::string& file);

}  // namespace nibble::workload::onnx_import
