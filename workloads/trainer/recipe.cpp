#include "workloads/trainer/recipe.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/hadamard.hpp"
#include "workloads/io/strict_json.hpp"
#include "workloads/trainer/json_reader.hpp"

namespace nibble::train {
namespace {

const std::vector<std::string> kPrecisions = {"fp32", "fp16", "hfp8", "ibm4", "mxfp4", "nvfp4"};

LayerPrecision read_fp32() {
  return {};
}

LayerPrecision read_float(JsonReader r, const std::string& name, Format fwd, Format bwd) {
  LayerPrecision p;
  p.name = name;
  p.weights.format = fwd;
  p.activations.format = fwd;
  p.gradients.format = bwd;
  p.gradients.scale_mode = r.string("grad_scale", "max", {"max", "none"});
  r.finish();
  return p;
}

LayerPrecision read_ibm4(JsonReader r) {
  LayerPrecision p;
  p.name = "ibm4";
  JsonReader w = r.object("weights");
  p.weights.format = Format::int4;
  p.weights.scale_mode = w.string("scale", "sawb", {"sawb", "max", "mse"});
  p.weights.sawb_c1 = w.number("sawb_c1", 0.0, 0.0, 1e3);  // 0: the numerics default
  p.weights.sawb_c2 = w.number("sawb_c2", 0.0, 0.0, 1e3);
  p.weights.channel_grids = w.boolean("channel_grids_before_bn", false);
  w.finish();
  JsonReader a = r.object("activations");
  p.activations.format = Format::uint4;
  p.activations.scale_mode = "pact";
  const double alpha0 = a.number("pact_alpha_init", 10.0, 1e-6, 1e6);
  p.pact_alpha_init = static_cast<float>(alpha0);
  p.pact_alpha_init_bn = static_cast<float>(a.number("pact_alpha_init_bn", alpha0, 1e-6, 1e6));
  p.pact_weight_decay = static_cast<float>(a.number("pact_weight_decay", 5e-4, 0.0, 1.0));
  a.finish();
  JsonReader g = r.object("gradients");
  p.gradients.format = Format::fp4_radix4;
  p.gradients.scale_mode = g.string("grad_scale", "max", {"max", "dynamic"});
  p.gradients.rounding = g.string("rounding", "nearest", {"nearest", "stochastic"});
  p.gradients.seed = static_cast<uint64_t>(g.integer("seed", 0, 0, 2147483647));
  p.gradients.grad_scale_top_log2 = g.integer("grad_scale_top_log2", num::kFp4MaxLog2,
                                              num::kFp4MaxLog2, QuantSpec::kMaxGradScaleTopLog2);
  p.gradients.dw_channel_scale = g.boolean("dw_channel_scale", false);
  const bool tpr = g.boolean("two_phase", true);
  p.dx_phase =
      phase_from_string(g.string("dx_phase", "even", {"even", "odd"}), g.where("dx_phase"));
  p.dw_phase = phase_from_string(g.string("dw_phase", "odd", {"even", "odd"}), g.where("dw_phase"));
  if (!tpr) p.dw_phase = p.dx_phase;  // one quantization feeds both GEMMs
  g.finish();
  r.finish();
  return p;
}

// mxfp4 / nvfp4 (docs/trainer.md, "Block-scaled FP4 recipes"): E2M1
// elements in blocks along each GEMM's K axis; every recipe choice a key.
LayerPrecision read_block_fp4(JsonReader r, const std::string& name, Format f) {
  const bool mx = f == Format::mxfp4;
  LayerPrecision p;
  p.name = name;
  // OCP MX v1.0: 32-element blocks; NVFP4: 16 (the only size NVIDIA defines).
  const int block = mx ? r.integer("block_size", 32, 16, 32) : r.integer("block_size", 16, 16, 16);
  if (block != 16 && block != 32) r.fail("block_size", "16 or 32", std::to_string(block));
  const std::string scale_rounding =
      mx ? r.string("scale_rounding", "floor", {"floor", "ceil", "even"}) : "floor";
  const auto spec = [&](JsonReader& o, const char* def_rounding) {
    QuantSpec q;
    q.format = f;
    q.scale_mode = "block";
    q.block_size = block;
    q.scale_rounding = scale_rounding;
    q.rounding = o.string("rounding", def_rounding, {"nearest", "stochastic"});
    q.seed = static_cast<uint64_t>(o.integer("seed", 0, 0, 2147483647));
    return q;
  };
  {
    JsonReader w = r.object("weights");
    p.weights = spec(w, "nearest");
    // NVIDIA's recipe: 16x16 weight tiles, so W and W^T (forward and dX)
    // share one quantization.
    p.weights.tiles_2d = w.boolean("tiles_2d", !mx);
    if (p.weights.tiles_2d && block != 16)
      w.fail("tiles_2d", "false (16x16 tiles need block_size 16)", "true");
    w.finish();
  }
  {
    JsonReader a = r.object("activations");
    p.activations = spec(a, "nearest");
    a.finish();
  }
  {
    JsonReader g = r.object("gradients");
    p.gradients = spec(g, "stochastic");
    g.finish();
  }
  {
    JsonReader h = r.object("hadamard");
    p.dw_hadamard = h.boolean("dw_operands", true);
    const std::string signs = h.string("signs", "te", {"te", "seeded"});
    const int seed = h.integer("seed", 0, 0, 2147483647);
    p.hadamard_sign_mask = signs == "te" ? num::kTeWgradSignMask
                                         : num::hadamard_sign_mask(static_cast<uint64_t>(seed));
    h.finish();
  }
  r.finish();
  return p;
}

}  // namespace

Recipe Recipe::from_json(const nlohmann::json& j, const std::string& path) {
  Recipe rc;
  rc.path = path;
  rc.effective = j;
  JsonReader r(j, path);
  const int version = r.integer("version", 1, 1, 1);
  (void)version;
  rc.name = r.required_string("name");
  r.string("description", "");
  {
    JsonReader o = r.object("optimizer");
    auto& op = rc.optimizer;
    op.lr = o.number("lr", op.lr, 0.0, 100.0);
    op.momentum = o.number("momentum", op.momentum, 0.0, 0.999999);
    op.weight_decay = o.number("weight_decay", op.weight_decay, 0.0, 1.0);
    op.batch = o.integer("batch", op.batch, 1, 65536);
    op.schedule = o.string("schedule", op.schedule, {"cosine", "step", "constant"});
    op.step_epochs = o.integer("step_epochs", op.step_epochs, 1, 100000);
    op.step_gamma = o.number("step_gamma", op.step_gamma, 0.0, 1.0);
    op.warmup_steps = o.integer("warmup_steps", op.warmup_steps, 0, 100000000);
    o.finish();
  }
  {
    JsonReader g = r.object("gemm");
    rc.gemm_given = {g.has("accumulation"), g.has("acc_bits"), g.has("chunk")};
    rc.gemm.accumulation =
        g.string("accumulation", rc.gemm.accumulation, {"int_exact", "fp16_chunked"});
    rc.gemm.acc_bits = g.integer("acc_bits", rc.gemm.acc_bits, 2, 64);
    rc.gemm.chunk = g.integer("chunk", rc.gemm.chunk, 1, 1 << 20);
    g.finish();
  }
  {
    JsonReader p = r.object("precision");
    rc.default_precision = p.string("default", "fp32", kPrecisions);
    std::vector<std::string> with_default = kPrecisions;
    with_default.push_back("default");
    rc.first_layer = p.string("first_layer", "default", with_default);
    rc.last_layer = p.string("last_layer", "default", with_default);
    rc.pointwise_conv = p.string("pointwise_conv", "default", with_default);
    rc.full_resolution_conv = p.string("full_resolution_conv", "default", with_default);
    JsonReader layers = p.object("layers");
    for (const auto& k : layers.keys()) rc.layer_precision[k] = layers.string(k, "", kPrecisions);
    layers.finish();
    p.finish();
  }
  rc.precisions["fp32"] = read_fp32();
  rc.precisions["fp16"] = read_float(r.object("fp16"), "fp16", Format::fp16, Format::fp16);
  rc.precisions["hfp8"] = read_float(r.object("hfp8"), "hfp8", Format::hfp8_143, Format::hfp8_152);
  rc.precisions["ibm4"] = read_ibm4(r.object("ibm4"));
  rc.precisions["mxfp4"] = read_block_fp4(r.object("mxfp4"), "mxfp4", Format::mxfp4);
  rc.precisions["nvfp4"] = read_block_fp4(r.object("nvfp4"), "nvfp4", Format::nvfp4);
  r.finish();
  return rc;
}

Recipe Recipe::load(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json j = io::read_json_file(path, "training recipe", io::kMaxDocumentBytes);
  for (const auto& o : overrides) apply_override(j, o, path);
  return from_json(j, path);
}

const LayerPrecision& Recipe::precision(const std::string& precision_name) const {
  auto it = precisions.find(precision_name == "default" ? default_precision : precision_name);
  if (it == precisions.end())
    throw InputError(fmt::format("{}: unknown precision '{}'", path, precision_name));
  return it->second;
}

}  // namespace nibble::train
