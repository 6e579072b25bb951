#pragma once
// A tiny CNN and recipes on the synthetic data set: short deterministic
// training runs for the determinism, regression and trace tests.
#include <nlohmann/json.hpp>

#include "workloads/data/synthetic.hpp"
#include "workloads/trainer/model.hpp"
#include "workloads/trainer/recipe.hpp"
#include "workloads/trainer/software_executor.hpp"
#include "workloads/trainer/train_report.hpp"
#include "workloads/trainer/trainer.hpp"

namespace nibble::test {

inline nlohmann::json tiny_cnn_json() {
  return nlohmann::json::parse(R"({
    "name": "tiny_cnn", "input": [1, 12, 12], "classes": 4,
    "layers": [
      {"type": "conv2d", "name": "conv1", "out_channels": 8, "kernel": 3, "padding": 1},
      {"type": "relu"},
      {"type": "maxpool", "kernel": 2},
      {"type": "conv2d", "name": "conv2", "out_channels": 8, "kernel": 3, "padding": 1},
      {"type": "relu"},
      {"type": "maxpool", "kernel": 2},
      {"type": "linear", "name": "fc1", "out": 16},
      {"type": "relu"},
      {"type": "linear", "name": "fc2", "out": 4}
    ]})");
}

inline train::Recipe recipe_named(const std::string& name,
                                  const std::vector<std::string>& sets = {}) {
  return train::Recipe::load(source_path("configs/recipes/" + name + ".json"), sets);
}

struct RunResult {
  std::vector<train::EpochRecord> history;
  std::string report;
  train::Mat fc1_weights;
};

inline RunResult short_run(const std::string& recipe_name, int epochs, uint64_t seed,
                           int train_count = 512) {
  const data::Dataset train_set = data::make_synthetic(train_count, 12, 12, 4, 11, 0);
  const data::Dataset test_set = data::make_synthetic(128, 12, 12, 4, 11, 1);
  const train::Recipe recipe =
      recipe_named(recipe_name, {"/optimizer/batch=32", "/optimizer/lr=0.05"});
  train::Model model = train::Model::from_json(tiny_cnn_json(), "tiny_cnn", seed);
  train::SoftwareExecutor software(recipe.gemm);
  train::Trainer trainer(model, recipe, software, seed);
  RunResult r;
  for (int e = 1; e <= epochs; ++e) {
    auto rec = trainer.train_epoch(train_set, e, epochs);
    const auto ev = trainer.evaluate(test_set, 64);
    rec.test_loss = ev.loss;
    rec.test_accuracy = ev.accuracy;
    r.history.push_back(rec);
  }
  train::RunInfo info{"tiny_cnn",      recipe_name,    seed,       epochs,
                      train_set.count, test_set.count, "synthetic"};
  r.report = train::make_train_report(model, recipe, info, r.history).dump(2);
  for (auto* g : model.gemm_layers())
    if (g->name() == "fc1") {
      std::vector<train::Param*> ps;
      g->collect_params(ps);
      r.fc1_weights = ps[0]->value;
    }
  return r;
}

}  // namespace nibble::test
