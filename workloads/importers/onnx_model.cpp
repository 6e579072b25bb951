// Reads a .onnx file, checks what the importer can take (opset, ops, static
// shapes but for the batch), runs ONNX shape inference and hands the graph to
// onnx_graph.cpp. Every refusal is an InputError naming the file.
#include "workloads/importers/onnx_model.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/common/version.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <unordered_set>

#include "hw_models/numerics/errors.hpp"
#include "workloads/importers/onnx_graph.hpp"

namespace nibble::workload {
namespace {

namespace fs = std::filesystem;

bool default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

onnx::ModelProto parse_model(const fs::path& path, const std::string& file) {
  if (!fs::exists(path)) throw InputError(fmt::format("{}: no such file", file));
  if (!fs::is_regular_file(path)) throw InputError(fmt::format("{}: not a regular file", file));
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw InputError(fmt::format("{}: read failed", file));
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes))
    throw InputError(
        fmt::format("{}: not an ONNX model: the bytes do not parse as an onnx.ModelProto protobuf "
                    "(truncated, or another format)",
                    file));
  // Protobuf accepts many byte strings as some message; a model has both.
  if (model.ir_version() <= 0 || !model.has_graph() || model.graph().node_size() == 0)
    throw InputError(fmt::format("{}: not an ONNX model: {}", file,
                                 model.ir_version() <= 0 ? "no ir_version"
                                 : !model.has_graph()    ? "no graph"
                                                         : "the graph has no nodes"));
  return model;
}

int64_t check_opset(const onnx::ModelProto& model, const std::string& file) {
  for (const auto& o : model.opset_import()) {
    if (!default_domain(o.domain())) continue;
    if (o.version() > onnx_max_opset())
      throw InputError(fmt::format(
          "{}: opset {} is newer than the ONNX library here supports (opset {}, ONNX {}); "
          "re-export with opset_version <= {}",
          file, o.version(), onnx_max_opset(), onnx::LAST_RELEASE_VERSION, onnx_max_opset()));
    return o.version();
  }
  throw InputError(fmt::format("{}: the model imports no default-domain (ai.onnx) opset", file));
}

void check_ops(const onnx::GraphProto& g, const std::string& file) {
  for (const auto& n : g.node()) {
    if (default_domain(n.domain()) && onnx_import::supported(n.op_type())) continue;
    const std::string op =
        default_domain(n.domain()) ? n.op_type() : n.domain() + "::" + n.op_type();
    throw InputError(fmt::format(
        "{}: node '{}' has op type {}, which the ONNX importer does not "
        "support; supported: {}",
        file, n.name().empty() ? n.output(0) : n.name(), op, fmt::join(onnx_supported_ops(), " ")));
  }
}

// Whether `tensor` is an initializer of `g`.
bool is_initializer(const onnx::GraphProto& g, const std::string& tensor) {
  for (const auto& t : g.initializer())
    if (t.name() == tensor) return true;
  return false;
}

// ONNX shape inference with error_mode 1 (a node whose shapes contradict its
// inputs is an error, not a silently unknown shape) and data propagation.
// ONNX 1.12's Reshape only reads a constant target shape from an
// initializer, not from propagated data, so the target PyTorch computes with
// Shape -> Gather -> Concat stays unknown: pin every such target as an
// initializer (shapes are static here) and infer again.
// The propagated value of a shape tensor as an int64 initializer, if static.
std::optional<onnx::TensorProto> static_value(const std::string& name,
                                              const onnx::TensorShapeProto& value) {
  onnx::TensorProto t;
  t.set_name(name + ".static");
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(value.dim_size());
  for (const auto& d : value.dim()) {
    if (!d.has_dim_value()) return std::nullopt;
    t.add_int64_data(d.dim_value());
  }
  return t;
}

