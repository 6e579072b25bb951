#include "workloads/trainer/model.hpp"

#include <fmt/format.h>

#include <random>
#include <set>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/io/strict_json.hpp"
#include "workloads/trainer/avgpool.hpp"
#include "workloads/trainer/batchnorm.hpp"
#include "workloads/trainer/conv2d.hpp"
#include "workloads/trainer/json_reader.hpp"
#include "workloads/trainer/linear.hpp"
#include "workloads/trainer/maxpool.hpp"
#include "workloads/trainer/recipe.hpp"
#include "workloads/trainer/relu.hpp"
#include "workloads/trainer/residual.hpp"

namespace nibble::train {
namespace {

// The JSON pointer of `key` in `r` ("/layers/0/kernel"), without the file.
std::string pointer_of(const JsonReader& r, const std::string& key) {
  return r.where(key).substr(r.file().size() + 2);
}

struct Builder {
  std::mt19937_64 rng;
  std::set<std::string> names;
  int counter = 0;
  uint64_t parameters = 0;  // running total, checked against the memory budget

  // A kernel or pooling window must fit the (padded) input: (h + 2p - k) / s
  // would otherwise truncate a negative numerator to a bogus 1-pixel output.
  static void check_window(JsonReader& r, const Shape& in, int kernel, int padding) {
    if (kernel > in.h + 2 * padding || kernel > in.w + 2 * padding)
      r.fail("kernel",
             fmt::format("a window that fits the {}x{} input padded by {} (at most {})", in.h, in.w,
                         padding, std::min(in.h, in.w) + 2 * padding),
             std::to_string(kernel) + ", which does not fit");
  }

  // Weights (with their gradient, velocity and quantized copies) are checked
  // against the memory budget before they are allocated; products are
  // overflow-checked.
  void add_parameters(JsonReader& r, const char* key, std::initializer_list<uint64_t> dims) {
    const uint64_t n =
        io::checked_product(dims, uint64_t{1} << 40, r.file(), pointer_of(r, key), "parameters");
    parameters += n;
    io::check_allocation(parameters * 16, r.file(), pointer_of(r, key),
                         fmt::format("a network with {} parameters (16 bytes each with gradient, "
                                     "velocity and quantized copies)",
                                     parameters));
  }

  std::string name_of(JsonReader& r, const std::string& type) {
    std::string n = r.string("name", fmt::format("{}{}", type, ++counter));
    if (!names.insert(n).second) r.fail("name", "a unique layer name", "\"" + n + "\" again");
    return n;
  }

