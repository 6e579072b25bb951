// Lowers an arch net to the workload IR: the forward pass, or a whole
// training step (forward, then per layer in reverse: gradient quantization,
// dX, dW and the weight update), with the paper's precision recipe.
#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/workload_limits.hpp"

namespace nibble::workload {
namespace {

bool has_weights(const ArchLayer& l) {
  return l.type == ArchLayerType::conv2d || l.type == ArchLayerType::linear;
}

// The recipe: explicit per-layer choice first, then FP16 for the first and
// last weight layers, then (optionally) HFP8 for 1x1 convs, else INT4/FP4.
LayerPrecision choose_precision(const ArchNet& net, size_t index, const StepOptions& opt) {
  const ArchLayer& l = net.layers[index];
  if (l.precision) return *l.precision;
  if (!net.interior_block && has_weights(l)) {
    size_t first = net.layers.size(), last = 0;
    for (size_t i = 0; i < net.layers.size(); ++i)
      if (has_weights(net.layers[i])) first = std::min(first, i), last = i;
    if (index == first || index == last) return LayerPrecision::fp16;
  }
  if (opt.hfp8_1x1 && l.type == ArchLayerType::conv2d && l.conv.kernel_h == 1 &&
      l.conv.kernel_w == 1)
    return LayerPrecision::hfp8;
  return LayerPrecision::int4;
}

Precision forward_precision(LayerPrecision p) {
  return p == LayerPrecision::fp16   ? Precision::fp16
         : p == LayerPrecision::hfp8 ? Precision::hfp8
                                     : Precision::int4_int4;
}
Precision backward_precision(LayerPrecision p) {
  return p == LayerPrecision::int4 ? Precision::int4_fp4 : forward_precision(p);
}

// Per-layer facts the generator needs, for the whole batch.
struct LayerGemm {
  GemmShape fwd;  // forward GEMM (conv: im2col lowering)
  uint64_t input_elements = 0;
  uint64_t weight_elements = 0;  // 0 for matmul (both operands are activations)
};

LayerGemm layer_gemm(const ArchLayer& l, uint64_t batch) {
  // Every product is overflow-checked: an arch net may declare dimensions up
  // to 2^32, and batch x tokens x features must not wrap.
  constexpr uint64_t kMax = 1ull << 62;
  const std::string what = "layer '" + l.name + "'";
  auto mul = [&](std::initializer_list<uint64_t> f, const char* name) {
    return io::checked_product(f, kMax, what, "", name);
  };
  LayerGemm g;
  switch (l.type) {
    case ArchLayerType::conv2d: {
      Conv2dShape c = l.conv;
      c.batch = batch;
      try {
        g.fwd = lower_conv(c);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: {}", what, e.what()));
      }
      g.input_elements = mul({batch, c.in_channels, c.in_height, c.in_width}, "input elements");
      g.weight_elements =
          mul({c.out_channels, c.in_channels / c.groups, c.kernel_h, c.kernel_w}, "weights");
      break;
    }
    case ArchLayerType::linear:
      g.fwd = {.m = mul({batch, l.tokens}, "batch x tokens"),
               .n = l.out_features,
               .k = l.in_features,
               .count = 1};
      g.input_elements = mul({g.fwd.m, g.fwd.k}, "input elements");
      g.weight_elements = mul({g.fwd.k, g.fwd.n}, "weights");
      break;
    case ArchLayerType::matmul:
      g.fwd = l.matmul;
      g.fwd.count = mul({g.fwd.count, batch}, "count x batch");
      g.input_elements = mul({g.fwd.m, g.fwd.k, g.fwd.count}, "input elements");
      break;
    case ArchLayerType::vector:
      (void)mul({l.vector.elements, batch}, "elements x batch");
      break;
  }
  if (l.type != ArchLayerType::vector) check_gemm_size(g.fwd, what);
  return g;
}

class Builder {
 public:
  explicit Builder(Workload& w) : w_(w) {}

  void quantize(const std::string& layer, const std::string& what, Pass pass, const std::string& to,
                uint64_t elements, uint32_t phases = 1) {
    Op op = make_op(fmt::format("{}.q_{}", layer, what), layer, OpType::quantize, pass);
    op.quantize = {.to = to, .elements = elements, .phases = phases};
    w_.ops.push_back(std::move(op));
  }
  void vector(const std::string& layer, const std::string& suffix, Pass pass,
              const std::string& function, uint64_t elements, const std::string& format) {
    Op op = make_op(fmt::format("{}.{}", layer, suffix), layer, OpType::vector, pass);
    op.vector = {.function = function, .elements = elements, .format = format};
    w_.ops.push_back(std::move(op));
  }
  void gemm(const std::string& layer, const std::string& suffix, Pass pass, Precision p,
            GemmShape shape, Operand a, Operand b) {
    Op op = make_op(fmt::format("{}.{}", layer, suffix), layer, OpType::gemm, pass);
    op.precision = p;
    op.gemm = shape;
    op.a = std::move(a);
    op.b = std::move(b);
    w_.ops.push_back(std::move(op));
  }
  void conv(const std::string& layer, Precision p, Conv2dShape c, Operand a, Operand b) {
    Op op = make_op(fmt::format("{}.fwd", layer), layer, OpType::conv2d, Pass::forward);
    op.precision = p;
    op.conv = c;
    op.a = std::move(a);
    op.b = std::move(b);
    w_.ops.push_back(std::move(op));
  }

