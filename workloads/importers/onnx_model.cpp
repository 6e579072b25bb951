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
#include "workloads/io/checked_math.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/input_file.hpp"

namespace nibble::workload {
namespace {

namespace fs = std::filesystem;

bool default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

onnx::ModelProto parse_model(const fs::path& path, const std::string& file) {
  // Protobuf refuses messages of 2 GiB and more; so does the input layer.
  const std::string bytes = io::read_input_file(path, "ONNX model (.onnx)", (2ull << 30) - 1);
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
        file, n.name().empty() ? (n.output_size() > 0 ? n.output(0) : "(unnamed)") : n.name(), op,
        fmt::join(onnx_supported_ops(), " ")));
  }
}

// Dimensions and attributes are range-checked before ONNX shape inference
// runs (it divides by strides and multiplies dimensions unchecked) and
// before the importer's arithmetic: a stride of 0 or a dimension of 2^32 is
// bad input, not a crash or a wrapped MAC count.
constexpr int64_t kMaxOnnxDim = (int64_t{1} << 31) - 1;
constexpr int64_t kMaxWindow = 1 << 16;

void check_dim(int64_t d, const std::string& file, const std::string& what) {
  if (d < 0 || d > kMaxOnnxDim)
    throw io::InputFileError(
        file, what, fmt::format("expected a dimension in [0, {}], found {}", kMaxOnnxDim, d));
}

void check_shape(const onnx::ValueInfoProto& vi, const std::string& file, const char* kind) {
  if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
  uint64_t elements = 1;
  for (const auto& d : vi.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value()) continue;
    const std::string what = fmt::format("{} '{}'", kind, vi.name());
    check_dim(d.dim_value(), file, what);
    if (io::mul_overflows(elements, static_cast<uint64_t>(d.dim_value()), &elements) ||
        elements > (uint64_t{1} << 48))
      throw io::InputFileError(file, what, "expected at most 2^48 elements, found more");
  }
}

void check_dims(const onnx::GraphProto& g, const std::string& file) {
  for (const auto& vi : g.input()) check_shape(vi, file, "graph input");
  for (const auto& vi : g.value_info()) check_shape(vi, file, "tensor");
  for (const auto& vi : g.output()) check_shape(vi, file, "graph output");
  for (const auto& t : g.initializer()) {
    uint64_t elements = 1;
    for (const int64_t d : t.dims()) {
      check_dim(d, file, fmt::format("initializer '{}'", t.name()));
      if (io::mul_overflows(elements, static_cast<uint64_t>(d), &elements) ||
          elements > (uint64_t{1} << 48))
        throw io::InputFileError(file, fmt::format("initializer '{}'", t.name()),
                                 "expected at most 2^48 elements, found more");
    }
  }
}

void check_attributes(const onnx::GraphProto& g, const std::string& file) {
  for (const auto& n : g.node()) {
    const std::string node =
        fmt::format("node '{}' ({})",
                    n.name().empty() ? n.output_size() ? n.output(0) : "" : n.name(), n.op_type());
    for (const auto& a : n.attribute()) {
      int64_t lo = 0, hi = 0;
      if (a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape")
        lo = 1, hi = kMaxWindow;
      else if (a.name() == "pads")
        lo = 0, hi = kMaxWindow;
      else if (a.name() == "group")
        lo = 1, hi = kMaxOnnxDim;
      else
        continue;
      auto check = [&](int64_t v) {
        if (v < lo || v > hi)
          throw io::InputFileError(
              file, node,
              fmt::format("attribute {}: expected values in [{}, {}], found {}", a.name(), lo, hi,
                          v));
      };
      if (a.name() == "group")
        check(a.i());
      else
        for (const int64_t v : a.ints()) check(v);
    }
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

// Every node against its operator schema at the model's opset, as ONNX's
// checker does (input and output counts, known attributes of the right type,
// required ones present). ONNX shape inference assumes schema-valid nodes: a
// Conv with an unknown attribute and no kernel_shape crashed it (a fuzzing
// find, kept in tests/data/fuzz_regressions/onnx). The whole-model checker
// is not used: it also demands shapes on graph outputs, which the format
// leaves optional and hand-built models omit.
void check_schemas(const onnx::GraphProto& g, int64_t opset, const std::string& file) {
  for (const auto& n : g.node()) {
    const auto* schema =
        onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset), onnx::ONNX_DOMAIN);
    const std::string node = n.name().empty() ? (n.output_size() ? n.output(0) : "") : n.name();
    if (!schema)
      throw InputError(fmt::format("{}: node '{}': op {} does not exist at opset {}", file, node,
                                   n.op_type(), opset));
    try {
      schema->Verify(n);
    } catch (const std::exception& e) {
      throw InputError(fmt::format("{}: node '{}' ({}) breaks its ONNX schema: {}", file, node,
                                   n.op_type(), e.what()));
    }
  }
}

// A Conv without kernel_shape takes it from its weight's dimensions 2.., and
// ONNX 1.12's shape inference then indexes per-axis attributes by the
// weight's rank without checking it against the input's (a rank-2 input with
// a 4-D weight read past an empty vector: a fuzzing find). Pinning the
// attribute from the weight initializer puts the rank through ONNX's own
// "kernel_shape has incorrect size" check instead.
void pin_conv_kernel_shapes(onnx::GraphProto& g, const std::string& file) {
  for (auto& n : *g.mutable_node()) {
    if (n.op_type() != "Conv") continue;
    bool has_kernel = false;
    for (const auto& a : n.attribute()) has_kernel |= a.name() == "kernel_shape";
    if (has_kernel) continue;
    const onnx::TensorProto* w = nullptr;
    if (n.input_size() >= 2)
      for (const auto& t : g.initializer())
        if (t.name() == n.input(1)) w = &t;
    const std::string node = n.name().empty() ? (n.output_size() ? n.output(0) : "") : n.name();
    if (!w)
      throw InputError(fmt::format(
          "{}: node '{}' (Conv) has no kernel_shape attribute and its weight '{}' is not an "
          "initializer: give kernel_shape, or export the weights as initializers",
          file, node, n.input_size() >= 2 ? n.input(1) : ""));
    auto* attr = n.add_attribute();
    attr->set_name("kernel_shape");
    attr->set_type(onnx::AttributeProto::INTS);
    for (int i = 2; i < w->dims_size(); ++i) attr->add_ints(w->dims(i));
  }
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
  check_attributes(model.graph(), file);
  check_dims(model.graph(), file);
  out.model_batch = fix_input_shapes(*model.mutable_graph(), opt, file);
  check_dims(model.graph(), file);
  check_schemas(model.graph(), out.opset, file);
  pin_conv_kernel_shapes(*model.mutable_graph(), file);
  check_attributes(model.graph(), file);
  infer_shapes(model, file);
  check_dims(model.graph(), file);
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
