#include "workloads/trainer/train_report.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "hw_models/numerics/errors.hpp"
#include "nibble/version.hpp"
#include "workloads/io/safe_output.hpp"

namespace nibble::train {

nlohmann::json epoch_json(const EpochRecord& r) {
  return {{"epoch", r.epoch},
          {"steps", r.steps},
          {"lr", r.lr},
          {"train_loss", r.train_loss},
          {"train_accuracy", r.train_accuracy},
          {"test_loss", r.test_loss},
          {"test_accuracy", r.test_accuracy}};
}

namespace {

double fraction(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

uint64_t acc_saturations(const LayerHealth& h) {
  return h.forward.acc_saturations + h.dx.acc_saturations + h.dw.acc_saturations;
}

nlohmann::json gemm_json(const GemmCounts& g) {
  return {{"gemms", g.gemms},
          {"outputs", g.outputs},
          {"acc_saturations", g.acc_saturations},
          {"saturations_per_output", fraction(g.acc_saturations, g.outputs)}};
}

nlohmann::json quant_json(const QuantCounts& q, Format f) {
  return {{"format", to_string(f)},
          {"elements", q.elements},
          {"clipped", q.clipped},
          {"underflow", q.underflow},
          {"scale_clamps", q.scale_clamps},
          {"clip_fraction", fraction(q.clipped, q.elements)},
          {"underflow_fraction", fraction(q.underflow, q.elements)}};
}

nlohmann::json layer_json(const LayerHealthRecord& r, const GemmLayer* g) {
  const LayerHealth& h = r.health;
  const LayerPrecision* p = g ? &g->precision() : nullptr;
  return {{"layer", r.layer},
          {"precision", r.precision},
          {"acc_saturations", acc_saturations(h)},
          {"forward", gemm_json(h.forward)},
          {"dx", gemm_json(h.dx)},
          {"dw", gemm_json(h.dw)},
          {"grad_fp4",
           {{"format", to_string(p ? p->gradients.format : Format::fp32)},
            {"elements", h.gradients.elements},
            {"underflow", h.gradients.underflow},
            {"saturated", h.gradients.clipped},
            {"scale_clamps", h.gradients.scale_clamps},
            {"underflow_fraction", fraction(h.gradients.underflow, h.gradients.elements)},
            {"saturation_fraction", fraction(h.gradients.clipped, h.gradients.elements)}}},
          {"gradscale_changes", h.gradscale_changes},
          {"gradscale_updates", h.gradscale_updates},
          {"pact_clip_fraction", fraction(h.activations.clipped, h.activations.elements)},
          {"weight_clip_fraction", fraction(h.weights.clipped, h.weights.elements)},
          {"activations", quant_json(h.activations, p ? p->activations.format : Format::fp32)},
          {"weights", quant_json(h.weights, p ? p->weights.format : Format::fp32)}};
}

LayerHealth sum_of(const std::vector<LayerHealthRecord>& layers) {
  LayerHealth t;
  for (const auto& l : layers) t += l.health;
  return t;
}

// The raw counts behind the totals' fractions.
nlohmann::json counts_json(const LayerHealth& t) {
  return {{"gemm_outputs", t.forward.outputs + t.dx.outputs + t.dw.outputs},
          {"acc_saturations_forward", t.forward.acc_saturations},
          {"acc_saturations_dx", t.dx.acc_saturations},
          {"acc_saturations_dw", t.dw.acc_saturations},
          {"grad_elements", t.gradients.elements},
          {"grad_underflow", t.gradients.underflow},
          {"grad_saturated", t.gradients.clipped},
          {"activation_elements", t.activations.elements},
          {"activation_clipped", t.activations.clipped},
          {"weight_elements", t.weights.elements},
          {"weight_clipped", t.weights.clipped},
          {"block_scale_clamps",
           t.weights.scale_clamps + t.activations.scale_clamps + t.gradients.scale_clamps},
          {"gradscale_updates", t.gradscale_updates},
          {"gradscale_changes", t.gradscale_changes}};
}

}  // namespace

nlohmann::json health_totals_json(const std::vector<LayerHealthRecord>& layers) {
  const LayerHealth t = sum_of(layers);
  return {{"acc_saturations", acc_saturations(t)},
          {"fp4_underflow_fraction", fraction(t.gradients.underflow, t.gradients.elements)},
          {"fp4_saturation_fraction", fraction(t.gradients.clipped, t.gradients.elements)},
          {"gradscale_changes", t.gradscale_changes},
          {"pact_clip_fraction", fraction(t.activations.clipped, t.activations.elements)},
          {"weight_clip_fraction", fraction(t.weights.clipped, t.weights.elements)}};
}

nlohmann::json numerics_health_json(const std::vector<EpochRecord>& history,
                                    const std::vector<GemmLayer*>& gemms) {
  nlohmann::json per_epoch = nlohmann::json::array();
  std::vector<LayerHealthRecord> run;  // per layer, summed over the epochs
  for (const auto& r : history) {
    nlohmann::json layers = nlohmann::json::array();
    for (size_t i = 0; i < r.health.size(); ++i) {
      layers.push_back(layer_json(r.health[i], i < gemms.size() ? gemms[i] : nullptr));
      if (run.size() <= i) run.push_back({r.health[i].layer, r.health[i].precision, {}});
      run[i].health += r.health[i].health;
    }
    per_epoch.push_back({{"epoch", r.epoch},
                         {"totals", health_totals_json(r.health)},
                         {"counts", counts_json(sum_of(r.health))},
                         {"layers", layers}});
  }
  return {{"per_epoch", per_epoch},
          {"totals", health_totals_json(run)},
          {"counts", counts_json(sum_of(run))}};
}

std::string health_summary_line(const std::vector<LayerHealthRecord>& layers) {
  const LayerHealth t = sum_of(layers);
  // The worst layer: most accumulator saturations, else the highest FP4
  // underflow fraction.
  const LayerHealthRecord* worst = nullptr;
  auto score = [](const LayerHealth& h) {
    return std::pair(acc_saturations(h), fraction(h.gradients.underflow, h.gradients.elements));
  };
  for (const auto& l : layers)
    if (!worst || score(l.health) > score(worst->health)) worst = &l;
  std::string line = fmt::format(
      "health: {} acc saturations, grad underflow {:.2f} % saturation {:.3f} %, {} GradScale "
      "changes, PACT clip {:.3f} %, weight clip {:.3f} %",
      acc_saturations(t), 100 * fraction(t.gradients.underflow, t.gradients.elements),
      100 * fraction(t.gradients.clipped, t.gradients.elements), t.gradscale_changes,
      100 * fraction(t.activations.clipped, t.activations.elements),
      100 * fraction(t.weights.clipped, t.weights.elements));
  if (worst) {
    const LayerHealth& h = worst->health;
    line += fmt::format("; worst {} ({} saturations: fwd {} dX {} dW {}; grad underflow {:.2f} %)",
                        worst->layer, acc_saturations(h), h.forward.acc_saturations,
                        h.dx.acc_saturations, h.dw.acc_saturations,
                        100 * fraction(h.gradients.underflow, h.gradients.elements));
  }
  return line;
}

nlohmann::json make_train_report(Model& model, const Recipe& recipe, const RunInfo& info,
                                 const std::vector<EpochRecord>& history) {
  nlohmann::json layers = nlohmann::json::array();
  for (GemmLayer* g : model.gemm_layers()) {
    const auto& p = g->precision();
    layers.push_back({{"name", g->name()},
                      {"precision", p.name},
                      {"weights", to_string(p.weights.format)},
                      {"activations", to_string(p.activations.format)},
                      {"gradients", to_string(p.gradients.format)}});
  }
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& r : history) hist.push_back(epoch_json(r));
  nlohmann::json j;
  j["report"] = "nibble train";
  j["version"] = 1;
  j["nibble_version"] = kVersion;
  j["model"] = {{"name", model.name()},
                {"path", info.model_path},
                {"parameters", model.parameter_count()},
                {"gemm_layers", layers}};
  j["recipe"] = recipe.effective;
  j["recipe_path"] = info.recipe_path;
  j["seed"] = info.seed;
  j["epochs"] = info.epochs;
  j["dataset"] = {{"name", info.dataset},
                  {"train_images", info.train_images},
                  {"test_images", info.test_images}};
  j["history"] = hist;
  if (!history.empty()) j["final"] = epoch_json(history.back());
  j["numerics_health"] = numerics_health_json(history, model.gemm_layers());
  return j;
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) io::make_output_folder(p.parent_path(), "--out");
  io::write_file_atomic(p, content, "--out");
}

}  // namespace nibble::train