 private:
  Workload& w_;
};

// Names of the quantized formats a precision family feeds the array.
std::string act_format(LayerPrecision p, bool post_relu) {
  return p == LayerPrecision::hfp8 ? "hfp8" : post_relu ? "uint4" : "int4";
}

void emit_forward(Builder& b, const ArchLayer& l, LayerPrecision lp, const LayerGemm& g,
                  const StepOptions& opt) {
  const std::string& n = l.name;
  if (l.type == ArchLayerType::vector) {
    b.vector(n, "fwd", Pass::forward, l.vector.function, l.vector.elements * opt.batch, "fp16");
    return;
  }
  // Convs and linears read post-ReLU activations (PACT, unsigned); attention
  // matmuls read signed Q/K/V.
  const bool post_relu = l.type != ArchLayerType::matmul;
  if (lp != LayerPrecision::fp16) {
    b.quantize(n, "x", Pass::forward, act_format(lp, post_relu), g.input_elements);
    if (g.weight_elements > 0)
      b.quantize(n, "w", Pass::forward, lp == LayerPrecision::hfp8 ? "hfp8" : "int4",
                 g.weight_elements);
    else  // matmul: the second operand is an activation too
      b.quantize(n, "y", Pass::forward, act_format(lp, false),
                 l.matmul.k * l.matmul.n * l.matmul.count * opt.batch);
  }
  const Precision p = forward_precision(lp);
  const bool saved = opt.training;  // dW (or dB) reads the forward input again
  if (l.type == ArchLayerType::conv2d) {
    Conv2dShape c = l.conv;
    c.batch = opt.batch;
    b.conv(n, p, c, operand(n + ".x", false, saved), operand(n + ".w"));
  } else if (l.type == ArchLayerType::linear) {
    b.gemm(n, "fwd", Pass::forward, p, g.fwd, operand(n + ".x", false, saved), operand(n + ".w"));
  } else {
    b.gemm(n, "fwd", Pass::forward, p, g.fwd, operand(n + ".a", false, saved),
           operand(n + ".b", false, saved));
  }
}

void emit_backward(Builder& b, const ArchLayer& l, LayerPrecision lp, const LayerGemm& g,
                   bool needs_dx, const StepOptions& opt) {
  const std::string& n = l.name;
  if (l.type == ArchLayerType::vector) {
    b.vector(n, "dX", Pass::dX, l.vector.function + "_backward", l.vector.elements * opt.batch,
             "fp16");
    return;
  }
  const GemmShape& f = g.fwd;
  const uint64_t dy_elements = f.m * f.n * f.count;
  // The LGU quantizes dY once per TPR phase: even feeds dX, odd feeds dW.
  if (lp == LayerPrecision::int4) b.quantize(n, "dy", Pass::dX, "fp4", dy_elements, 2);
  if (lp == LayerPrecision::hfp8) b.quantize(n, "dy", Pass::dX, "hfp8", dy_elements);
  const Precision p = backward_precision(lp);
  const Operand dy = operand(n + ".dy");
  // dX[M,K] = dY[M,N] x W^T[N,K]; dW[K,N] = X^T[K,M] x dY[M,N] (per group).
  const GemmShape dx_shape{.m = f.m, .n = f.k, .k = f.n, .count = f.count};
  const GemmShape dw_shape{.m = f.k, .n = f.n, .k = f.m, .count = f.count};
  if (l.type == ArchLayerType::matmul) {
    // C = A x B with both operands activations: two input gradients, no weights.
    b.gemm(n, "dA", Pass::dX, p, dx_shape, dy, operand(n + ".b", true, true));
    b.gemm(n, "dB", Pass::dX, p, dw_shape, operand(n + ".a", true, true), dy);
    return;
  }
  if (needs_dx) b.gemm(n, "dX", Pass::dX, p, dx_shape, dy, operand(n + ".w", true));
  b.gemm(n, "dW", Pass::dW, p, dw_shape, operand(n + ".x", true, true), dy);
  // SGD with momentum on the FP32 master weights in the SFU; the next step's
  // forward re-quantizes them.
  b.vector(n, "update", Pass::weight_update, "sgd_momentum", g.weight_elements, "fp32");
}

}  // namespace

Workload generate_workload(const ArchNet& net, const StepOptions& opt) {
  Workload w;
  w.name = net.name;
  w.batch = opt.batch;
  w.training = opt.training;
  w.description =
      fmt::format("{} {}, batch {}{}", net.name, opt.training ? "training step" : "forward pass",
                  opt.batch, opt.hfp8_1x1 ? ", 1x1 convs in HFP8" : "");
  Builder b(w);
  std::vector<LayerPrecision> precision;
  std::vector<LayerGemm> gemms;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    precision.push_back(choose_precision(net, i, opt));
    gemms.push_back(layer_gemm(net.layers[i], opt.batch));
    emit_forward(b, net.layers[i], precision[i], gemms[i], opt);
  }
  if (!opt.training) return w;
  // The loss gradient enters at the last layer; a whole network's first matrix
  // layer reads the data, whose gradient nobody needs.
  size_t first_matrix = net.layers.size();
  for (size_t i = 0;
       !net.interior_block && i < net.layers.size() && first_matrix == net.layers.size(); ++i)
    if (net.layers[i].type != ArchLayerType::vector) first_matrix = i;
  for (size_t i = net.layers.size(); i-- > 0;)
    emit_backward(b, net.layers[i], precision[i], gemms[i], i != first_matrix, opt);
  return w;
}

}  // namespace nibble::workload