  // Builds a list of layers; `shape`, `nonneg` and `normalized` (the values
  // come through a BatchNorm since the last GEMM, on every path) flow
  // through it.
  Sequential build(std::vector<JsonReader> defs, Shape& shape, bool& nonneg, bool& normalized) {
    Sequential seq;
    GemmLayer* previous_gemm = nullptr;  // the list's previous layer, if a GEMM
    for (auto& r : defs) {
      const std::string type = r.string(
          "type", "", {"conv2d", "linear", "relu", "maxpool", "avgpool", "batchnorm", "residual"});
      std::unique_ptr<Layer> l;
      bool residual_normalized = false;
      if (type == "conv2d") {
        const std::string n = name_of(r, "conv");
        ConvGeometry g;
        g.in = shape;
        g.out_c = r.required_integer("out_channels", 1, 1 << 16);
        g.kernel = r.required_integer("kernel", 1, 64);
        g.stride = r.integer("stride", 1, 1, 64);
        g.padding = r.integer("padding", 0, 0, 64);
        check_window(r, shape, g.kernel, g.padding);
        add_parameters(r, "out_channels",
                       {static_cast<uint64_t>(g.out_c), static_cast<uint64_t>(shape.c),
                        static_cast<uint64_t>(g.kernel), static_cast<uint64_t>(g.kernel)});
        const bool bias = r.boolean("bias", true);
        l = std::make_unique<Conv2d>(n, g, bias, rng);
      } else if (type == "linear") {
        const std::string n = name_of(r, "fc");
        const int out = r.required_integer("out", 1, 1 << 20);
        add_parameters(r, "out", {static_cast<uint64_t>(shape.size()), static_cast<uint64_t>(out)});
        l = std::make_unique<Linear>(n, shape, out, r.boolean("bias", true), rng);
      } else if (type == "relu") {
        l = std::make_unique<Relu>(name_of(r, "relu"), shape);
      } else if (type == "maxpool" || type == "avgpool") {
        const std::string n = name_of(r, type == "maxpool" ? "maxpool" : "avgpool");
        PoolGeometry g;
        const bool global = r.boolean("global", false);
        g.kernel = global ? shape.h : r.required_integer("kernel", 1, 64);
        g.stride = r.integer("stride", g.kernel, 1, 64);
        g.padding = r.integer("padding", 0, 0, 64);
        check_window(r, shape, g.kernel, g.padding);
        if (type == "maxpool")
          l = std::make_unique<MaxPool>(n, shape, g);
        else
          l = std::make_unique<AvgPool>(n, shape, g);
      } else if (type == "batchnorm") {
        const std::string n = name_of(r, "bn");
        l = std::make_unique<BatchNorm>(n, shape,
                                        static_cast<float>(r.number("momentum", 0.1, 0.0, 1.0)),
                                        static_cast<float>(r.number("eps", 1e-5, 1e-12, 1.0)));
      } else {
        const std::string n = name_of(r, "res");
        Shape s_body = shape, s_short = shape;
        bool nn_body = nonneg, nn_short = nonneg;
        bool bn_body = normalized, bn_short = normalized;
        Sequential body = build(r.objects("body", true), s_body, nn_body, bn_body);
        Sequential shortcut = build(r.objects("shortcut", false), s_short, nn_short, bn_short);
        residual_normalized = bn_body && bn_short;
        if (!(s_body == s_short))
          r.fail("shortcut",
                 fmt::format("output shape {}x{}x{} (the body's)", s_body.c, s_body.h, s_body.w),
                 fmt::format("{}x{}x{}", s_short.c, s_short.h, s_short.w));
        l = std::make_unique<Residual>(n, shape, s_body, std::move(body), std::move(shortcut));
      }
      r.finish();
      auto* gemm = dynamic_cast<GemmLayer*>(l.get());
      if (previous_gemm && type == "batchnorm") previous_gemm->set_output_normalized(true);
      previous_gemm = gemm;
      if (gemm) {
        gemm->set_input_nonnegative(nonneg);
        gemm->set_input_normalized(normalized);
      }
      nonneg = l->output_nonnegative(nonneg);
      if (gemm)
        normalized = false;
      else if (type == "batchnorm")
        normalized = true;
      else if (type == "residual")
        normalized = residual_normalized;
      shape = l->out_shape();
      // One sample's activations of a layer: bounded so every later size
      // (c*h*w as int, times the batch) stays in range.
      if (io::checked_product({static_cast<uint64_t>(shape.c), static_cast<uint64_t>(shape.h),
                               static_cast<uint64_t>(shape.w)},
                              uint64_t{1} << 26, r.file(), pointer_of(r, "type"),
                              "output channels x height x width") == 0)
        r.fail("type", "a layer with a non-empty output", "an empty output");
      seq.add(std::move(l));
    }
    return seq;
  }
};

}  // namespace

Model Model::from_json(const nlohmann::json& j, const std::string& path, uint64_t seed) {
  JsonReader r(j, path);
  Model m;
  r.integer("version", 1, 1, 1);
  m.name_ = r.required_string("name");
  r.string("description", "");
  const auto in = r.integers("input", 3, 1, 4096);
  m.in_ = {in[0], in[1], in[2]};
  (void)io::checked_product(
      {static_cast<uint64_t>(in[0]), static_cast<uint64_t>(in[1]), static_cast<uint64_t>(in[2])},
      uint64_t{1} << 26, path, "/input", "channels x height x width");
  m.classes_ = r.integer("classes", 10, 2, 1 << 16);
  Builder b{std::mt19937_64(seed), {}, 0};
  Shape shape = m.in_;
  bool nonneg = false;      // normalised pixels can be negative
  bool normalized = false;  // no BatchNorm before the first layer
  m.net_ = b.build(r.objects("layers", true), shape, nonneg, normalized);
  r.finish();
  if (shape.size() != m.classes_)
    throw InputError(
        fmt::format("{}: /layers: the network ends with {} outputs, expected {} classes", path,
                    shape.size(), m.classes_));
  auto gemms = m.gemm_layers();
  if (gemms.empty()) throw InputError(fmt::format("{}: /layers: no conv2d or linear layer", path));
  gemms.front()->set_need_input_grad(false);
  return m;
}

Model Model::load(const std::string& path, uint64_t seed) {
  return from_json(io::read_json_file(path, "trainer network", io::kMaxDocumentBytes), path, seed);
}

std::vector<Param*> Model::params() {
  std::vector<Param*> out;
  net_.collect_params(out);
  return out;
}

std::vector<GemmLayer*> Model::gemm_layers() {
  std::vector<GemmLayer*> out;
  net_.for_each_gemm([&](GemmLayer& g) { out.push_back(&g); });
  return out;
}

uint64_t Model::parameter_count() {
  uint64_t n = 0;
  for (Param* p : params()) n += static_cast<uint64_t>(p->value.size());
  return n;
}

void Model::apply_recipe(const Recipe& r) {
  auto gemms = gemm_layers();
  for (const auto& [layer, prec] : r.layer_precision) {
    bool found = false;
    for (auto* g : gemms) found |= g->name() == layer;
    if (!found)
      throw InputError(fmt::format(
          "{}: /precision/layers/{}: no conv2d or linear layer of that name in model {}", r.path,
          layer, name_));
  }
  for (size_t i = 0; i < gemms.size(); ++i) {
    GemmLayer& g = *gemms[i];
    std::string prec = r.default_precision;
    auto* conv = dynamic_cast<Conv2d*>(&g);
    if (conv && conv->geometry().kernel == 1 && r.pointwise_conv != "default")
      prec = r.pointwise_conv;
    if (conv && r.full_resolution_conv != "default" && conv->geometry().out_h() == in_.h &&
        conv->geometry().out_w() == in_.w)
      prec = r.full_resolution_conv;
    if (i == 0 && r.first_layer != "default") prec = r.first_layer;
    if (i + 1 == gemms.size() && r.last_layer != "default") prec = r.last_layer;
    if (auto it = r.layer_precision.find(g.name()); it != r.layer_precision.end())
      prec = it->second;
    g.set_precision(r.precision(prec), g.input_nonnegative());
  }
}

}  // namespace nibble::train