void infer_shapes(onnx::ModelProto& model, const std::string& file) {
  onnx::ModelProto pinned = model;
  for (int round = 0; round < 16; ++round) {
    std::unordered_map<std::string, onnx::TensorShapeProto> data;
    model = pinned;
    try {
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                         onnx::ShapeInferenceOptions(false, 1, true), &data);
    } catch (const std::exception& e) {
      throw InputError(fmt::format("{}: ONNX shape inference failed: {}", file, e.what()));
    }
    bool changed = false;
    auto* g = pinned.mutable_graph();
    for (auto& n : *g->mutable_node()) {
      if (n.op_type() != "Reshape" || n.input_size() < 2 || is_initializer(*g, n.input(1)))
        continue;
      const auto it = data.find(n.input(1));
      if (it == data.end()) continue;
      const auto t = static_value(n.input(1), it->second);
      if (!t) continue;
      if (!is_initializer(*g, t->name())) *g->add_initializer() = *t;
      n.set_input(1, t->name());
      changed = true;
    }
    if (!changed) return;
  }
}

// Fixes every data input's shape; returns the batch (dimension 0 of the
// first data input).
uint64_t fix_input_shapes(onnx::GraphProto& g, const OnnxImportOptions& opt,
                          const std::string& file) {
  std::unordered_set<std::string> weights;
  for (const auto& t : g.initializer()) weights.insert(t.name());
  std::optional<uint64_t> batch;
  for (auto& vi : *g.mutable_input()) {
    if (weights.count(vi.name())) continue;
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      throw InputError(fmt::format("{}: graph input '{}' has no tensor shape", file, vi.name()));
    auto* shape = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int i = 0; i < shape->dim_size(); ++i) {
      auto* d = shape->mutable_dim(i);
      if (d->has_dim_value() && d->dim_value() > 0) continue;
      const std::string what =
          d->has_dim_param() ? fmt::format("symbolic ('{}')", d->dim_param()) : "unknown";
      if (i != 0)
        throw InputError(
            fmt::format("{}: graph input '{}': dimension {} is {}; only dimension 0 "
                        "(the batch) may be dynamic: export with fixed shapes",
                        file, vi.name(), i, what));
      if (!opt.batch)
        throw InputError(
            fmt::format("{}: graph input '{}': dimension 0 (the batch) is {}; give "
                        "--batch B",
                        file, vi.name(), what));
      d->set_dim_value(static_cast<int64_t>(*opt.batch));
    }
    if (!batch) {
      if (shape->dim_size() == 0)
        throw InputError(
            fmt::format("{}: graph input '{}' is a scalar; expected a batch "
                        "dimension first",
                        file, vi.name()));
      batch = shape->dim(0).dim_value();
    }
  }
  if (!batch) throw InputError(fmt::format("{}: the graph has no data input", file));
  return *batch;
}

}  // namespace

int64_t onnx_max_opset() {
  const auto& map = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  const auto it = map.find(onnx::ONNX_DOMAIN);
  return it == map.end() ? 0 : it->second.second;
}

std::vector<std::string> onnx_supported_ops() {
  return onnx_import::supported_ops();
}

OnnxImport read_onnx_model(const fs::path& path, const OnnxImportOptions& opt) {
  const std::string file = path.string();
  onnx::ModelProto model = parse_model(path, file);
  OnnxImport out;
  out.opset = check_opset(model, file);
  check_ops(model.graph(), file);
  out.model_batch = fix_input_shapes(*model.mutable_graph(), opt, file);
  infer_shapes(model, file);
  auto lowered = onnx_import::lower_graph(model.graph(), out.model_batch, file);
  if (lowered.layers.empty())
    throw InputError(
        fmt::format("{}: the model has no compute node (Conv, Gemm, MatMul or an "
                    "element-wise op)",
                    file));
  out.net.name = path.stem().string();
  out.net.description =
      fmt::format("imported from {} ({}{}{}, opset {})", path.filename().string(),
                  model.producer_name().empty() ? "unknown producer" : model.producer_name(),
                  model.producer_version().empty() ? "" : " ", model.producer_version(), out.opset);
  out.net.layers = std::move(lowered.layers);
  out.shape_only_nodes = lowered.shape_only_nodes;
  return out;
}

}  // namespace nibble::workload
