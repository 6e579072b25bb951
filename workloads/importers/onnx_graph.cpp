// Node-by-node mapping of an ONNX graph (shapes already inferred) to
// per-sample arch-net layers. The rules are the ones docs/workload_format.md
// ("ONNX import") states; every shape this code needs comes from the graph's
// inputs, value_info, outputs and initializers, never from a guess.
#include "workloads/importers/onnx_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "hw_models/numerics/errors.hpp"

namespace nibble::workload::onnx_import {
namespace {

enum class Kind : uint8_t { conv, gemm, matmul, elementwise, reduction, shape_only };

struct OpInfo {
  Kind kind;
  const char* function;  // vector ops: the SFU function name
};

// Element-wise ops cost their output elements; pooling and reductions read
// every input element, so they cost their input. Shape-only ops move no data
// through an array or the SFU (a transpose or concat is an address pattern).
const std::map<std::string, OpInfo, std::less<>>& op_table() {
  static const std::map<std::string, OpInfo, std::less<>> table = {
      {"Conv", {Kind::conv, ""}},
      {"Gemm", {Kind::gemm, ""}},
      {"MatMul", {Kind::matmul, ""}},
      {"Relu", {Kind::elementwise, "relu"}},
      {"LeakyRelu", {Kind::elementwise, "leaky_relu"}},
      {"PRelu", {Kind::elementwise, "prelu"}},
      {"Sigmoid", {Kind::elementwise, "sigmoid"}},
      {"HardSigmoid", {Kind::elementwise, "hard_sigmoid"}},
      {"HardSwish", {Kind::elementwise, "hard_swish"}},
      {"Tanh", {Kind::elementwise, "tanh"}},
      {"Erf", {Kind::elementwise, "erf"}},
      {"Exp", {Kind::elementwise, "exp"}},
      {"Sqrt", {Kind::elementwise, "sqrt"}},
      {"Pow", {Kind::elementwise, "pow"}},
      {"Clip", {Kind::elementwise, "clip"}},
      {"Add", {Kind::elementwise, "add"}},
      {"Sub", {Kind::elementwise, "sub"}},
      {"Mul", {Kind::elementwise, "mul"}},
      {"Div", {Kind::elementwise, "div"}},
      {"BatchNormalization", {Kind::elementwise, "batchnorm"}},
      {"LayerNormalization", {Kind::elementwise, "layernorm"}},
      {"Softmax", {Kind::elementwise, "softmax"}},
      {"LogSoftmax", {Kind::elementwise, "log_softmax"}},
      {"MaxPool", {Kind::reduction, "maxpool"}},
      {"AveragePool", {Kind::reduction, "avgpool"}},
      {"GlobalAveragePool", {Kind::reduction, "global_avgpool"}},
      {"GlobalMaxPool", {Kind::reduction, "global_maxpool"}},
      {"ReduceMean", {Kind::reduction, "reduce_mean"}},
      {"Flatten", {Kind::shape_only, ""}},
      {"Reshape", {Kind::shape_only, ""}},
      {"Transpose", {Kind::shape_only, ""}},
      {"Concat", {Kind::shape_only, ""}},
      {"Identity", {Kind::shape_only, ""}},
      {"Dropout", {Kind::shape_only, ""}},
      {"Squeeze", {Kind::shape_only, ""}},
      {"Unsqueeze", {Kind::shape_only, ""}},
      {"Shape", {Kind::shape_only, ""}},
      {"Constant", {Kind::shape_only, ""}},
      {"Gather", {Kind::shape_only, ""}},
      {"Slice", {Kind::shape_only, ""}},
      {"Split", {Kind::shape_only, ""}},
      {"Cast", {Kind::shape_only, ""}},
  };
  return table;
}

using Shape = std::vector<int64_t>;

uint64_t elements(const Shape& s) {
  uint64_t n = 1;
  for (int64_t d : s) n *= static_cast<uint64_t>(d);
  return n;
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, std::string_view name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t attr_int(const onnx::NodeProto& n, std::string_view name, int64_t fallback) {
  const auto* a = find_attr(n, name);
  return a ? a->i() : fallback;
}
std::vector<int64_t> attr_ints(const onnx::NodeProto& n, std::string_view name) {
  const auto* a = find_attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

class Lowerer {
 public:
  Lowerer(const onnx::GraphProto& g, uint64_t batch, const std::string& file)
      : graph_(g), batch_(batch), file_(file) {
    for (const auto& vi : g.input()) add_shape(vi);
    for (const auto& vi : g.value_info()) add_shape(vi);
    for (const auto& vi : g.output()) add_shape(vi);
    for (const auto& t : g.initializer()) {
      shapes_[t.name()] = Shape(t.dims().begin(), t.dims().end());
      constant_.insert(t.name());
    }
  }

  GraphLayers run() {
    for (int i = 0; i < graph_.node_size(); ++i) {
      const auto& n = graph_.node(i);
      node_ = &n;
      const OpInfo& info = op_table().find(n.op_type())->second;
      if (folds_to_constant(n)) {
        for (const auto& o : n.output()) constant_.insert(o);
        ++out_.shape_only_nodes;
        continue;
      }
      const std::string name = layer_name(n, i);
      switch (info.kind) {
        case Kind::conv:
          conv(name);
          break;
        case Kind::gemm:
          gemm(name);
          break;
        case Kind::matmul:
          matmul(name);
          break;
        case Kind::elementwise:
          vector(name, info.function, elements(shape(n.output(0), "output")));
          break;
        case Kind::reduction:
          vector(name, info.function, elements(shape(n.input(0), "input")));
          break;
        case Kind::shape_only:
          ++out_.shape_only_nodes;
          break;
      }
    }
    return std::move(out_);
  }

 private:
  void add_shape(const onnx::ValueInfoProto& vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    Shape s;
    for (const auto& d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0) return;  // symbolic: unknown
      s.push_back(d.dim_value());
    }
    shapes_[vi.name()] = std::move(s);
  }

  // A node whose inputs are all constants (initializers, Constant, Shape of
  // a static tensor) is folded by any runtime: it is no hardware work.
  bool folds_to_constant(const onnx::NodeProto& n) const {
    if (n.op_type() == "Constant" || n.op_type() == "Shape") return true;
    bool any = false;
    for (const auto& in : n.input()) {
      if (in.empty()) continue;  // omitted optional input
      if (!constant_.count(in)) return false;
      any = true;
    }
    return any;
  }

  std::string where() const {
    const auto& n = *node_;
    return fmt::format("{}: node '{}' ({})", file_, n.name().empty() ? n.output(0) : n.name(),
                       n.op_type());
  }

  std::string layer_name(const onnx::NodeProto& n, int index) {
    std::string base = n.name().empty() ? fmt::format("{}_{}", n.op_type(), index) : n.name();
    std::string name = base;
    for (int k = 2; !names_.insert(name).second; ++k) name = fmt::format("{}.{}", base, k);
    return name;
  }

  const Shape& shape(const std::string& tensor, const char* role) const {
    const auto it = shapes_.find(tensor);
    if (it == shapes_.end())
      throw InputError(fmt::format(
          "{}: the shape of {} '{}' is unknown after ONNX shape inference (a dynamic dimension "
          "other than the batch?)",
          where(), role, tensor));
    return it->second;
  }

  // The per-sample share of `total` (rows, products, elements).
  uint64_t per_sample(uint64_t total, const char* what) const {
    if (total % batch_ != 0)
      throw InputError(fmt::format("{}: {} {} does not divide by the model batch {}", where(), what,
                                   total, batch_));
    return total / batch_;
  }

  void push(ArchLayer l) { out_.layers.push_back(std::move(l)); }

  void vector(const std::string& name, const char* function, uint64_t total) {
    ArchLayer l;
    l.name = name;
    l.type = ArchLayerType::vector;
    l.vector = {
        .function = function, .elements = per_sample(total, "element count"), .format = "fp16"};
    push(std::move(l));
  }

  void conv(const std::string& name) {
    const auto& n = *node_;
    const Shape& x = shape(n.input(0), "input");
    const Shape& w = shape(n.input(1), "weight");
    const Shape& y = shape(n.output(0), "output");
    if (x.size() != 3 && x.size() != 4)
      throw InputError(fmt::format("{}: {}-D convolution; only 1-D and 2-D are supported", where(),
                                   x.size() < 2 ? 0 : x.size() - 2));
    if (w.size() != x.size() || y.size() != x.size())
      throw InputError(fmt::format("{}: input, weight and output ranks differ ({}, {}, {})",
                                   where(), x.size(), w.size(), y.size()));
    for (int64_t d : attr_ints(n, "dilations"))
      if (d != 1)
        throw InputError(fmt::format("{}: dilation {}; only dilation 1 is supported", where(), d));
    const bool one_d = x.size() == 3;
    const auto strides = attr_ints(n, "strides");
    const uint64_t sw = strides.empty() ? 1 : strides.back();
    const uint64_t sh = one_d || strides.empty() ? sw : strides.front();
    if (sh != sw)
      throw InputError(
          fmt::format("{}: strides {}x{}; Nibble's conv2d has one stride for both dimensions",
                      where(), sh, sw));
    const auto groups = static_cast<uint64_t>(attr_int(n, "group", 1));
    if (static_cast<uint64_t>(x[0]) != batch_)
      throw InputError(
          fmt::format("{}: input batch {} differs from the model batch {}", where(), x[0], batch_));
    Conv2dShape c;
    c.batch = 1;
    c.in_channels = x[1];
    c.in_height = one_d ? 1 : x[2];
    c.in_width = x.back();
    c.out_channels = w[0];
    c.kernel_h = one_d ? 1 : w[2];
    c.kernel_w = w.back();
    c.stride = sw;
    c.groups = groups;
    if (groups == 0 || c.in_channels % groups || c.out_channels % groups ||
        static_cast<uint64_t>(w[1]) * groups != c.in_channels)
      throw InputError(
          fmt::format("{}: weight {}x{}x... does not fit {} input channels in {} groups", where(),
                      w[0], w[1], c.in_channels, groups));
    fit_padding(c, one_d ? 1 : y[2], y.back());
    ArchLayer l;
    l.name = name;
    l.type = ArchLayerType::conv2d;
    l.conv = c;
    push(std::move(l));
  }

  // Nibble's conv2d pads symmetrically by one amount. Use the model's pads
  // when they are that; else any symmetric padding giving the same output
  // (MACs depend only on the output); else (asymmetric, TF "SAME") pad 0 and
  // widen the input by the padding the output needs: same output, same MACs.
  void fit_padding(Conv2dShape& c, uint64_t p_out, uint64_t q_out) const {
    const auto pads = attr_ints(*node_, "pads");
    std::vector<uint64_t> candidates;
    if (!pads.empty() &&
        std::all_of(pads.begin(), pads.end(), [&](int64_t p) { return p == pads.front(); }))
      candidates.push_back(pads.front());
    for (uint64_t p = 0; p <= std::max(c.kernel_h, c.kernel_w); ++p) candidates.push_back(p);
    for (uint64_t p : candidates) {
      c.padding = p;
      if (c.in_height + 2 * p >= c.kernel_h && c.in_width + 2 * p >= c.kernel_w &&
          c.out_height() == p_out && c.out_width() == q_out)
        return;
    }
    c.padding = 0;
    c.in_height = std::max(c.in_height, (p_out - 1) * c.stride + c.kernel_h);
    c.in_width = std::max(c.in_width, (q_out - 1) * c.stride + c.kernel_w);
    if (c.out_height() != p_out || c.out_width() != q_out)
      throw InputError(fmt::format("{}: cannot reproduce the {}x{} output with one stride {}",
                                   where(), p_out, q_out, c.stride));
  }

  void gemm(const std::string& name) {
    const auto& n = *node_;
    const Shape& a = shape(n.input(0), "input A");
    const Shape& b = shape(n.input(1), "input B");
    if (a.size() != 2 || b.size() != 2)
      throw InputError(fmt::format("{}: Gemm operands must be 2-D, found {}-D and {}-D", where(),
                                   a.size(), b.size()));
    const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
    const uint64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
    const uint64_t kb = tb ? b[1] : b[0], nn = tb ? b[0] : b[1];
    if (k != kb)
      throw InputError(fmt::format("{}: inner dimensions differ ({} vs {})", where(), k, kb));
    product(name, 1, m, nn, k, /*a_weights=*/constant_.count(n.input(0)) > 0,
            /*b_weights=*/constant_.count(n.input(1)) > 0);
  }

  void matmul(const std::string& name) {
    const auto& n = *node_;
    Shape a = shape(n.input(0), "input A");
    Shape b = shape(n.input(1), "input B");
    if (a.empty() || b.empty()) throw InputError(fmt::format("{}: MatMul of a scalar", where()));
    if (a.size() == 1) a.insert(a.begin(), 1);  // numpy: a vector is one row
    if (b.size() == 1) b.push_back(1);          // ... or one column
    const uint64_t m = a[a.size() - 2], k = a.back(), kb = b[b.size() - 2], nn = b.back();
    if (k != kb)
      throw InputError(fmt::format("{}: inner dimensions differ ({} vs {})", where(), k, kb));
    // Broadcast the leading (batch) dimensions, numpy style.
    const Shape la(a.begin(), a.end() - 2), lb(b.begin(), b.end() - 2);
    uint64_t count = 1;
    for (size_t i = 0; i < std::max(la.size(), lb.size()); ++i) {
      const int64_t da = i < la.size() ? la[la.size() - 1 - i] : 1;
      const int64_t db = i < lb.size() ? lb[lb.size() - 1 - i] : 1;
      if (da != db && da != 1 && db != 1)
        throw InputError(
            fmt::format("{}: batch dimensions {} and {} do not broadcast", where(), da, db));
      count *= static_cast<uint64_t>(std::max(da, db));
    }
    // A constant operand shared by every product is a weight matrix.
    const bool a_weights = constant_.count(n.input(0)) && elements(la) == 1;
    const bool b_weights = constant_.count(n.input(1)) && elements(lb) == 1;
    product(name, count, m, nn, k, a_weights, b_weights);
  }

  // `count` products C[M,N] = A[M,K] x B[K,N] over the whole batch.
  void product(const std::string& name, uint64_t count, uint64_t m, uint64_t n, uint64_t k,
               bool a_weights, bool b_weights) {
    ArchLayer l;
    l.name = name;
    if (b_weights || a_weights) {
      // X[rows,K] x W[K,N]; with the weight on the left, C^T = B^T x A^T.
      l.type = ArchLayerType::linear;
      l.in_features = k;
      l.out_features = b_weights ? n : m;
      l.tokens = per_sample(count * (b_weights ? m : n), "row count");
    } else {
      l.type = ArchLayerType::matmul;
      l.matmul = {.m = m, .n = n, .k = k, .count = count};
      if (count % batch_ == 0)
        l.matmul.count = count / batch_;
      else
        l.matmul.m = per_sample(m, "row count");  // one product spanning the batch
    }
    push(std::move(l));
  }

  const onnx::GraphProto& graph_;
  const uint64_t batch_;
  const std::string& file_;
  const onnx::NodeProto* node_ = nullptr;
  std::unordered_map<std::string, Shape> shapes_;
  std::unordered_set<std::string> constant_;
  std::unordered_set<std::string> names_;
  GraphLayers out_;
};

}  // namespace

bool supported(std::string_view op_type) {
  return op_table().count(op_type) > 0;
}

std::vector<std::string> supported_ops() {
  std::vector<std::string> ops;
  for (const auto& [name, info] : op_table()) ops.push_back(name);
  return ops;
}

GraphLayers lower_graph(const onnx::GraphProto& graph, uint64_t model_batch,
                        const std::string& file) {
  return Lowerer(graph, model_batch, file).run();
}

}  // namespace nibble::workload::onnx_import
