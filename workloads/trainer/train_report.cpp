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
  return j;
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) io::make_output_folder(p.parent_path(), "--out");
  io::write_file_atomic(p, content, "--out");
}

}  // namespace nibble::train
